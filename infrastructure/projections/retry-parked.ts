import type pg from 'pg';
import type { EventStore } from '../../application/ports/event-store.js';
import type { Projection } from '../../projections/projection.js';
import { asDerbelEvents } from '../../projections/recorded-event.js';
import { applyOrPark } from './apply-or-park.js';
import { listParkedEvents } from './parked-events.js';

export interface RetryOutcome {
  projection: string;
  position: number;
  eventType: string;
  /** True when the projection applied it (no longer parked); false when it is still parked. */
  applied: boolean;
  /** When still parked: the attempts so far and the error of this one. */
  attempts?: number;
  errorCode?: string;
  error?: string;
}

/** How long a retry waits for the live runner's batch (or a rebuild's swap) to let go of the checkpoint. */
const LOCK_TIMEOUT_MS = 10_000;

/**
 * Applies the event parked at `position` again, to each of `projections` it is parked for, reading it from
 * the log through `store` (so today's upcasters apply). One transaction per projection: it locks the
 * checkpoint row first (the live runner waits for it at the start of every batch), applies the event in a
 * savepoint, drops the parked row or records the new error, and bumps `generation` so that the runner
 * starts over rather than trust what it remembers of tables written behind its back.
 *
 * The event lands after every later event the projection applied: fine for an event nothing later builds
 * on; a rebuild replays it in order.
 */
export async function retryParkedEvent(
  pool: pg.Pool,
  store: Pick<EventStore, 'readAll'>,
  position: number,
  projections: readonly Projection<unknown>[],
): Promise<RetryOutcome[]> {
  const parkedFor = new Set((await listParkedEvents(pool, { position })).map((p) => p.projection));
  const targets = projections.filter((p) => parkedFor.has(p.name));
  if (targets.length === 0) return [];
  const [event] = asDerbelEvents(await store.readAll({ after: position - 1, limit: 1 }));
  if (!event || event.position !== position) throw new Error(`the log has no event at position ${position}`);
  const outcomes: RetryOutcome[] = [];
  for (const projection of targets) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = ${LOCK_TIMEOUT_MS}`);
      await client.query('SELECT 1 FROM projection_checkpoints WHERE name = $1 FOR UPDATE', [projection.name]);
      const stillParked = await client.query('SELECT 1 FROM projection_parked_events WHERE projection = $1 AND position = $2 FOR UPDATE', [
        projection.name,
        position,
      ]);
      if (stillParked.rowCount === 0) {
        // Retried by someone else meanwhile, or replaced by a rebuild's swap.
        await client.query('ROLLBACK');
        continue;
      }
      const { parked } = await applyOrPark(client, projection, [event], { outputs: false }, true);
      if (parked.length === 0) {
        await client.query('DELETE FROM projection_parked_events WHERE projection = $1 AND position = $2', [projection.name, position]);
        outcomes.push({ projection: projection.name, position, eventType: event.type, applied: true });
      } else {
        const [row] = await listParkedEvents(client, { projection: projection.name, position });
        outcomes.push({
          projection: projection.name,
          position,
          eventType: event.type,
          applied: false,
          attempts: row.attempts,
          errorCode: row.errorCode,
          error: row.error,
        });
      }
      await client.query('UPDATE projection_checkpoints SET generation = generation + 1 WHERE name = $1', [projection.name]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
  return outcomes;
}
