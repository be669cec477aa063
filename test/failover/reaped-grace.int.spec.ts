import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisNames } from '../../infrastructure/redis/redis-names.js';
import { ApiClient, connected, presenceChanges, recordEvents } from '../support/api-client.js';
import { createMigratedTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually, sleep } from '../support/eventually.js';
import { startNodeProcess, type NodeProcess } from '../support/node-process.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { endDeployment } from '../support/deployment-teardown.js';

/** Sockets on the node that is killed, and the rate its clients were told to spread their return at. */
const SOCKETS_ON_KILLED = 3;
const SPREAD_PER_SECOND = 1;
/** What the killed node told its clients (reconnect-spread.ts): come back within 3 s. */
const WINDOW_MS = (SOCKETS_ON_KILLED * 1000) / SPREAD_PER_SECOND;
const GRACE_MS = 500;

/**
 * A SIGKILLed node's clients were told to spread their return over a window that grows with its socket count
 * (reconnect-spread.ts). Its users whose last socket it was are announced offline only once that window is
 * over (or the usual grace, if longer): one who comes back within it is announced to nobody, instead of
 * offline then online again (tens of thousands of pushes in a storm).
 */
describe('failover: a dead node’s users are given its reconnect window before they are announced offline', () => {
  let db: TestDatabase;
  let survivor: NodeProcess;
  let doomed: NodeProcess;
  const prefix = `reaped-grace-${randomUUID().slice(0, 8)}`;
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
    [survivor, doomed] = await Promise.all([
      startNodeProcess({ ...env, NODE_ID: 'grace-1' }),
      startNodeProcess({ ...env, NODE_ID: 'grace-2' }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await endDeployment([survivor, doomed], db, { redisPrefix: prefix });
    redis.disconnect();
  });

  it('announces nothing for a user back within the window, and the one who is not back offline after it', async () => {
    const [ann, bob, cid, dan] = await Promise.all(['ann', 'bob', 'cid', 'dan'].map((name) => new ApiClient(survivor.url).signUp(name)));
    await ann.addContact(bob);
    await ann.addContact(cid);
    const annSocket = await connected(ann.connect({ url: survivor.url }));
    const annSees = recordEvents(annSocket);
    // Bob, Cid and Dan on the doomed node, which holds these three sockets only; they come back on the test's terms.
    const onDoomed = await Promise.all([bob, cid, dan].map((user) => connected(user.connect({ url: doomed.url }))));
    expect(onDoomed).toHaveLength(SOCKETS_ON_KILLED);
    for (const socket of onDoomed) socket.io.opts.reconnection = false;
    const peerOnline = async (user: ApiClient) =>
      (await ann.get('/api/contacts')).body.contacts.find((c: any) => c.peer.id === user.user!.id)?.peerOnline;
    await eventually(async () => (await peerOnline(bob)) === true && (await peerOnline(cid)) === true, {
      timeoutMs: 5_000,
      message: 'both online',
    });
    const changesOf = (user: ApiClient) => presenceChanges(annSees).filter((c) => c.userId === user.user!.id);
    // Their coming online pushed to Ann (after its settle) before the log is cleared.
    await eventually(() => changesOf(bob).at(-1)?.online === true && changesOf(cid).at(-1)?.online === true, {
      message: 'both announced online',
    });
    annSees.length = 0;

    await doomed.kill();
    // The survivor reaps the dead node once its heartbeat expires (~10-12 s): Cid's entry leaves his set.
    const names = redisNames(prefix);
    await eventually(async () => (await redis.zcard(names.presence(cid.user!.id))) === 0, {
      timeoutMs: 20_000,
      intervalMs: 20,
      message: 'the dead node reaped',
    });
    const reapedAt = performance.now();
    // Bob comes back a second later: past the usual grace, well within the window.
    await sleep(1_000);
    const bobBack = await connected(bob.connect({ url: survivor.url }));

    await eventually(() => changesOf(cid).length > 0, { timeoutMs: WINDOW_MS + 5_000, message: 'Cid announced offline' });
    const cidOfflineAfterMs = performance.now() - reapedAt;
    expect(changesOf(cid)).toEqual([{ userId: cid.user!.id, online: false }]);
    expect(cidOfflineAfterMs).toBeGreaterThanOrEqual(WINDOW_MS - 100);
    // Long enough for anything about Bob (his return's settle, a mark left from the reap) to have been pushed.
    await sleep(1_500);
    expect(changesOf(bob)).toEqual([]);
    expect(await peerOnline(bob)).toBe(true);
    expect(await peerOnline(cid)).toBe(false);

    bobBack.disconnect();
    annSocket.disconnect();
  }, 90_000);
});
