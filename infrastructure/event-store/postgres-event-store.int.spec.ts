import type pg from 'pg';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventStoreContract, newEvent } from '../../test/contract/event-store.contract.js';
import { createPostgresEventStoreFixture, type PostgresEventStoreFixture } from '../../test/support/postgres-event-store-fixture.js';
import type { PostgresEventStore } from './postgres-event-store.js';

eventStoreContract('PostgreSQL', createPostgresEventStoreFixture);

/**
 * Why readAll filters on pg_snapshot_xmin: a writer that takes a position and commits late must not be
 * skipped. A naive reader (`position > last`, no transaction filter) skips it; ours waits for it.
 */
describe('gap safety against a late-committing writer (PostgreSQL)', () => {
  let fixture: PostgresEventStoreFixture;
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    fixture = await createPostgresEventStoreFixture();
    ({ pool, store } = fixture);
  });
  afterAll(() => fixture.teardown());

  const event = () => newEvent('Raw');
  /** An append whose commit is slow (a slow WAL flush, a stalled connection): its transaction stays open. */
  const slowAppend = async (client: pg.PoolClient, stream: string) => {
    await client.query('BEGIN');
    const { rows } = await client.query('SELECT last_position FROM derbel_append_events($1, $2, $3::jsonb)', [stream, 'any', JSON.stringify([event()])]);
    return Number(rows[0].last_position);
  };
  const naiveReadAll = async (after: number) =>
    (await pool.query<{ position: string }>('SELECT position FROM events WHERE position > $1 ORDER BY position', [after])).rows.map(
      (r) => Number(r.position),
    );

  it('a naive reader skips the late commit; readAll never does', async () => {
    const slow = await pool.connect();
    await slow.query('BEGIN');
    const slowPosition = await slowAppend(slow, 'slow');
    const { position: fastPosition } = await store.appendToStream('fast', [event()]);
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

  it('is not held back by long write transactions that are not appends (a projection batch, a bulk load)', async () => {
    const start = await store.headPosition();
    const busy = await pool.connect();
    await busy.query('BEGIN');
    await busy.query('CREATE TEMP TABLE scratch (n int)');
    await busy.query('INSERT INTO projection_checkpoints (name, position) VALUES ($1, 0)', [`busy-${randomUUID()}`]);
    try {
      const { position } = await store.appendToStream(`after-busy-${randomUUID()}`, [event()]);
      expect((await store.readAll({ after: start, limit: 100 })).map((e) => e.position)).toContain(position);
      expect(await store.headPosition()).toBe(position);
    } finally {
      await busy.query('ROLLBACK');
      busy.release();
    }
  });
});
