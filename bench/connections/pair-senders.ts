import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import { summarize } from '../support.js';
import { anotherNode, machineNow } from './worker-protocol.js';

export interface ActivePair {
  contactId: string;
  senderToken: string;
  receiverId: string;
  /** The node the sender posts to first (its receiver's, so half the pairs lose their node in a storm). */
  node: number;
}

/** A message slower than this end to end is counted in the second it was sent. */
const SLOW_MS = 100;

interface Sent {
  receiverId: string;
  sentAt: number;
  node: number;
  acknowledged: boolean;
  /** When the write was acknowledged (`machineNow()`): what part of the latency is the write's own. */
  acknowledgedAt?: number;
}

/**
 * The active pairs' senders: `POST /api/contacts/:id/messages` with a client id, retried with the same id
 * on a network error, 502, 503 or 429 — on the other node when the connection is refused, as the balancer
 * would — like the web client's outbox. Latency = from the first attempt to the receiver applying it.
 */
export class PairSenders {
  readonly sent = new Map<string, Sent>();
  readonly applied = new Map<string, { at: number; via: string; times: number }>();
  readonly statuses: Record<string, number> = {};
  private readonly pools: Pool[];
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    urls: string[],
    private readonly pairs: ActivePair[],
  ) {
    this.pools = urls.map(
      (url) => new Pool(url, { connections: Math.min(200, pairs.length), headersTimeout: 15_000, bodyTimeout: 15_000 }),
    );
  }

  /** An applied message reported by a receiver (push or catch-up). */
  record(item: { messageId: string; at: number; via: string }) {
    const seen = this.applied.get(item.messageId);
    if (seen) seen.times++;
    else this.applied.set(item.messageId, { at: item.at, via: item.via, times: 1 });
  }

  /** Sends `rate` messages a second, round-robin over the pairs, until `until()` is true; returns their ids. */
  async run(rate: number, until: () => boolean): Promise<string[]> {
    const ids: string[] = [];
    const start = performance.now();
    for (let i = 0; !until(); i++) {
      const wait = start + (i * 1000) / rate - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const pair = this.pairs[i % this.pairs.length];
      const id = randomUUID();
      ids.push(id);
      this.sent.set(id, { receiverId: pair.receiverId, sentAt: machineNow(), node: pair.node, acknowledged: false });
      const sending = this.send(pair, id, `bench ${i}`).finally(() => this.inflight.delete(sending));
      this.inflight.add(sending);
    }
    await Promise.all(this.inflight);
    return ids;
  }

  /** Waits until every acknowledged message among `ids` is applied, or `timeoutMs`. */
  async settle(ids: string[], timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && ids.some((id) => this.sent.get(id)!.acknowledged && !this.applied.has(id)))
      await new Promise((r) => setTimeout(r, 100));
  }

  /**
   * Latency, losses and doubles over `ids`, optionally only those whose receiver matches. A message not applied
   * by a receiver still away (`away`: not connected when asked) is `awaitingReceiver`, not lost: it waits in the
   * log for the catch-up that receiver makes when it is back.
   */
  report(ids: string[], receiverFilter: (receiverId: string) => boolean = () => true, away: ReadonlySet<string> = new Set()) {
    const chosen = ids.filter((id) => receiverFilter(this.sent.get(id)!.receiverId));
    const acknowledged = chosen.filter((id) => this.sent.get(id)!.acknowledged);
    const latencies: number[] = [];
    const writeLatencies: number[] = [];
    // When the slow ones were sent: a cluster every N seconds points at periodic work on the nodes.
    const slowBySecond = new Map<number, number>();
    const firstSentAt = chosen.reduce((first, id) => Math.min(first, this.sent.get(id)!.sentAt), Infinity);
    let lost = 0;
    let awaitingReceiver = 0;
    let doubled = 0;
    let viaCatchUp = 0;
    for (const id of acknowledged) {
      const sent = this.sent.get(id)!;
      writeLatencies.push(sent.acknowledgedAt! - sent.sentAt);
      const applied = this.applied.get(id);
      if (!applied) {
        if (away.has(sent.receiverId)) awaitingReceiver++;
        else lost++;
        continue;
      }
      if (applied.times > 1) doubled++;
      if (applied.via === 'catch-up') viaCatchUp++;
      latencies.push(applied.at - sent.sentAt);
      if (applied.at - sent.sentAt > SLOW_MS) {
        const second = Math.floor((sent.sentAt - firstSentAt) / 1000);
        slowBySecond.set(second, (slowBySecond.get(second) ?? 0) + 1);
      }
    }
    return {
      sent: chosen.length,
      acknowledged: acknowledged.length,
      lost,
      awaitingReceiver,
      doubled,
      viaCatchUp,
      latencyMs: summarize(latencies),
      acknowledgedMs: summarize(writeLatencies),
      [`over${SLOW_MS}MsBySecond`]: Object.fromEntries([...slowBySecond].sort((a, b) => a[0] - b[0])),
    };
  }

  async close() {
    await Promise.all(this.pools.map((p) => p.close()));
  }

  private async send(pair: ActivePair, id: string, text: string) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      let status: string;
      try {
        const response = await this.pools[pair.node].request({
          method: 'POST',
          path: `/api/contacts/${pair.contactId}/messages`,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${pair.senderToken}` },
          body: JSON.stringify({ id, text }),
        });
        await response.body.dump();
        status = String(response.statusCode);
      } catch (error) {
        status = String((error as NodeJS.ErrnoException)?.code ?? 'network');
        // Refused: the node is gone; the balancer sends this pair's next requests elsewhere.
        if (status === 'ECONNREFUSED') pair.node = anotherNode(pair.node, this.pools.length);
      }
      this.statuses[status] = (this.statuses[status] ?? 0) + 1;
      if (status === '201' || status === '200') {
        const sent = this.sent.get(id)!;
        sent.acknowledged = true;
        sent.acknowledgedAt = machineNow();
        return;
      }
      if (/^\d+$/.test(status) && !['429', '502', '503'].includes(status)) return; // a refusal: not retried
      if (Date.now() > deadline) return;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
}
