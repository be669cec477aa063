import { Redis } from 'ioredis';
import pg from 'pg';
import { derivedRedisPrefix } from '../../infrastructure/redis/deployment-prefix.js';
import type { TestDatabase } from './database.js';
import { TEST_REDIS_URL } from './test-env.js';

/**
 * The end of a file that ran api node processes. They are killed, not drained: a SIGTERM's drain lets the
 * presence of those who left just before go out first (the offline grace, 3 s a node), which the drain specs
 * test on purpose and a teardown need not wait for. What the nodes kept in the shared Redis under their
 * deployment's prefix (the one derived from the database, or `redisPrefix`) goes with the database.
 */
export async function endDeployment(
  nodes: Iterable<{ kill(): Promise<unknown> } | undefined>,
  db: TestDatabase | undefined,
  { redisPrefix }: { redisPrefix?: string } = {},
) {
  await Promise.all([...nodes].map((node) => node?.kill()));
  if (!db) return;
  const prefix = redisPrefix ?? (await prefixOf(db));
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) await redis.unlink(...keys);
    }
  } finally {
    redis.disconnect();
  }
  await db.drop();
}

async function prefixOf(db: TestDatabase) {
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  try {
    return await derivedRedisPrefix(pool);
  } finally {
    await pool.end();
  }
}
