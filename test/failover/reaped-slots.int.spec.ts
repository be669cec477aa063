import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisNames } from '../../infrastructure/redis/redis-names.js';
import { ApiClient, connected, presenceChanges, recordEvents } from '../support/api-client.js';
import { createMigratedTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually, sleep } from '../support/eventually.js';
import { startNodeProcess, type NodeProcess } from '../support/node-process.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { endDeployment } from '../support/deployment-teardown.js';

/** The killed node's sockets at the rate its clients were told to spread their return at: a 3 s window. */
const SOCKETS_ON_KILLED = 3;
const SPREAD_PER_SECOND = 1;
const WINDOW_MS = (SOCKETS_ON_KILLED * 1000) / SPREAD_PER_SECOND;
const GRACE_MS = 500;
/** The survivor takes two handshakes a second: a dozen at once leave it with slots promised ~5.5 s ahead. */
const SURVIVOR_HANDSHAKES_PER_SECOND = 2;
const CROWD = 12;

/**
 * A dead node's users are announced offline once the window their node asked them to spread their return over
 * is out (reaped-grace.int.spec.ts). A survivor busier than that window assumed refuses handshakes with a later
 * slot; while slots are still promised, a user not back yet may hold one, so the offline announcement waits for
 * them (plus the grace) instead of going out at the window's end and being followed by an online one.
 */
describe('failover: a dead node’s users are held while the survivor still has slots promised', () => {
  let db: TestDatabase;
  let survivor: NodeProcess;
  let doomed: NodeProcess;
  const prefix = `reaped-slots-${randomUUID().slice(0, 8)}`;
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
      startNodeProcess({ ...env, NODE_ID: 'slots-1', SOCKET_HANDSHAKES_PER_SECOND: String(SURVIVOR_HANDSHAKES_PER_SECOND) }),
      startNodeProcess({ ...env, NODE_ID: 'slots-2' }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await endDeployment([survivor, doomed], db, { redisPrefix: prefix });
    redis.disconnect();
  });

  it('announces nothing for a user back after the window but before the last slot, and offline one who never comes', async () => {
    const [ann, bob, cid, dan, eve] = await Promise.all(
      ['ann', 'bob', 'cid', 'dan', 'eve'].map((name) => new ApiClient(survivor.url).signUp(name)),
    );
    await ann.addContact(bob);
    await ann.addContact(cid);
    const annSocket = await connected(ann.connect({ url: survivor.url }));
    const annSees = recordEvents(annSocket);
    const onDoomed = await Promise.all([bob, cid, dan].map((user) => connected(user.connect({ url: doomed.url }))));
    expect(onDoomed).toHaveLength(SOCKETS_ON_KILLED);
    for (const socket of onDoomed) socket.io.opts.reconnection = false;
    const changesOf = (user: ApiClient) => presenceChanges(annSees).filter((c) => c.userId === user.user!.id);
    await eventually(() => changesOf(bob).at(-1)?.online === true && changesOf(cid).at(-1)?.online === true, {
      message: 'both announced online',
    });
    annSees.length = 0;

    await doomed.kill();
    const names = redisNames(prefix);
    await eventually(async () => (await redis.zcard(names.presence(cid.user!.id))) === 0, {
      timeoutMs: 20_000,
      intervalMs: 20,
      message: 'the dead node reaped',
    });
    const reapedAt = performance.now();
    // A crowd reaches the survivor at once: it takes one and promises the others slots, one every half second.
    const slots = await Promise.all(Array.from({ length: CROWD }, () => handshakeOutcome(survivor.url, eve.token!)));
    const lastSlotAt = Math.max(...slots.map((s) => s.retryAfterMs ?? 0)) + (performance.now() - reapedAt);
    expect(lastSlotAt).toBeGreaterThan(WINDOW_MS + 1_500);

    // Bob comes back a second after the window, well before the last slot.
    await sleep(WINDOW_MS + 1_000 - (performance.now() - reapedAt));
    const bobBack = await connected(bob.connect({ url: survivor.url }));

    await eventually(() => changesOf(cid).length > 0, { timeoutMs: lastSlotAt + 5_000, message: 'Cid announced offline' });
    expect(changesOf(cid)).toEqual([{ userId: cid.user!.id, online: false }]);
    expect(performance.now() - reapedAt).toBeGreaterThanOrEqual(lastSlotAt - 200);
    await sleep(1_000);
    expect(changesOf(bob)).toEqual([]);

    bobBack.disconnect();
    annSocket.disconnect();
  }, 90_000);
});

/** One handshake with `token`: connected (then closed at once) or refused, with the slot a busy node gave. */
function handshakeOutcome(url: string, token: string): Promise<{ retryAfterMs: number | null }> {
  const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.disconnect();
      resolve({ retryAfterMs: null });
    });
    socket.once('connect_error', (err: Error & { data?: { retryAfterMs?: number } }) => {
      socket.disconnect();
      resolve({ retryAfterMs: err.data?.retryAfterMs ?? null });
    });
  });
}
