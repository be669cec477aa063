import type pg from 'pg';
import type { EventStore } from '../../../application/ports/event-store.js';
import { beginBulkAppend } from './bulk-append.js';
import { CliError } from './cli-io.js';
import type { ExportedEvent } from './event-file.js';

const CHUNK = 5_000;

/**
 * Restores an export into the PostgreSQL `events` table in one transaction, keeping every position (the
 * feed read model stores positions, so identical positions give identical read models). Appends wait
 * while it checks the store is empty and writes.
 */
export async function importIntoPostgres(client: pg.ClientBase, events: ExportedEvent[]): Promise<{ first: number; last: number }> {
  await client.query('BEGIN');
  try {
    // The insert lock first (as appends take it), then the table: no append can slip in or deadlock us.
    const append = await beginBulkAppend(client);
    await client.query('LOCK TABLE events IN EXCLUSIVE MODE');
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM events');
    if (Number(rows[0].n) > 0) throw notEmpty(Number(rows[0].n));
    let first = 0;
    let last = 0;
    for (let i = 0; i < events.length; i += CHUNK) {
      const chunk = events.slice(i, i + CHUNK).map((e) => ({
        position: e.position ?? null,
        stream_id: e.streamId,
        revision: e.revision,
        event_id: e.id,
        type: e.type,
        data: e.data ?? null,
        metadata: e.metadata,
      }));
      const { rows: written } = await client.query<{ first: string; last: string }>(
        `WITH written AS (
           INSERT INTO events (position, stream_id, revision, event_id, type, data, metadata)
           SELECT coalesce(position, nextval(pg_get_serial_sequence('events', 'position'))), stream_id, revision, event_id, type, coalesce(data, 'null'::jsonb), metadata
           FROM ROWS FROM (json_to_recordset($1::json) AS (position bigint, stream_id text, revision bigint, event_id uuid, type text, data jsonb, metadata jsonb))
             WITH ORDINALITY AS r(position, stream_id, revision, event_id, type, data, metadata, n)
           ORDER BY n
           RETURNING position)
         SELECT min(position) AS first, max(position) AS last FROM written`,
        [JSON.stringify(chunk)],
      );
      first ||= Number(written[0].first);
      last = Number(written[0].last);
    }
    if (last > 0) await client.query(`SELECT setval(pg_get_serial_sequence('events', 'position'), $1)`, [last]);
    await append.release();
    await client.query('COMMIT');
    return { first, last };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    await client.query('SELECT pg_advisory_unlock_all()').catch(() => {});
    throw error;
  }
}

/** Any other store: append stream by stream in file order (positions are the store's own). */
export async function importThroughPort(store: EventStore, events: ExportedEvent[]): Promise<{ first: number; last: number }> {
  if ((await store.headPosition()) > 0) throw notEmpty(null);
  let first = 0;
  let last = 0;
  for (const e of events) {
    const { position } = await store.appendToStream(e.streamId, [{ id: e.id, type: e.type, data: e.data, metadata: e.metadata }], {
      expectedRevision: e.revision === 0 ? 'no_stream' : e.revision - 1,
    });
    first ||= position;
    last = position;
  }
  return { first, last };
}

const notEmpty = (count: number | null) =>
  new CliError(
    `The event store is not empty${count === null ? '' : ` (${count} events)`}; import only restores into an empty store. Nothing was imported.`,
  );
