import type pg from 'pg';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import type { Sql } from '../../projections/projection.js';
import { describeFault } from './apply-errors.js';

export interface ParkedEvent {
  projection: string;
  position: number;
  eventId: string;
  streamId: string;
  eventType: string;
  errorCode: string;
  error: string;
  attempts: number;
  parkedAt: string;
}

/**
 * Records that `projection` skipped `event` because of `error`, inside the transaction that moves its
 * checkpoint past it. Unqualified on purpose: during a rebuild it lands in the shadow copy of the table.
 */
export async function parkEvent(sql: Sql, projection: string, event: RecordedEvent, error: unknown): Promise<void> {
  const { code, message } = describeFault(error);
  await sql.query(
    `INSERT INTO projection_parked_events (projection, position, event_id, stream_id, event_type, error_code, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (projection, position) DO UPDATE SET
       error_code = EXCLUDED.error_code, error = EXCLUDED.error, attempts = projection_parked_events.attempts + 1, parked_at = now()`,
    [projection, event.position, String(event.id), String(event.streamId), String(event.type), code, message.slice(0, 2_000)],
  );
}

export async function listParkedEvents(
  db: pg.Pool | pg.ClientBase,
  filter: { projection?: string; position?: number } = {},
): Promise<ParkedEvent[]> {
  const { rows } = await db.query(
    `SELECT projection, position, event_id, stream_id, event_type, error_code, error, attempts, parked_at
     FROM projection_parked_events
     WHERE ($1::text IS NULL OR projection = $1) AND ($2::bigint IS NULL OR position = $2)
     ORDER BY position, projection`,
    [filter.projection ?? null, filter.position ?? null],
  );
  return rows.map((r) => ({
    projection: r.projection,
    position: Number(r.position),
    eventId: r.event_id,
    streamId: r.stream_id,
    eventType: r.event_type,
    errorCode: r.error_code,
    error: r.error,
    attempts: r.attempts,
    parkedAt: r.parked_at.toISOString(),
  }));
}

/** Parked events per projection (projections with none are absent). */
export async function countParkedEvents(db: pg.Pool | pg.ClientBase): Promise<Map<string, number>> {
  const { rows } = await db.query<{ projection: string; n: number }>(
    'SELECT projection, count(*)::int AS n FROM projection_parked_events GROUP BY projection',
  );
  return new Map(rows.map((r) => [r.projection, r.n]));
}
