import type pg from 'pg';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import { batchedPerPool } from '../database/batched-query.js';
import { queryPrepared } from '../database/prepared-statements.js';
import { toRecorded, type EventRow } from './event-row.js';

export interface StreamAsk {
  stream: string;
  from: number;
  /** Null: the whole rest of the stream. */
  limit: number | null;
}

const COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata';

async function readOne(pool: pg.Pool, { stream, from, limit }: StreamAsk): Promise<RecordedEvent[]> {
  const { rows } = await queryPrepared<EventRow>(
    pool,
    `SELECT ${COLUMNS} FROM events WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3`,
    [stream, from, limit],
  );
  return rows.map(toRecorded);
}

/** Each ask's own index range scan (the same as alone), numbered so every row goes back to its ask. */
async function readMany(pool: pg.Pool, asks: StreamAsk[]): Promise<RecordedEvent[][]> {
  const { rows } = await queryPrepared<EventRow & { i: string }>(
    pool,
    `SELECT ask.i, e.position, e.stream_id, e.revision, e.event_id, e.type, e.data, e.metadata
       FROM unnest($1::text[], $2::bigint[], $3::bigint[]) WITH ORDINALITY AS ask(stream_id, from_revision, max_rows, i)
       CROSS JOIN LATERAL (
         SELECT ${COLUMNS} FROM events
          WHERE events.stream_id = ask.stream_id AND events.revision >= ask.from_revision
          ORDER BY events.revision LIMIT ask.max_rows
       ) e
      ORDER BY ask.i, e.revision`,
    [asks.map((a) => a.stream), asks.map((a) => a.from), asks.map((a) => a.limit)],
  );
  const answers: RecordedEvent[][] = asks.map(() => []);
  for (const row of rows) answers[Number(row.i) - 1].push(toRecorded(row));
  return answers;
}

/**
 * A stream read, those asked in one turn of the event loop sharing one statement: the first messages of many
 * pairs each find their streams out of the command handler's cache and read them, a round trip (a write and a
 * wake-up of PostgreSQL) apiece otherwise.
 */
export const readStreamBatched = batchedPerPool(readOne, readMany);
