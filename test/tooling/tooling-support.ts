import pg from 'pg';
import { derbelUpcasters } from '../../application/upcasting/derbel-upcasters.js';
import { withUpcasting, type UpcastingEventStore } from '../../application/upcasting/upcasting-event-store.js';
import { createPool } from '../../infrastructure/database/pool.js';
import { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import type { Projection } from '../../projections/projection.js';
import { createMigratedTestDatabase, type TestDatabase } from '../support/database.js';

export interface ToolingDatabase {
  db: TestDatabase;
  pool: pg.Pool;
  store: UpcastingEventStore;
  close(): Promise<void>;
}

/** A fresh, migrated database with the event store as the server wires it (upcasting on read). */
export async function toolingDatabase(): Promise<ToolingDatabase> {
  const db = await createMigratedTestDatabase();
  const pool = createPool(db.url, 5);
  const store = withUpcasting(new PostgresEventStore(pool, db.url), derbelUpcasters());
  return {
    db,
    pool,
    store,
    async close() {
      await store.close();
      await pool.end();
      await db.drop();
    },
  };
}

/** Every row of the projections' live tables as text, sorted: equal dumps mean identical read models. */
export async function dumpTables(
  sql: pg.Pool | pg.ClientBase,
  projections: Projection<any>[],
  schema = 'public',
): Promise<Record<string, string[]>> {
  const dump: Record<string, string[]> = {};
  for (const projection of projections) {
    for (const table of projection.tables) {
      const { rows } = await sql.query<{ row: string }>(`SELECT t::text AS row FROM ${schema}.${table} t ORDER BY 1`);
      dump[table] = rows.map((r) => r.row);
    }
  }
  return dump;
}

export async function checkpoints(sql: pg.Pool): Promise<Record<string, number>> {
  const { rows } = await sql.query<{ name: string; position: string }>('SELECT name, position FROM projection_checkpoints ORDER BY name');
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.position)]));
}

/** Runs `derbel …` in this process against `databaseUrl`, collecting what it prints. */
export async function derbel(
  databaseUrl: string,
  argv: string[],
  options: { signal?: AbortSignal; onStderr?: (text: string) => void; onStdout?: (text: string) => void } = {},
) {
  const { runCli } = await import('../../infrastructure/cli/commands/run-cli.js');
  const { PassThrough } = await import('node:stream');
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += chunk;
    options.onStdout?.(out);
  });
  stderr.on('data', (chunk) => {
    err += chunk;
    options.onStderr?.(err);
  });
  const code = await runCli(argv, {
    stdout,
    stderr,
    env: { NODE_ENV: 'test', DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
    signal: options.signal ?? new AbortController().signal,
  });
  return { code, stdout: out, stderr: err };
}
