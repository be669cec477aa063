import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../../test/support/test-env.js';
import { createLogger } from '../logger.js';
import { NODE_REDIS_OPTIONS } from '../redis/redis-connections.js';
import { redisNames, type RedisNames } from '../redis/redis-names.js';
import { RedisPresence } from './redis-presence.js';

const SOCKETS = 2_500;
const SLICE = 1_000;
const SPREAD_MS = 600;

/**
 * A command the client sent: its name, its first key, the users' presence keys it names, whether every earlier one
 * had been answered, and how many hash entries its reply carried (HGETALL, HSCAN).
 */
type Sent = { name: string; key: unknown; presenceKeys: number; earlierAnswered: boolean; at: number; entries: number };

function entriesIn(reply: unknown) {
  if (Array.isArray(reply)) return Array.isArray(reply[1]) ? reply[1].length / 2 : 0;
  return reply && typeof reply === 'object' ? Object.keys(reply).length : 0;
}

/** Records every command the client sends (a pipeline's too: ioredis sends each through `sendCommand`). */
function recordCommands(redis: Redis, names: RedisNames) {
  const sent: Sent[] = [];
  let unanswered = 0;
  const userKey = `${names.prefix}:presence:`;
  const original = redis.sendCommand.bind(redis) as (
    command: { name: string; args: unknown[]; promise: Promise<unknown> },
    ...rest: unknown[]
  ) => unknown;
  (redis as unknown as Record<string, unknown>).sendCommand = (
    command: { name: string; args: unknown[]; promise: Promise<unknown> },
    ...rest: unknown[]
  ) => {
    const presenceKeys = command.args.filter((a) => typeof a === 'string' && a.startsWith(userKey)).length;
    const entry: Sent = {
      name: command.name,
      key: command.args[0],
      presenceKeys,
      earlierAnswered: unanswered === 0,
      at: performance.now(),
      entries: 0,
    };
    sent.push(entry);
    unanswered++;
    void command.promise.then(
      (reply) => {
        entry.entries = entriesIn(reply);
        unanswered--;
      },
      () => unanswered--,
    );
    return original(command, ...rest);
  };
  return sent;
}

/** The bulk writes: the commands that named users' presence keys. */
const bulk = (sent: Sent[]) => sent.filter((c) => c.presenceKeys > 0);

/**
 * A CPU profile of a node holding 20,000 sockets showed the refresh (every 20 s) and the reap of a dead node
 * as single long tasks: one pipeline of 60,000 commands built at once, and 10,000 sequential round trips; then
 * slices of 1,000 sockets in a pipeline each still took ~100 ms of a node's CPU. Each slice is now one script
 * (one command) of at most 1,000 sockets, answered before the next is sent.
 */
