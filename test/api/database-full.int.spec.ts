import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.js';
import { createMigratedTestDatabase, type TestDatabase } from '../support/database.js';
import { TEST_ADMIN_DATABASE_URL } from '../support/test-env.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * PostgreSQL that has no connection left to give ("sorry, too many clients already", SQLSTATE 53300: every
 * node of a storm holding its pool, or max_connections set too low for the replicas) is full for now, not
 * broken: a request that needs a new connection is a 503 to retry with Retry-After, never a 500, and nothing
 * is lost once connections are free again. The node connects as a role of its own whose connection limit the
 * test lowers to nothing (the same SQLSTATE as a full server, without taking the machine's connections from
 * anyone else).
 */
describe('a database with no connection left to give', () => {
  const role = `derbel_capped_p${process.pid}_${randomBytes(4).toString('hex')}`;
  let db: TestDatabase;
  let t: TestServer;

  const admin = async <T>(work: (client: pg.Client) => Promise<T>, database?: string) => {
    const url = new URL(TEST_ADMIN_DATABASE_URL);
    if (database) url.pathname = `/${database}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  const limitConnections = (limit: number) =>
    admin(async (client) => {
      await client.query(`ALTER ROLE ${role} CONNECTION LIMIT ${limit}`);
      if (limit === 0) await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
    });

  beforeAll(async () => {
    db = await createMigratedTestDatabase();
    await admin((client) => client.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER`));
    await admin(async (client) => {
      await client.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${role}`);
      for (const kind of ['TABLES', 'SEQUENCES']) await client.query(`GRANT ALL ON ALL ${kind} IN SCHEMA public TO ${role}`);
      await client.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ${role}`);
    }, db.name);
    const url = new URL(db.url);
    url.username = role;
    t = await startTestServer({ db: { ...db, url: url.toString() } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await admin((client) => client.query(`DROP ROLE IF EXISTS ${role}`));
  });

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After while none is free, and takes the same request once one is', async () => {
    const alice = await new ApiClient(t.url).signUp('alice');
    await limitConnections(0);
    let refused;
    try {
      refused = await new ApiClient(t.url).post('/api/accounts', {
        username: 'bob_full',
        displayName: 'Bob',
        password: 'correct horse battery',
      });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('2');
      expect(refused.body).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
    } finally {
      await limitConnections(-1);
    }
    const bob = await new ApiClient(t.url).post('/api/accounts', {
      username: 'bob_full',
      displayName: 'Bob',
      password: 'correct horse battery',
    });
    expect(bob.status).toBe(201);
    expect((await alice.get('/api/me')).status).toBe(200);
  });
});
