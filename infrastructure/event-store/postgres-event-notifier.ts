import pg from 'pg';

const CHANNEL = 'derbel_events';

/**
 * Wakes subscribers when events are appended, on every node: each append's transaction NOTIFYs at its commit
 * (a trigger on `events`, migrations/007_notify_on_append.sql), and one LISTEN connection per process
 * resolves `nextNotice()`. Appends of this process also wake its subscribers at once.
 */
export class PostgresEventNotifier {
  private listener: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private waiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly connectionString: string) {}

  /** Resolves on the next append anywhere (or never, if closed first; callers race it with a timeout). */
  nextNotice(): Promise<void> {
    void this.ensureListening();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** This process appended: its own subscribers need not wait for the notice to come back. */
  appended(): void {
    this.wakeLocal();
  }

  private wakeLocal() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  private ensureListening(): Promise<void> {
    if (this.listener || this.closed) return Promise.resolve();
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.connectionString });
      client.on('notification', () => this.wakeLocal());
      client.on('error', () => {
        // Connection lost (e.g. PostgreSQL restarted): drop it; the next nextNotice() reconnects,
        // and subscribers' safety timeout keeps them reading meanwhile.
        if (this.listener === client) this.listener = null;
        client.end().catch(() => {});
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${CHANNEL}`);
        if (this.closed) await client.end();
        else this.listener = client;
      } catch {
        await client.end().catch(() => {});
        await new Promise((r) => setTimeout(r, 1_000));
      } finally {
        this.connecting = null;
      }
    })();
    return this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakeLocal();
    await this.connecting;
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => {});
  }
}
