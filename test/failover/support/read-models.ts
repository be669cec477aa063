import pg from 'pg';
import { loadConfig } from '../../../infrastructure/config/config.js';
import { createPool } from '../../../infrastructure/database/pool.js';
import { PostgresEventStore } from '../../../infrastructure/event-store/postgres-event-store.js';
import { createLogger } from '../../../infrastructure/logger.js';
import { createServer } from '../../../infrastructure/server.js';
import { TEST_JWT_SECRET } from '../../support/test-server.js';

export type Dump = Record<string, string[]>;

/** Every row of the given tables as sorted JSON text: two dumps are equal when the read models are. */
export async function dumpTables(databaseUrl: string, tables: readonly string[]): Promise<Dump> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const dump: Dump = {};
    for (const table of tables) {
      const { rows } = await client.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${table} t ORDER BY 1`);
      dump[table] = rows.map((r) => r.row);
    }
    return dump;
  } finally {
    await client.end();
  }
}

/** The highest position in the event log, the lowest projection checkpoint and how many projections have one. */
export async function logAndCheckpoints(databaseUrl: string): Promise<{ head: number; slowest: number; projections: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ head: string; slowest: string; projections: number }>(
      `SELECT (SELECT coalesce(max(position), 0) FROM events) AS head,
              (SELECT coalesce(min(position), 0) FROM projection_checkpoints) AS slowest,
              (SELECT count(*)::int FROM projection_checkpoints) AS projections`,
    );
    return { head: Number(rows[0].head), slowest: Number(rows[0].slowest), projections: rows[0].projections };
  } finally {
    await client.end();
  }
}

/**
 * A full rebuild: the product's own wiring (every projection `createServer` runs) replays the whole log of
 * `sourceUrl` into a fresh database on the same server. Returns that database and the projections' tables.
 */
export async function rebuildFromLog(sourceUrl: string): Promise<{ db: { url: string; drop(): Promise<void> }; tables: string[] }> {
  const db = await createDatabaseBeside(sourceUrl, `derbel_rebuild_${Date.now().toString(36)}`);
  const sourcePool = createPool(sourceUrl, 4);
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', JWT_SECRET: TEST_JWT_SECRET, DATABASE_URL: db.url, PORT: '1' });
  const server = await createServer({ ...config, port: 0, databaseUrl: db.url, jwtSecret: TEST_JWT_SECRET }, createLogger('silent'), {
    createEventStore: async () => new PostgresEventStore(sourcePool, sourceUrl),
  });
  try {
    for (const runner of server.runners) runner.start();
    const head = (await logAndCheckpoints(sourceUrl)).head;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const rebuilt = await logAndCheckpoints(db.url);
      if (rebuilt.projections === server.runners.flatMap((r) => r.projections).length && rebuilt.slowest >= head) break;
      if (Date.now() > deadline) throw new Error('rebuild did not reach the head of the log in 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    return { db, tables: server.runners.flatMap((r) => r.projections.flatMap((p) => [...p.tables])) };
  } finally {
    await server.close();
    await sourcePool.end();
  }
}

async function createDatabaseBeside(url: string, name: string) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const created = new URL(url);
  created.pathname = `/${name}`;
  return {
    url: created.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
