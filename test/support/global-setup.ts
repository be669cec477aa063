import pg from 'pg';
import { isAlive } from '../../infrastructure/process/is-alive.js';
import { migratedTemplate } from './migrated-template.js';
import { TEST_ADMIN_DATABASE_URL } from './test-env.js';

/**
 * Drops test databases left behind by interrupted runs: those whose creating process (the pid in the
 * name, see database.ts) is gone. Databases of test runs still going on are left alone. Then makes the
 * migrated template the test files copy their databases from, once, before they start.
 */
export default async function setup() {
  const admin = new pg.Client({ connectionString: TEST_ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ '^derbel_[a-z]+_p[0-9]+_'`);
    for (const { datname } of rows) {
      const pid = Number(/_p(\d+)_/.exec(datname)![1]);
      if (!isAlive(pid)) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => {});
    }
  } finally {
    await admin.end();
  }
  await migratedTemplate();
}
