import type pg from 'pg';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventStoreContract, newEvent } from '../../test/contract/event-store.contract.js';
import {
  createPostgresEventStoreFixture,
  type PostgresEventStoreFixture,
  usePostgresEventStoreFixture,
} from '../../test/support/postgres-event-store-fixture.js';
import type { PostgresEventStore } from './postgres-event-store.js';

eventStoreContract('PostgreSQL', createPostgresEventStoreFixture);

/**
 * Why readAll filters on pg_snapshot_xmin: a writer that takes a position and commits late must not be
 * skipped. A naive reader (`position > last`, no transaction filter) skips it; ours waits for it.
 */
describe('gap safety against a late-committing writer (PostgreSQL)', () => {
  const fixture = usePostgresEventStoreFixture();

  const event = () => newEvent('Raw');
  /** An append whose commit is slow (a slow WAL flush, a stalled connection): its transaction stays open. */
  const slowAppend = async (client: pg.PoolClient, stream: string) => {
    await client.query('BEGIN');
    const { rows } = await client.query('SELECT last_position FROM derbel_append_events($1, $2, $3::jsonb)', [
      stream,
      'any',
      JSON.stringify([event()]),
    ]);
    return Number(rows[0].last_position);
  };
  const naiveReadAll = async (after: number) =>
    (await fixture.pool.query<{ position: string }>('SELECT position FROM events WHERE position > $1 ORDER BY position', [after])).rows.map(
      (r) => Number(r.position),
    );

  it('a naive reader skips the late commit; readAll never does', async () => {
    const slow = await fixture.pool.connect();
    await slow.query('BEGIN');
    const slowPosition = await slowAppend(slow, 'slow');
    const { position: fastPosition } = await fixture.store.appendToStream('fast', [event()]);
    expect(fastPosition).toBeGreaterThan(slowPosition);

    // While the slow writer is still open, the naive reader already moves its checkpoint past it...
    const naiveCheckpoint = Math.max(...(await naiveReadAll(0)));
    expect(naiveCheckpoint).toBe(fastPosition);
    // ...whereas readAll holds back everything from the slow transaction on.
    expect(await fixture.store.readAll({ after: 0, limit: 100 })).toEqual([]);

    await slow.query('COMMIT');
    slow.release();

    expect(await naiveReadAll(naiveCheckpoint)).toEqual([]); // the slow event is lost for the naive reader
    expect((await fixture.store.readAll({ after: 0, limit: 100 })).map((e) => e.position)).toEqual([slowPosition, fastPosition]);
  });

  it('is not held back by long write transactions that are not appends (a projection batch, a bulk load)', async () => {
    const start = await fixture.store.headPosition();
    const busy = await fixture.pool.connect();
    await busy.query('BEGIN');
    await busy.query('CREATE TEMP TABLE scratch (n int)');
    await busy.query('INSERT INTO projection_checkpoints (name, position) VALUES ($1, 0)', [`busy-${randomUUID()}`]);
    try {
      const { position } = await fixture.store.appendToStream(`after-busy-${randomUUID()}`, [event()]);
      expect((await fixture.store.readAll({ after: start, limit: 100 })).map((e) => e.position)).toContain(position);
      expect(await fixture.store.headPosition()).toBe(position);
    } finally {
      await busy.query('ROLLBACK');
      busy.release();
    }
  });
});

/** Another node's subscriber learns of an append from the append's own NOTIFY, not from its 5 s fallback read. */
describe('waking subscribers on other nodes (PostgreSQL)', () => {
  let fixture: PostgresEventStoreFixture;
  let otherNode: PostgresEventStore;
  let otherPool: pg.Pool;

  beforeAll(async () => {
    fixture = await createPostgresEventStoreFixture();
    const { createPool } = await import('../database/pool.js');
    const { PostgresEventStore } = await import('./postgres-event-store.js');
    otherPool = createPool(fixture.db.url);
    otherNode = new PostgresEventStore(otherPool, fixture.db.url);
  });
  afterAll(async () => {
    await otherNode.close();
    await otherPool.end();
    await fixture.teardown();
  });

  it('delivers an append made through another store within a second, by a single or a batched append and by a direct insert', async () => {
    const subscription = otherNode.subscribeToAll({ after: 0 });
    const iterator = subscription[Symbol.asyncIterator]();
    const next = async () => {
      const started = Date.now();
      const { value } = await iterator.next();
      return { position: value!.position, waitedMs: Date.now() - started };
    };
    try {
      // Let the subscription catch up on nothing and go to sleep on its notice.
      const first = next();
      await new Promise((r) => setTimeout(r, 300));
      const single = await fixture.store.appendToStream(`s-${randomUUID()}`, [newEvent('Raw')]);
      expect(await first).toMatchObject({ position: single.position });
      expect((await first).waitedMs).toBeLessThan(1_300);

      const second = next();
      await new Promise((r) => setTimeout(r, 300));
      const [a, b] = await Promise.all([1, 2].map(() => fixture.store.appendToStream(`s-${randomUUID()}`, [newEvent('Raw')])));
      const got = [await second, await next()];
      expect(got.map((g) => g.position)).toEqual([a.position, b.position].sort((x, y) => x - y));
      expect(got[0].waitedMs).toBeLessThan(1_300);

      // A row written straight into the log (`events import`) wakes subscribers too.
      const third = next();
      await new Promise((r) => setTimeout(r, 300));
      const { rows } = await fixture.pool.query(
        `INSERT INTO events (stream_id, revision, event_id, type, data, metadata)
         VALUES ($1, 0, $2, 'Raw', '{}', '{}') RETURNING position`,
        [`s-${randomUUID()}`, randomUUID()],
      );
      expect(await third).toMatchObject({ position: Number(rows[0].position) });
      expect((await third).waitedMs).toBeLessThan(1_300);
    } finally {
      await subscription.close();
    }
  });
});
