import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedAfter } from '../../projections/feed/feed.queries.js';
import { createMigratedTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { readFeedAfter } from './batched-feed.js';

/**
 * Issue 21: after a node dies, its clients' catch-ups (`GET /api/events?after=`) reach the survivor by the
 * hundred a second; those of one turn of the event loop share one statement, each answered as if alone.
 */
describe('readFeedAfter', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  const [busy, quiet, empty] = [randomUUID(), randomUUID(), randomUUID()];

  beforeAll(async () => {
    db = await createMigratedTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const insert =
      'INSERT INTO feed (user_id, position, type, data) SELECT $1, p, $2, jsonb_build_object($3::text, p) FROM unnest($4::bigint[]) AS p';
    await pool.query(insert, [busy, 'MessageSent', 'n', Array.from({ length: 30 }, (_, i) => 10 + i * 3)]);
    await pool.query(insert, [quiet, 'ContactAccepted', 'n', [11, 50]]);
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const asks = () => [
    { userId: busy, after: 0, limit: 10 },
    { userId: quiet, after: 0, limit: 200 },
    { userId: busy, after: 60, limit: 5 },
    { userId: empty, after: 0, limit: 200 },
    { userId: quiet, after: 11, limit: 1 },
    { userId: busy, after: 97, limit: 200 },
    { userId: busy, after: 94, limit: 1 },
  ];

  it('answers the catch-ups of one turn with one statement, each as feedAfter alone would', async () => {
    const alone = [];
    for (const { userId, after, limit } of asks()) alone.push(await feedAfter(pool, userId, after, limit));
    expect(alone[0].events.map((e) => e.position)).toEqual([10, 13, 16, 19, 22, 25, 28, 31, 34, 37]);
    expect(alone[0].hasMore).toBe(true);
    expect(alone[1]).toEqual({
      events: [
        { type: 'ContactAccepted', position: 11, data: { n: 11 } },
        { type: 'ContactAccepted', position: 50, data: { n: 50 } },
      ],
      hasMore: false,
    });
    expect(alone[3]).toEqual({ events: [], hasMore: false });
    expect(alone[4]).toEqual({ events: [{ type: 'ContactAccepted', position: 50, data: { n: 50 } }], hasMore: false });
    expect(alone[5]).toEqual({ events: [], hasMore: false });
    expect(alone[6].events.map((e) => e.position)).toEqual([97]);

    let statements = 0;
    const query = pool.query.bind(pool);
    pool.query = ((...args: Parameters<typeof query>) => (statements++, query(...args))) as typeof query;
    try {
      const together = await Promise.all(asks().map(({ userId, after, limit }) => readFeedAfter(pool, userId, after, limit)));
      expect(together).toEqual(alone);
      expect(statements).toBe(1);
    } finally {
      pool.query = query;
    }
  });

  it('asks an id in another spelling alone: a bad one fails only its own catch-up', async () => {
    const [bad, upper, good] = await Promise.allSettled([
      readFeedAfter(pool, 'not-a-uuid', 0, 10),
      readFeedAfter(pool, quiet.toUpperCase(), 0, 10),
      readFeedAfter(pool, busy, 90, 10),
    ]);
    expect(bad.status).toBe('rejected');
    expect(upper).toEqual({ status: 'fulfilled', value: await feedAfter(pool, quiet, 0, 10) });
    expect(good).toEqual({ status: 'fulfilled', value: await feedAfter(pool, busy, 90, 10) });
  });
});
