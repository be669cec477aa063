import pg from 'pg';

const CHANNEL = 'derbel_events';

/**
 * Wakes subscribers when events are appended, on every node: appenders NOTIFY after their append
 * committed (in its own tiny transaction: a NOTIFY inside the append would serialize all commits on
 * PostgreSQL's notify queue lock), and one LISTEN connection per process resolves `nextNotice()`.
 */
export class PostgresEventNotifier {
  private listener: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private waiters: Array<() => void> = [];
  private announcing = false;
  private announceAgain = false;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string,
  ) {}

  /** Resolves on the next append anywhere (or never, if closed first; callers race it with a timeout). */
  nextNotice(): Promise<void> {
    void this.ensureListening();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Tells every listener that new events exist; concurrent calls coalesce into at most one extra NOTIFY. */
  announce(): void {
    this.wakeLocal();
    if (this.announcing) {
      this.announceAgain = true;
      return;
    }
    this.announcing = true;
    void (async () => {
      do {
        this.announceAgain = false;
        await this.pool.query(`NOTIFY ${CHANNEL}`).catch(() => {});
      } while (this.announceAgain && !this.closed);
      this.announcing = false;
    })();
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
