import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { preparedSql } from './prepared-sql.js';

/** The real PostgreSQL: which statements the connection holds prepared, and that results are unchanged. */
describe('prepared SQL for a rebuild connection', () => {
  let db: TestDatabase;
  let client: pg.Client;
  const preparedOnConnection = async () =>
    (await client.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements ORDER BY statement')).rows.map(
      (r) => r.statement,
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('CREATE TABLE items (id int PRIMARY KEY, note text)');
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  it('prepares a parameterized statement once and runs it again by name, with the same results; the rest as they are', async () => {
    const sql = await preparedSql(client, 2);
    const insert = 'INSERT INTO items (id, note) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET note = EXCLUDED.note RETURNING note';
    expect((await sql.query(insert, [1, 'one'])).rows).toEqual([{ note: 'one' }]);
    expect((await sql.query(insert, [1, 'uno'])).rows).toEqual([{ note: 'uno' }]);
    expect((await sql.query('SELECT count(*)::int AS n FROM items')).rows).toEqual([{ n: 1 }]);
    expect(await preparedOnConnection()).toEqual([insert]);

    // Past the limit (2 names here), a new text runs unnamed.
    const select = 'SELECT note FROM items WHERE id = $1';
    const remove = 'DELETE FROM items WHERE id = $1';
    expect((await sql.query(select, [1])).rows).toEqual([{ note: 'uno' }]);
    expect((await sql.query(remove, [1])).rowCount).toBe(1);
    expect(await preparedOnConnection()).toEqual([insert, select].sort());
  });

  it('keeps working after a statement fails inside a transaction that is rolled back', async () => {
    const sql = await preparedSql(client);
    const insert = 'INSERT INTO items (id, note) VALUES ($1, $2)';
    await client.query('BEGIN');
    await sql.query(insert, [2, 'two']);
    await expect(sql.query(insert, [2, 'again'])).rejects.toMatchObject({ code: '23505' });
    await client.query('ROLLBACK');
    await sql.query(insert, [3, 'three']);
    expect((await sql.query('SELECT id FROM items WHERE id >= $1 ORDER BY id', [2])).rows).toEqual([{ id: 3 }]);
  });

  it('plans each execution for its table as it is now, not as it was when the statement was prepared', async () => {
    // A rebuild fills fresh tables while it reads them: a plan made for the empty table (a sequential scan)
    // and kept would read the whole table for every event (quadratic; seen at 350,000 contacts).
    const sql = await preparedSql(client);
    await client.query('BEGIN');
    await client.query('CREATE TABLE periods (contact int, member int, PRIMARY KEY (contact, member))');
    const lookup = 'SELECT 1 FROM periods WHERE contact = $1 LIMIT 1';
    for (let i = 0; i < 10; i++) await sql.query(lookup, [i]);
    await client.query('INSERT INTO periods SELECT c, m FROM generate_series(1, 50000) c, generate_series(1, 2) m');
    await sql.query(lookup, [1]);
    const [{ name }] = (await client.query('SELECT name FROM pg_prepared_statements WHERE statement = $1', [lookup])).rows;
    const plan = (await client.query(`EXPLAIN EXECUTE ${name}(42)`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    await client.query('ROLLBACK');
    expect(plan).not.toContain('Seq Scan');
    expect(plan).toContain('Index');
  });
});
