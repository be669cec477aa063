import type pg from 'pg';
import type { EventStore } from '../../application/ports/event-store.js';
import { countParkedEvents } from './parked-events.js';

/** How long a projection may apply nothing while an event waits for it before /readyz says it is stalled. */
export const STALL_AFTER_MS = 30_000;

export interface StalledProjection {
  projection: string;
  checkpoint: number;
  /** How long the first event after its checkpoint has waited with nothing applied. */
  waitingSeconds: number;
}

export interface ProjectionHealthReport {
  stalled: StalledProjection[];
  /** One per projection and event it parked. */
  parked: { count: number; byProjection: Record<string, number> };
}

/** What `/readyz` answers: 503 unless `ready`; 200 `degraded` when events are parked but everything runs. */
export interface Readiness {
  ready: boolean;
  degraded?: boolean;
  checks: Record<string, boolean>;
  parked?: ProjectionHealthReport['parked'];
  stalled?: StalledProjection[];
  /** Present while Redis does not answer (infrastructure/redis/redis-health.ts): degraded, still ready. */
  redis?: { reachable: false; since: string };
}

/**
 * The read side's health as every node sees it, from the database and the log alone (not from what this
 * node's runner knows): events parked, and projections that cannot make progress. A projection is stalled
 * when its checkpoint has not moved for `stallAfterMs` (`updated_at`, stamped by every batch) and the first
 * event after it has waited that long too, so neither a quiet log nor a long catch-up counts.
 */
export class ProjectionHealth {
  constructor(
    private readonly options: { pool: pg.Pool; store: Pick<EventStore, 'readAll'>; projections: readonly string[]; stallAfterMs?: number },
  ) {}

  async check(): Promise<ProjectionHealthReport> {
    const { pool, projections } = this.options;
    const stallAfterMs = this.options.stallAfterMs ?? STALL_AFTER_MS;
    const [{ rows }, parked] = await Promise.all([
      pool.query<{ name: string; position: string; idle_ms: number }>(
        'SELECT name, position, extract(epoch FROM now() - updated_at) * 1000 AS idle_ms FROM projection_checkpoints WHERE name = ANY($1)',
        [projections],
      ),
      countParkedEvents(pool),
    ]);
    const stored = new Map(rows.map((r) => [r.name, r]));
    const firstAfter = new Map<number, Promise<string | null>>();
    const stalled: StalledProjection[] = [];
    for (const projection of projections) {
      const row = stored.get(projection);
      const idleMs = row ? Number(row.idle_ms) : Infinity;
      if (idleMs <= stallAfterMs) continue;
      const checkpoint = row ? Number(row.position) : 0;
      if (!firstAfter.has(checkpoint)) firstAfter.set(checkpoint, this.timeOfFirstEventAfter(checkpoint));
      const waitingSince = await firstAfter.get(checkpoint)!;
      if (waitingSince === null) continue;
      const age = Date.now() - Date.parse(waitingSince);
      const waitingMs = Number.isNaN(age) ? idleMs : Math.min(idleMs, age);
      if (waitingMs > stallAfterMs) stalled.push({ projection, checkpoint, waitingSeconds: Math.round(waitingMs / 1000) });
    }
    const byProjection = Object.fromEntries([...parked].sort(([a], [b]) => a.localeCompare(b)));
    return { stalled, parked: { count: [...parked.values()].reduce((sum, n) => sum + n, 0), byProjection } };
  }

  /** When the first event after `checkpoint` happened (its handler's timestamp), or null when there is none yet. */
  private async timeOfFirstEventAfter(checkpoint: number): Promise<string | null> {
    const [first] = await this.options.store.readAll({ after: checkpoint, limit: 1 });
    return first ? first.metadata.timestamp : null;
  }

  /** `checks` plus `projectionsProgressing`, the parked count (degraded) and any stalled projection. */
  async readiness(checks: Record<string, boolean>): Promise<Readiness> {
    const ready = Object.values(checks).every(Boolean);
    if (!checks.database) return { ready, checks };
    let report: ProjectionHealthReport;
    try {
      report = await this.check();
    } catch {
      return { ready: false, checks: { ...checks, projectionsProgressing: false } };
    }
    const progressing = report.stalled.length === 0;
    return {
      ready: ready && progressing,
      degraded: report.parked.count > 0,
      checks: { ...checks, projectionsProgressing: progressing },
      ...(report.parked.count > 0 ? { parked: report.parked } : {}),
      ...(progressing ? {} : { stalled: report.stalled }),
    };
  }
}
