import type pg from 'pg';
import type { EventStore } from '../../application/ports/event-store.js';
import type { ProjectionRunner } from '../projections/projection-runner.js';
import type { ProjectionsSnapshot } from './metrics.js';

/** Head of the log and every projection's stored checkpoint (the same on every node), plus who leads here. */
export async function projectionsSnapshot(store: EventStore, pool: pg.Pool, runners: readonly ProjectionRunner[]): Promise<ProjectionsSnapshot> {
  const [head, { rows }] = await Promise.all([
    store.headPosition(),
    pool.query<{ name: string; position: string }>('SELECT name, position FROM projection_checkpoints'),
  ]);
  const stored = new Map(rows.map((r) => [r.name, Number(r.position)]));
  return {
    head,
    projections: runners.flatMap((runner) =>
      runner.projections.map((projection) => ({
        name: projection.name,
        checkpoint: stored.get(projection.name) ?? 0,
        leading: runner.state === 'running',
      })),
    ),
  };
}
