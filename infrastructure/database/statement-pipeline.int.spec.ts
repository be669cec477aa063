import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { StatementPipeline } from './statement-pipeline.js';

/** The real PostgreSQL: what the statements return, how many round trips they took, and what a failure does. */
describe('statement pipeline', () => {
  let db: TestDatabase;
  let client: pg.Client;
  let roundTrips: number;
  const prepared = new Set<string>();

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(`CREATE TABLE items (id uuid PRIMARY KEY, n bigint NOT NULL, tags text[], doc jsonb, note text)`);
    // Counts what goes over the wire, on the real connection.
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      roundTrips++;
      return query(...args);
    };
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });
  beforeEach(() => {
    roundTrips = 0;
  });

  it('sends what is issued in one turn of the event loop in one round trip, and answers each statement with its own result, typed as bound parameters would be', async () => {
    const sql = new StatementPipeline(client, prepared);
    const [a, b] = [randomUUID(), randomUUID()];
    const doc = { text: "it's a \\ 'quoted' \"doc\"", nested: [1, null, { x: 'ü' }] };
    const [begin, insertA, insertB, many, none, commit] = await Promise.all([
      sql.query('BEGIN'),
      sql.query('INSERT INTO items (id, n, tags, doc, note) VALUES ($1, $2, $3, $4, $5) RETURNING n', [
        a,
        42,
        ['x', 'y,z', 'q"uote'],
        doc,
        null,
      ]),
      // Untyped parameters in a SELECT list take the target columns' types, as bound parameters do.
      sql.query('INSERT INTO items (id, n, note) SELECT $1, $2, $3 RETURNING id::text, n, note', [b, '9007199254740993', "O'Brien"]),
      sql.query<{ id: string }>('SELECT id::text FROM items WHERE id = ANY($1::uuid[]) ORDER BY n', [[a, b]]),
      sql.query('SELECT id FROM items WHERE id = $1', [randomUUID()]),
      sql.query('COMMIT'),
    ]);
    expect(roundTrips).toBe(1);
    expect(begin.command).toBe('BEGIN');
    expect(insertA.rows).toEqual([{ n: '42' }]);
    expect(insertB.rows).toEqual([{ id: b, n: '9007199254740993', note: "O'Brien" }]);
    expect(many.rows.map((r) => r.id)).toEqual([a, b]);
    expect(none.rowCount).toBe(0);
    expect(commit.command).toBe('COMMIT');
    const { rows } = await client.query('SELECT tags, doc, note FROM items WHERE id = $1', [a]);
    expect(rows[0]).toEqual({ tags: ['x', 'y,z', 'q"uote'], doc, note: null });
  });

  it('prepares each statement once per connection and takes one more round trip only for statements issued after an answer', async () => {
    const sql = new StatementPipeline(client, prepared);
    const first = await sql.query<{ n: string }>('SELECT count(*) AS n FROM items WHERE n > $1', [0]);
    const second = await sql.query<{ n: string }>('SELECT count(*) AS n FROM items WHERE n > $1', [100]);
    expect([first.rows[0].n, second.rows[0].n]).toEqual(['2', '1']);
    expect(roundTrips).toBe(2);
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE '%WHERE n > $1%'`);
    expect(rows[0].n).toBe(1);
  });

  it('rejects the failing statement and every later one, refuses new ones, and leaves the transaction to be rolled back', async () => {
    const sql = new StatementPipeline(client, prepared);
    const id = randomUUID();
    const results = await Promise.allSettled([
      sql.query('BEGIN'),
      sql.query('INSERT INTO items (id, n) VALUES ($1, $2)', [id, 1]),
      sql.query('INSERT INTO items (id, n) VALUES ($1, $2)', [id, 2]),
      sql.query('INSERT INTO items (id, n) VALUES ($1, $2)', [randomUUID(), 3]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    expect(((results[2] as PromiseRejectedResult).reason as { code?: string }).code).toBe('23505');
    await expect(sql.query('SELECT 1 WHERE $1', [true])).rejects.toMatchObject({ code: '23505' });
    await client.query('ROLLBACK');
    const { rows } = await client.query('SELECT count(*)::int AS n FROM items WHERE id = $1', [id]);
    expect(rows[0].n).toBe(0);
  });

  it('refuses a text of several statements instead of answering callers with the wrong results', async () => {
    const sql = new StatementPipeline(client, prepared);
    const results = await Promise.allSettled([sql.query('SELECT 1 AS a; SELECT 2 AS b'), sql.query('SELECT $1::int AS c', [3])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toContain('exactly one statement');
  });
});
