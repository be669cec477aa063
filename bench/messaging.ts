import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import { cpuMillisecondsBetween, cpuSnapshot } from './cpu-usage.js';
import { createPairs, startTwoNodes, summarize } from './support.js';

/**
 * End-to-end messaging latency: senders POST to node 1, receivers listen on sockets connected to node 2
 * (one PostgreSQL, one Redis). Latency = from just before the POST to the receiver's `event`.
 */
export async function benchMessaging({
  pairs = 200,
  rate = 1_000,
  seconds = 20,
  steps = [250, 500, 750, 1_000, 1_500, 2_000, 2_500, 3_000, 3_500, 4_000, 5_000],
  stepSeconds = 8,
  ladder = 1,
  projectionsOnWriteNode = 0,
} = {}) {
  // By default node 2 (the sockets' node) leads the projections and pushes, and node 1 only takes the writes.
  // Each sender sends ~25 messages/s at the top step, over a person's limit (RATE_LIMIT_MESSAGES, 30/6s): raised,
  // not switched off, so every send still pays for its limit check.
  const limits = { RATE_LIMIT_MESSAGES: '1000/1s' };
  const cluster = await startTwoNodes(limits, projectionsOnWriteNode ? {} : { PROJECTIONS: 'off' });
  try {
    const [node1, node2] = cluster.nodes;
    const cpuParts = { node1: node1.child.pid!, node2: node2.child.pid! };
    const all = await createPairs(pairs, node1.url, node2.url);
    // One keep-alive connection per sender, as 200 separate people would have; undici's request API costs
    // the load generator far less CPU than fetch, so the machine's two cores go to the system under test.
    const http = new Pool(node1.url, { connections: pairs, headersTimeout: 30_000, bodyTimeout: 30_000 });
    const sentAt = new Map<string, number>();
    const latencies = new Map<string, number>();
    for (const pair of all) {
      pair.socket.on('event', (event: any) => {
        if (event.type !== 'MessageSent') return;
        const started = sentAt.get(event.data.messageId);
        if (started !== undefined && !latencies.has(event.data.messageId)) latencies.set(event.data.messageId, performance.now() - started);
      });
    }

    async function run(ratePerSecond: number, durationSeconds: number) {
      sentAt.clear();
      latencies.clear();
      let failed = 0;
      const postLatencies: number[] = [];
      const failures: Record<string, number> = {};
      const total = ratePerSecond * durationSeconds;
      console.error(`[messaging] ${ratePerSecond} msg/s for ${durationSeconds} s…`);
      const inflight: Promise<void>[] = [];
      const database = new URL(cluster.db.url).pathname.slice(1);
      const cpuBefore = cpuSnapshot(cpuParts, { database });
      const start = performance.now();
      const startedAt = new Date().toISOString();
      for (let i = 0; i < total; i++) {
        const due = start + (i * 1000) / ratePerSecond;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        const pair = all[i % all.length];
        const id = randomUUID();
        const postStart = performance.now();
        sentAt.set(id, postStart);
        inflight.push(
          http
            .request({
              method: 'POST',
              path: `/api/contacts/${pair.contactId}/messages`,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${pair.sender.token}` },
              body: JSON.stringify({ id, text: `bench ${i}` }),
            })
            .then(
              async (res) => {
                await res.body.dump();
                postLatencies.push(performance.now() - postStart);
                if (res.statusCode !== 201) {
                  failed++;
                  failures[res.statusCode] = (failures[res.statusCode] ?? 0) + 1;
                }
              },
              (error) => {
                failed++;
                const code = String(error?.code ?? error);
                failures[code] = (failures[code] ?? 0) + 1;
              },
            ),
        );
      }
      const sendSeconds = (performance.now() - start) / 1000;
      await Promise.all(inflight);
      const deadline = performance.now() + 5_000;
      while (latencies.size < total - failed && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const lost = total - failed - latencies.size;
      const cpuMs = cpuMillisecondsBetween(cpuBefore, cpuSnapshot(cpuParts, { database }));
      const cpuMicrosecondsPerMessage = Object.fromEntries(Object.entries(cpuMs).map(([k, ms]) => [k, Math.round((ms * 1000) / total)]));
      const result = {
        rate: ratePerSecond,
        seconds: durationSeconds,
        sent: total,
        achievedRate: Math.round(total / sendSeconds),
        failed,
        failures,
        lost,
        latencyMs: summarize([...latencies.values()]),
        postLatencyMs: summarize(postLatencies),
        cpuMicrosecondsPerMessage,
        startedAt,
        worstSeconds: worstSeconds(start),
      };
      console.error(JSON.stringify(result));
      return result;
    }

    /** The three one-second windows (by send time) with the highest p99: whether the tail is steady or bursts. */
    function worstSeconds(start: number) {
      const bySecond = new Map<number, number[]>();
      for (const [id, latency] of latencies) {
        const second = Math.floor((sentAt.get(id)! - start) / 1000);
        bySecond.set(second, [...(bySecond.get(second) ?? []), latency]);
      }
      return [...bySecond]
        .map(([second, values]) => ({ second, ...summarize(values) }))
        .sort((a, b) => b.p99 - a.p99)
        .slice(0, 3)
        .map(({ second, p50, p99, max }) => ({ second, p50, p99, max }));
    }

    await run(200, 3); // warm-up
    const fixed = await run(rate, seconds);
    const ladderRuns = [];
    let sustained = 0;
    for (const stepRate of ladder ? steps : []) {
      const result = await run(stepRate, stepSeconds);
      ladderRuns.push(result);
      const ok = result.lost === 0 && result.failed === 0 && result.latencyMs.p99 < 100 && result.achievedRate >= stepRate * 0.97;
      if (!ok) break;
      sustained = stepRate;
    }
    for (const pair of all) pair.socket.disconnect();
    await http.close();
    return { pairs, fixedRate: fixed, maxSustainedRate: ladder ? sustained : undefined, ladder: ladderRuns };
  } finally {
    await cluster.close();
  }
}