describe('RedisPresence: refresh and reap in slices', () => {
  let redis: Redis;
  let names: RedisNames;
  let presence: RedisPresence;
  const transitions: Array<{ userIds: string[]; online: boolean; deadInstanceSockets?: number }> = [];

  beforeEach(async () => {
    redis = new Redis(TEST_REDIS_URL, NODE_REDIS_OPTIONS);
    names = redisNames(`presence-slices-${randomUUID()}`);
    transitions.length = 0;
    presence = new RedisPresence(redis, {
      names,
      nodeId: 'a',
      onTransition: (userIds, online, reaped) => transitions.push({ userIds, online, deadInstanceSockets: reaped?.deadInstanceSockets }),
      log: createLogger('silent'),
      refreshSpreadMs: SPREAD_MS,
    });
    // Its timers (heartbeat, refresh) stopped, though not closed (a closed registry refreshes nothing): only
    // the calls below talk to Redis.
    const timers = presence as unknown as { timer: NodeJS.Timeout; liveness: { stop(): void } };
    clearInterval(timers.timer);
    timers.liveness.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
  });
  afterEach(async () => {
    presence.close();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${names.prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  });

  it('refreshes every local socket, at most 1,000 per script, one script at a time', async () => {
    await Promise.all(Array.from({ length: SOCKETS }, (_, i) => presence.connect(`u${i}`, `s${i}`)));
    // Entries about to expire: the refresh must push each one's expiry (and its key's) a TTL ahead again.
    const soon = Date.now() + 5_000;
    const aging = redis.pipeline();
    for (let i = 0; i < SOCKETS; i++) aging.zadd(names.presence(`u${i}`), soon, `s${i}`).pexpire(names.presence(`u${i}`), 5_000);
    await aging.exec();
    const instanceKey = (await redis.keys(`${names.prefix}:node:*:sockets`))[0];
    await redis.hdel(instanceKey, 's0', 's1');
    await redis.pexpire(instanceKey, 5_000);

    const sent = recordCommands(redis, names);
    const before = Date.now();
    await (presence as unknown as { refresh(): Promise<void> }).refresh();

    const slices = bulk(sent);
    expect(slices.map((c) => c.presenceKeys)).toEqual([SLICE, SLICE, SOCKETS - 2 * SLICE]);
    expect(slices.every((c) => c.name === 'evalsha' || c.name === 'eval')).toBe(true);
    expect(sent.every((c) => c.earlierAnswered)).toBe(true);

    const check = redis.pipeline();
    for (let i = 0; i < SOCKETS; i++) check.zscore(names.presence(`u${i}`), `s${i}`).pttl(names.presence(`u${i}`));
    const answers = ((await check.exec()) ?? []).map(([, value]) => Number(value));
    for (let i = 0; i < SOCKETS; i++) {
      expect(answers[2 * i]).toBeGreaterThanOrEqual(before + 60_000);
      expect(answers[2 * i + 1]).toBeGreaterThan(50_000);
    }
    expect(await redis.hlen(instanceKey)).toBe(SOCKETS);
    expect(await redis.hget(instanceKey, 's1')).toBe('u1');
    expect(await redis.pttl(instanceKey)).toBeGreaterThan(50_000);
  });

  it('spreads a refresh pass over its window, and a closed registry ends the pass', async () => {
    await Promise.all(Array.from({ length: SOCKETS }, (_, i) => presence.connect(`u${i}`, `s${i}`)));
    const sent = recordCommands(redis, names);
    const started = performance.now();
    await (presence as unknown as { refresh(): Promise<void> }).refresh();
    // Three slices, the k-th started k thirds of the window in (all at once, they held a node's messages for ~0.5 s).
    const slices = bulk(sent);
    expect(slices).toHaveLength(3);
    expect(slices[1].at - started).toBeGreaterThanOrEqual(SPREAD_MS / 3 - 2);
    expect(slices[2].at - started).toBeGreaterThanOrEqual((2 * SPREAD_MS) / 3 - 2);

    sent.length = 0;
    const refreshing = (presence as unknown as { refresh(): Promise<void> }).refresh();
    await new Promise((resolve) => setTimeout(resolve, SPREAD_MS / 6));
    presence.close();
    await refreshing;
    expect(bulk(sent)).toHaveLength(1);
  });

  it('does not write back a socket that disconnected while an earlier slice was on its way', async () => {
    await Promise.all(Array.from({ length: SOCKETS }, (_, i) => presence.connect(`u${i}`, `s${i}`)));
    const last = SOCKETS - 1;
    const refreshing = (presence as unknown as { refresh(): Promise<void> }).refresh();
    const disconnected = presence.disconnect(`u${last}`, `s${last}`);
    await Promise.all([refreshing, disconnected]);
    expect(await disconnected).toBe(true);
    expect(await redis.zcard(names.presence(`u${last}`))).toBe(0);
  });

  it('reaps a dead instance’s sockets in scripts of at most 1,000, announcing who went offline', async () => {
    const dead = 'dead-node:0000';
    const now = Date.now();
    const seed = redis.pipeline();
    for (let i = 0; i < SOCKETS; i++) {
      seed.zadd(names.presence(`u${i}`), now + 60_000, `d${i}`).hset(names.nodeSockets(dead), `d${i}`, `u${i}`);
      // The first ten users also have a live socket elsewhere: they stay online.
      if (i < 10) seed.zadd(names.presence(`u${i}`), now + 60_000, `alive${i}`);
    }
    await seed.exec();

    const sent = recordCommands(redis, names);
    await (presence as unknown as { reap(id: string): Promise<void> }).reap(dead);

    // One script (atomic: each socket's writes as isolated as in a transaction of its own) per slice.
    expect(bulk(sent).map((c) => c.presenceKeys)).toEqual([SLICE, SLICE, SOCKETS - 2 * SLICE]);
    expect(sent.every((c) => c.earlierAnswered)).toBe(true);
    // Read a slice at a time too: one reply of a 10,000-socket node's whole list held the survivor ~20–40 ms in a storm.
    const reads = sent.filter((c) => c.key === names.nodeSockets(dead) && c.entries > 0);
    expect(reads.reduce((sum, c) => sum + c.entries, 0)).toBeGreaterThanOrEqual(SOCKETS);
    expect(Math.max(...reads.map((c) => c.entries))).toBeLessThanOrEqual(1.5 * SLICE);

    expect(await redis.exists(names.nodeSockets(dead))).toBe(0);
    const check = redis.pipeline();
    for (let i = 0; i < SOCKETS; i++) check.zscore(names.presence(`u${i}`), `d${i}`);
    expect(((await check.exec()) ?? []).filter(([, score]) => score !== null)).toEqual([]);

    const offline = transitions.flatMap((t) => (t.online ? [] : t.userIds));
    expect(offline.sort()).toEqual(Array.from({ length: SOCKETS - 10 }, (_, i) => `u${i + 10}`).sort());
    // The announcer is told how many sockets the dead instance held (its clients spread their return over a window that grows with it).
    expect(transitions.every((t) => t.deadInstanceSockets === SOCKETS)).toBe(true);
  });

  it('re-registers its sockets after it was reaped, at most 1,000 per script, announcing the users back', async () => {
    await Promise.all(Array.from({ length: SOCKETS }, (_, i) => presence.connect(`u${i}`, `s${i}`)));
    // Another node took this one for dead and reaped it: its entries are gone. The first ten users have a
    // live socket elsewhere, so they were never offline and are not announced back.
    const instanceKey = (await redis.keys(`${names.prefix}:node:*:sockets`))[0];
    const wipe = redis.pipeline().del(instanceKey);
    for (let i = 0; i < SOCKETS; i++) wipe.del(names.presence(`u${i}`));
    for (let i = 0; i < 10; i++) wipe.zadd(names.presence(`u${i}`), Date.now() + 60_000, `elsewhere${i}`);
    await wipe.exec();

    const sent = recordCommands(redis, names);
    await (presence as unknown as { reRegister(): Promise<void> }).reRegister();

    expect(bulk(sent).map((c) => c.presenceKeys)).toEqual([SLICE, SLICE, SOCKETS - 2 * SLICE]);
    expect(sent.every((c) => c.earlierAnswered)).toBe(true);
    const check = redis.pipeline();
    for (let i = 0; i < SOCKETS; i++) check.zscore(names.presence(`u${i}`), `s${i}`);
    expect(((await check.exec()) ?? []).filter(([, score]) => score === null)).toEqual([]);
    expect(await redis.hlen(instanceKey)).toBe(SOCKETS);
    const back = transitions.flatMap((t) => (t.online ? t.userIds : []));
    expect(back.sort()).toEqual(Array.from({ length: SOCKETS - 10 }, (_, i) => `u${i + 10}`).sort());
  });
});
