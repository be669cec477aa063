import type pg from 'pg';
import { ADVISORY_LOCKS } from '../../database/advisory-locks.js';

/**
 * Makes the current transaction a bulk append in the event store's protocol (migrations/001_event_store.sql): under the
 * insert lock, it marks itself as an append in flight, so readers hold back at it until it commits and
 * never skip one of its rows. Call right after BEGIN, before the first insert; `release` the insert lock
 * before COMMIT. Other appends wait while the lock is held: a bulk append is one big append.
 */
export async function beginBulkAppend(client: pg.ClientBase): Promise<{ release(): Promise<void> }> {
  await client.query('SELECT pg_advisory_lock($1, $2)', [...ADVISORY_LOCKS.appendPositions]);
  await client.query('SELECT pg_advisory_xact_lock_shared(pg_current_xact_id()::text::bigint)');
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await client.query('SELECT pg_advisory_unlock($1, $2)', [...ADVISORY_LOCKS.appendPositions]);
    },
  };
}
