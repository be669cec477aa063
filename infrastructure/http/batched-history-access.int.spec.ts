import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyAccess } from '../../projections/messages/history-access.queries.js';
import { createMigratedTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { readHistoryAccess } from './batched-history-access.js';

/**
 * Issue 21: the history pages asked for in one turn of the event loop share one statement for who may read them
 * and at which version; each is answered exactly as if asked alone.
 */
describe('readHistoryAccess', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  const [member, leaver, rejoiner, stranger] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const [direct, group, unknown] = [randomUUID(), randomUUID(), randomUUID()];

  beforeAll(async () => {
    db = await createMigratedTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    await pool.query('INSERT INTO message_versions (contact_id, changes, position) VALUES ($1, 5, 42), ($2, 9, 77)', [direct, group]);
    const join = `INSERT INTO conversation_members (contact_id, user_id, joined_position, joined_revision, joined_at, left_position, left_revision)
                  VALUES ($1, $2, $3, $4, now(), $5, $6)`;
    await pool.query(join, [direct, member, 1, 0, null, null]);
    await pool.query(join, [group, member, 2, 0, null, null]);
    await pool.query(join, [group, leaver, 2, 0, 10, 3]);
    await pool.query(join, [group, rejoiner, 2, 0, 10, 3]);
    await pool.query(join, [group, rejoiner, 20, 7, null, null]);
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const asks = () => [
    { userId: member, contactId: direct },
    { userId: member, contactId: group },
    { userId: leaver, contactId: group },
    { userId: rejoiner, contactId: group },
    { userId: stranger, contactId: direct },
    { userId: member, contactId: unknown },
    { userId: member, contactId: direct },
  ];

  it('answers the asks of one turn with one statement, each as historyAccess alone would', async () => {
    const alone = [];
    for (const { userId, contactId } of asks()) alone.push(await historyAccess(pool, userId, contactId));
    expect(alone[0].periods).toEqual([{ after: 0, before: null }]);
    expect(alone[3].periods).toEqual([
      { after: 0, before: 3 },
      { after: 7, before: null },
    ]);
    expect([alone[2].periods, alone[4].periods, alone[5].periods]).toEqual([null, null, null]);
    expect(alone[5].version).toMatch(/^\d+\.0\.0$/);

    let statements = 0;
    const query = pool.query.bind(pool);
    pool.query = ((...args: Parameters<typeof query>) => (statements++, query(...args))) as typeof query;
    try {
      const together = await Promise.all(asks().map(({ userId, contactId }) => readHistoryAccess(pool, userId, contactId)));
      expect(together).toEqual(alone);
      expect(statements).toBe(1);
    } finally {
      pool.query = query;
    }
  });

  it('asks an id in another spelling alone: a bad one fails only its own ask', async () => {
    const [bad, upper, good] = await Promise.allSettled([
      readHistoryAccess(pool, member, 'not-a-uuid'),
      readHistoryAccess(pool, member, direct.toUpperCase()),
      readHistoryAccess(pool, member, group),
    ]);
    expect(bad.status).toBe('rejected');
    expect(upper).toEqual({ status: 'fulfilled', value: await historyAccess(pool, member, direct) });
    expect(good).toEqual({ status: 'fulfilled', value: await historyAccess(pool, member, group) });
  });
});
