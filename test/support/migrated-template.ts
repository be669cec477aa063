import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate } from '../../infrastructure/database/migrate.js';
import { filesHash } from './files-hash.js';
import { onceUntilFailure } from './once-until-failure.js';
import { TEST_ADMIN_DATABASE_URL } from './test-env.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../infrastructure/database/migrations/', import.meta.url));
const DUPLICATE_DATABASE = '42P04';

/**
 * The name of a database with every migration applied, which tests copy (`CREATE DATABASE … TEMPLATE`)
 * instead of migrating a database of their own. Made once per set of migrations: the name carries a hash
 * of the migration files, so a branch that adds or edits one gets its own template, and runs of other
 * branches on the same PostgreSQL keep theirs. Nobody may connect to it (a copy needs it unused).
 */
export const migratedTemplate: () => Promise<string> = onceUntilFailure(ensureTemplate);

async function ensureTemplate(): Promise<string> {
  const name = `derbel_template_${await migrationsHash()}`;
  if (await exists(name)) return name;
  // Built under a name of this process (which the global setup drops if the process dies), then renamed:
  // a run that starts alongside never copies a half-migrated template.
  const build = `derbel_templatebuild_p${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${build}`));
  try {
    const url = new URL(TEST_ADMIN_DATABASE_URL);
    url.pathname = `/${build}`;
    await migrate(url.toString());
    await admin(async (client) => {
      await client.query(`ALTER DATABASE ${build} WITH ALLOW_CONNECTIONS false`);
      await client.query(`ALTER DATABASE ${build} RENAME TO ${name}`);
    });
  } catch (error) {
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${build} WITH (FORCE)`));
    // Another run made the same template first.
    if ((error as { code?: string }).code !== DUPLICATE_DATABASE) throw error;
  }
  return name;
}

async function migrationsHash(): Promise<string> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql'));
  return (await filesHash(MIGRATIONS_DIR, files)).digest('hex').slice(0, 16);
}

async function exists(name: string): Promise<boolean> {
  return admin(async (client) => (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_ADMIN_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
