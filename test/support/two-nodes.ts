import { afterAll, beforeAll } from 'vitest';
import { createMigratedTestDatabase, type TestDatabase } from './database.js';
import { startNodeProcess, type NodeProcess } from './node-process.js';
import { TEST_REDIS_URL } from './test-env.js';
import { endDeployment } from './deployment-teardown.js';

/** Two api processes on a fresh database and the test Redis, for the calling file (started before its tests). */
export function useTwoNodes(): { readonly nodes: NodeProcess[]; readonly db: TestDatabase } {
  let db: TestDatabase;
  let nodes: NodeProcess[] = [];
  beforeAll(async () => {
    db = await createMigratedTestDatabase();
    const env = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL };
    nodes = await Promise.all([startNodeProcess({ ...env, NODE_ID: 'node-1' }), startNodeProcess({ ...env, NODE_ID: 'node-2' })]);
  }, 60_000);
  afterAll(async () => {
    await endDeployment(nodes, db);
  });
  return {
    get nodes() {
      return nodes;
    },
    get db() {
      return db;
    },
  };
}
