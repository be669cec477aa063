import type pg from 'pg';
import type { EventStore } from '../../application/ports/event-store.js';
import { countParkedEvents } from '../projections/parked-events.js';
import type { ProjectionRunner } from '../projections/projection-runner.js';
import type { ProjectionsSnapshot } from './metrics.js';

/** Head of the log, every projection's stored checkpoint and parked events (the same on every node), plus who leads here. */
export async function projectionsSnapshot(
  store: EventStore,
  pool: pg.Pool,
  runners: readonly ProjectionRunner[],
): Promise<ProjectionsSnapshot> {
  const [head, { rows }, parked] = await Promise.all([
    store.headPosition(),
    pool.query<{ name: string; position: string }>('SELECT name, position FROM projection_checkpoints'),
    countParkedEvents(pool),
  ]);
  const stored = new Map(rows.map((r) => [r.name, Number(r.position)]));
  return {
    head,
    projections: runners.flatMap((runner) =>
      runner.projections.map((projection) => ({
        name: projection.name,
        checkpoint: stored.get(projection.name) ?? 0,
        leading: runner.state === 'running',
        parked: parked.get(projection.name) ?? 0,
      })),
    ),
  };
}
