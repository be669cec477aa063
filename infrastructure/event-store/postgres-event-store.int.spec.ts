import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventStoreContract } from '../../test/contract/event-store.contract.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { migrate } from '../database/migrate.js';
import { createPool } from '../database/pool.js';
import { PostgresEventStore } from './postgres-event-store.js';

eventStoreContract('PostgreSQL', async () => {
  const db = await createTestDatabase();
  await migrate(db.url);
  const pool = createPool(db.url);
  const store = new PostgresEventStore(pool, db.url);
  return {
    store,
    async teardown() {
      await store.close();
      await pool.end();
      await db.drop();
    },
  };
});

/**
 * Why readAll filters on pg_snapshot_xmin: a writer that takes a position and commits late must not be
 * skipped. A naive reader (`position > last`, no transaction filter) skips it; ours waits for it.
 */
describe('gap safety against a late-committing writer (PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    await migrate(db.url);
    pool = createPool(db.url);
    store = new PostgresEventStore(pool, db.url);
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
    await db.drop();
  });

  const rawInsert = (client: pg.PoolClient | pg.Pool, stream: string) =>
    client.query(
      `INSERT INTO events (stream_id, revision, event_id, type, data, metadata) VALUES ($1, 0, $2, 'Raw', '{}', '{}') RETURNING position`,
      [stream, randomUUID()],
    );
  const naiveReadAll = async (after: number) =>
    (await pool.query<{ position: string }>('SELECT position FROM events WHERE position > $1 ORDER BY position', [after])).rows.map(
      (r) => Number(r.position),
    );

  it('a naive reader skips the late commit; readAll never does', async () => {
    const slow = await pool.connect();
    await slow.query('BEGIN');
    const slowPosition = Number((await rawInsert(slow, 'slow')).rows[0].position);
    const fastPosition = Number((await rawInsert(pool, 'fast')).rows[0].position);
    expect(fastPosition).toBeGreaterThan(slowPosition);

    // While the slow writer is still open, the naive reader already moves its checkpoint past it...
    const naiveCheckpoint = Math.max(...(await naiveReadAll(0)));
    expect(naiveCheckpoint).toBe(fastPosition);
    // ...whereas readAll holds back everything from the slow transaction on.
    expect(await store.readAll({ after: 0, limit: 100 })).toEqual([]);

    await slow.query('COMMIT');
    slow.release();

    expect(await naiveReadAll(naiveCheckpoint)).toEqual([]); // the slow event is lost for the naive reader
    expect((await store.readAll({ after: 0, limit: 100 })).map((e) => e.position)).toEqual([slowPosition, fastPosition]);
  });
});
