import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { EventStore } from '../../../application/ports/event-store.js';
import { derbelUpcasters } from '../../../application/upcasting/derbel-upcasters.js';
import { withUpcasting, type UpcastingEventStore } from '../../../application/upcasting/upcasting-event-store.js';
import { ConfigError, loadConfig, type Config } from '../../config/config.js';
import { EMBEDDED_DATABASE_NAME, startEmbeddedPostgres } from '../../database/embedded-postgres.js';
import { migrate } from '../../database/migrate.js';
import { createPool } from '../../database/pool.js';
import { PostgresEventStore } from '../../event-store/postgres-event-store.js';
import { CliError } from './cli-io.js';

/** What the commands work on: the same databases, event store and upcasters the server uses. */
export interface CliDatabase {
  config: Config;
  databaseUrl: string;
  pool: pg.Pool;
  /** Reads in the current event shapes. `store.raw` reads what is stored (for exports). */
  store: UpcastingEventStore;
  /** True when the log is the PostgreSQL `events` table (false with EVENTSTORE_URL). */
  logInPostgres: boolean;
  close(): Promise<void>;
}

export async function openCliDatabase(env: NodeJS.ProcessEnv): Promise<CliDatabase> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, 2);
    throw error;
  }
  let stopEmbedded: (() => Promise<void>) | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    databaseUrl = (await runningEmbeddedUrl(config.dataDir)) ?? undefined;
    if (!databaseUrl) {
      const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir });
      databaseUrl = embedded.databaseUrl;
      stopEmbedded = () => embedded.stop();
    }
  }
  await migrate(databaseUrl);
  const pool = createPool(databaseUrl, 6);
  let raw: EventStore;
  if (config.eventStoreUrl) {
    const { KurrentDbEventStore } = await import('../../event-store/kurrentdb-event-store.js');
    raw = KurrentDbEventStore.connect(config.eventStoreUrl);
  } else raw = new PostgresEventStore(pool, databaseUrl);
  const store = withUpcasting(raw, derbelUpcasters());
  return {
    config,
    databaseUrl,
    pool,
    store,
    logInPostgres: !config.eventStoreUrl,
    async close() {
      await store.close().catch(() => {});
      await pool.end().catch(() => {});
      await stopEmbedded?.();
    },
  };
}

/**
 * The embedded PostgreSQL of a server that is running on the same data folder: the CLI joins it (so a
 * rebuild runs while that server keeps serving) instead of starting its own.
 */
async function runningEmbeddedUrl(dataDir: string): Promise<string | null> {
  try {
    const pid = (await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n');
    const password = (await readFile(path.join(dataDir, 'postgres-password'), 'utf8')).trim();
    process.kill(Number(pid[0]), 0);
    const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${Number(pid[3])}/${EMBEDDED_DATABASE_NAME}`;
    const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    await probe.connect();
    await probe.end();
    return url;
  } catch {
    return null;
  }
}
