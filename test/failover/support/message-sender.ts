import { randomUUID } from 'node:crypto';
import type { ApiClient } from '../../support/api-client.js';

export interface Acknowledged {
  id: string;
  text: string;
  /** 201: stored by this request; 200: a retry found the message already stored. */
  status: 201 | 200;
  position: number | null;
}

/**
 * Sends messages one after another, as the web client's outbox does: each message has a client id and
 * is retried with the same id after a network error, 502 or 503, so a retry can never store it twice.
 */
export class MessageSender {
  readonly acknowledged: Acknowledged[] = [];
  /** Responses that made the sender retry, by status ("network" for a failed connection). */
  readonly retries = new Map<string, number>();
  attempted = 0;
  private stopping = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly api: ApiClient,
    private readonly contactId: string,
    private readonly label: string,
  ) {}

  /** Sends until `stop()`, pausing `paceMs` between messages. */
  start(paceMs = 25): void {
    this.loop = (async () => {
      for (let n = 0; !this.stopping; n++) {
        await this.send(`${this.label} #${n}`);
        await new Promise((r) => setTimeout(r, paceMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
  }

  async send(text: string, giveUpAfterMs = 30_000): Promise<Acknowledged> {
    const id = randomUUID();
    this.attempted++;
    const deadline = Date.now() + giveUpAfterMs;
    for (;;) {
      let status: number | 'network';
      let body: { position?: number | null } | null = null;
      try {
        const response = await this.api.post(`/api/contacts/${this.contactId}/messages`, { id, text });
        status = response.status;
        body = response.body;
      } catch {
        status = 'network';
      }
      if (status === 201 || status === 200) {
        const ack: Acknowledged = { id, text, status, position: body?.position ?? null };
        this.acknowledged.push(ack);
        return ack;
      }
      if (status !== 'network' && status !== 502 && status !== 503) throw new Error(`send answered ${status}: ${JSON.stringify(body)}`);
      this.retries.set(String(status), (this.retries.get(String(status)) ?? 0) + 1);
      if (Date.now() > deadline) throw new Error(`message ${id} not acknowledged in ${giveUpAfterMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
