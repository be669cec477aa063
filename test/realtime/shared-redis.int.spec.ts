import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedRedisPrefix } from '../../infrastructure/redis/deployment-prefix.js';
import { redisNames } from '../../infrastructure/redis/redis-names.js';
import { ApiClient, connected, eventually, presenceChanges, recordEvents } from '../support/api-client.js';
import { createMigratedTestDatabase, type TestDatabase } from '../support/database.js';
import { startNodeProcess, type NodeProcess } from '../support/node-process.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { sleep } from '../support/eventually.js';
import { endDeployment } from '../support/deployment-teardown.js';

async function namesOf(db: TestDatabase) {
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  try {
    return redisNames(await derivedRedisPrefix(pool));
  } finally {
    await pool.end();
  }
}

/**
 * Two unrelated deployments (own database, own JWT secret) on one Redis server and DB number, with no
 * REDIS_PREFIX set: each derives its own prefix from its database, and neither sees the other's pushes.
 */
describe('two deployments sharing one Redis', () => {
  let dbA: TestDatabase;
  let dbB: TestDatabase;
  let a: NodeProcess[] = [];
  let b: NodeProcess | undefined;
  const envB = () => ({
    DATABASE_URL: dbB.url,
    REDIS_URL: TEST_REDIS_URL,
    NODE_ID: 'b-1',
    JWT_SECRET: 'deployment-b-secret-that-is-long-enough-42',
  });

  beforeAll(async () => {
    [dbA, dbB] = await Promise.all([createMigratedTestDatabase(), createMigratedTestDatabase()]);
    const envA = { DATABASE_URL: dbA.url, REDIS_URL: TEST_REDIS_URL };
    a = await Promise.all([startNodeProcess({ ...envA, NODE_ID: 'a-1' }), startNodeProcess({ ...envA, NODE_ID: 'a-2' })]);
    b = await startNodeProcess(envB());
  }, 90_000);
  afterAll(async () => {
    await Promise.all([endDeployment(a, dbA), endDeployment([b], dbB)]);
  });

  it("delivers none of one deployment's pushes or resyncs to the other's sockets", async () => {
    const [ann, ben] = await Promise.all([new ApiClient(a[0].url).signUp('ann'), new ApiClient(a[0].url).signUp('ben')]);
    const contactA = await ann.addContact(ben);
    // One after the other, so that when ann hears ben come online (after the settle delay), ann's own
    // announcement, settled earlier, has been sent too: nothing of A's own is still on its way below.
    const annSocket = await connected(ann.connect({ url: a[0].url }));
    const seenByAnn = recordEvents(annSocket);
    const onA = [annSocket, await connected(ben.connect({ url: a[1].url }))];
    const seenOnA = [seenByAnn, recordEvents(onA[1])];
    await eventually(() => presenceChanges(seenByAnn).some((p) => p.userId === ben.user!.id && p.online), { timeoutMs: 10_000 });
    const before = seenOnA.map((events) => events.length);

    // Deployment B restarts twice (each start leads its projections) and is busy meanwhile.
    for (let restart = 0; restart < 2; restart++) {
      await b!.stop();
      b = await startNodeProcess(envB());
    }
    const [cat, dan] = await Promise.all([new ApiClient(b!.url).signUp('cat'), new ApiClient(b!.url).signUp('dan')]);
    const contactB = await cat.addContact(dan);
    const danSocket = await connected(dan.connect());
    const seenOnB = recordEvents(danSocket);
    for (let i = 0; i < 5; i++) expect((await cat.post(`/api/contacts/${contactB}/messages`, { text: `b ${i}` })).status).toBe(201);
    await eventually(() => seenOnB.filter((e) => e.type === 'MessageSent').length === 5, { timeoutMs: 10_000 });
    await sleep(1_000);

    expect(seenOnA.map((events, i) => events.slice(before[i]))).toEqual([[], []]);

    // A's own pushes still cross its two nodes: the count above could have seen them.
    expect((await ann.post(`/api/contacts/${contactA}/messages`, { text: 'a 1' })).status).toBe(201);
    await eventually(() => seenOnA[1].find((e) => e.type === 'MessageSent' && e.data.text === 'a 1'), { timeoutMs: 10_000 });

    // Each deployment's nodes listen on channels of their own, and keep their keys under their prefix.
    const [namesA, namesB] = await Promise.all([namesOf(dbA), namesOf(dbB)]);
    expect(namesA.prefix).not.toBe(namesB.prefix);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      expect(await redis.pubsub('NUMSUB', namesA.feedChannel, namesB.feedChannel)).toEqual([namesA.feedChannel, 2, namesB.feedChannel, 1]);
      expect(await redis.zcard(namesA.presence(ann.user!.id))).toBe(1);
      expect(await redis.zcard(namesB.presence(dan.user!.id))).toBe(1);
    } finally {
      redis.disconnect();
    }
    for (const socket of [...onA, danSocket]) socket.disconnect();
  }, 120_000);
});
