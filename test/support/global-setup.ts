import pg from 'pg';
import { TEST_ADMIN_DATABASE_URL } from './test-env.js';

/** Drops databases left behind by earlier, interrupted test runs. */
export default async function setup() {
  const admin = new pg.Client({ connectionString: TEST_ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'derbel\\_test\\_%' OR datname LIKE 'derbel\\_e2e\\_%'`,
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => {});
  } finally {
    await admin.end();
  }
}
