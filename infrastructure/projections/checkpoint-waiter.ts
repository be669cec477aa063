import type pg from 'pg';

/**
 * Read-your-writes: waits (bounded) until the named projections have applied a given position.
 * All waiters of a process share one polling query, and it runs only while someone waits.
 */
export class CheckpointWaiter {
  private waiters: Array<{ names: string[]; position: number; resolve: (ok: boolean) => void; deadline: number }> = [];
  private timer: NodeJS.Timeout | null = null;
  private known = new Map<string, number>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly intervalMs = 10,
  ) {}

  /** Resolves true once every named projection reached `position`, false after `timeoutMs`. */
  async waitFor(names: string[], position: number, timeoutMs = 2_000): Promise<boolean> {
    if (this.reached(names, position)) return true;
    await this.refresh();
    if (this.reached(names, position)) return true;
    return new Promise((resolve) => {
      this.waiters.push({ names, position, resolve, deadline: Date.now() + timeoutMs });
      this.schedule();
    });
  }

  private reached(names: string[], position: number) {
    return names.every((n) => (this.known.get(n) ?? 0) >= position);
  }

  private async refresh() {
    const { rows } = await this.pool.query<{ name: string; position: string }>('SELECT name, position FROM projection_checkpoints');
    for (const row of rows) this.known.set(row.name, Number(row.position));
  }

  private schedule() {
    if (this.timer) return;
    this.timer = setTimeout(async () => {
      this.timer = null;
      await this.refresh().catch(() => {});
      const now = Date.now();
      this.waiters = this.waiters.filter((w) => {
        if (this.reached(w.names, w.position)) return (w.resolve(true), false);
        if (now >= w.deadline) return (w.resolve(false), false);
        return true;
      });
      if (this.waiters.length > 0) this.schedule();
    }, this.intervalMs);
  }
}
