import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect } from 'vitest';
import { redisNames } from '../../infrastructure/redis/redis-names.js';
import { ApiClient, connected, presenceChanges, recordEvents } from '../support/api-client.js';
import { createMigratedTestDatabase, type TestDatabase } from '../support/database.js';
import { endDeployment } from '../support/deployment-teardown.js';
import { eventually } from '../support/eventually.js';
import { startNodeProcess, type NodeProcess } from '../support/node-process.js';
import { TEST_REDIS_URL } from '../support/test-env.js';

/** Sockets on the node that is killed, and the rate its clients were told to spread their return at. */
export const SOCKETS_ON_KILLED = 3;
export const SPREAD_PER_SECOND = 1;
/** What the killed node told its clients (reconnect-spread.ts): come back within 3 s. */
export const WINDOW_MS = (SOCKETS_ON_KILLED * 1000) / SPREAD_PER_SECOND;
export const GRACE_MS = 500;

/**
 * Two api nodes in one deployment, one of them to be SIGKILLed: Ann (a contact of Bob and Cid) on the survivor,
 * Bob, Cid and Dan on the doomed node, which holds those three sockets only. Registers its own hooks.
 */
export function deadNodeScenario(name: string, { survivorEnv = {} }: { survivorEnv?: Record<string, string> } = {}) {
  let db: TestDatabase;
  const nodes: { survivor?: NodeProcess; doomed?: NodeProcess } = {};
  const prefix = `${name}-${randomUUID().slice(0, 8)}`;
  const redis = new Redis(TEST_REDIS_URL);

  beforeAll(async () => {
    db = await createMigratedTestDatabase();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      PRESENCE_OFFLINE_GRACE_MS: String(GRACE_MS),
      PRESENCE_ONLINE_SETTLE_MS: '200',
      SOCKET_RECONNECT_SPREAD_PER_SECOND: String(SPREAD_PER_SECOND),
    };
    [nodes.survivor, nodes.doomed] = await Promise.all([
      startNodeProcess({ ...env, ...survivorEnv, NODE_ID: `${name}-1` }),
      startNodeProcess({ ...env, NODE_ID: `${name}-2` }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await endDeployment([nodes.survivor, nodes.doomed], db, { redisPrefix: prefix });
    redis.disconnect();
  });

  return {
    get survivor() {
      return nodes.survivor!;
    },

    /** Everyone signed up and connected, Bob's and Cid's coming online pushed to Ann, and her log cleared. */
    async meet() {
      const survivorUrl = nodes.survivor!.url;
      const [ann, bob, cid, dan, eve] = await Promise.all(
        ['ann', 'bob', 'cid', 'dan', 'eve'].map((user) => new ApiClient(survivorUrl).signUp(user)),
      );
      await ann.addContact(bob);
      await ann.addContact(cid);
      const annSocket = await connected(ann.connect({ url: survivorUrl }));
      const annSees = recordEvents(annSocket);
      // They come back on the test's terms.
      const onDoomed = await Promise.all([bob, cid, dan].map((user) => connected(user.connect({ url: nodes.doomed!.url }))));
      expect(onDoomed).toHaveLength(SOCKETS_ON_KILLED);
      for (const socket of onDoomed) socket.io.opts.reconnection = false;
      const changesOf = (user: ApiClient) => presenceChanges(annSees).filter((c) => c.userId === user.user!.id);
      await eventually(() => changesOf(bob).at(-1)?.online === true && changesOf(cid).at(-1)?.online === true, {
        message: 'both announced online',
      });
      annSees.length = 0;
      return { ann, bob, cid, eve, annSocket, changesOf };
    },

    /** SIGKILLs the doomed node and resolves when the survivor has reaped it (~10-12 s), with that moment. */
    async killAndAwaitReap(cid: ApiClient) {
      await nodes.doomed!.kill();
      const names = redisNames(prefix);
      await eventually(async () => (await redis.zcard(names.presence(cid.user!.id))) === 0, {
        timeoutMs: 20_000,
        intervalMs: 20,
        message: 'the dead node reaped',
      });
      return performance.now();
    },
  };
}
