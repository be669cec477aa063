import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../../test/support/test-env.js';
import { createLogger } from '../logger.js';
import { NODE_REDIS_OPTIONS } from '../redis/redis-connections.js';
import { redisNames, type RedisNames } from '../redis/redis-names.js';
import { RedisPresence } from './redis-presence.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A socket that closes right after it opened: its disconnect must reach Redis after its registration. Found
 * when a user's quick reopen-and-close on one node left their entry behind (a ghost), so a crashed node's reap
 * found them still online and they were never announced offline.
 */
describe('RedisPresence on a node’s connection: a disconnect is written after its connect', () => {
  let redis: Redis;
  let names: RedisNames;
  let presence: RedisPresence;

  beforeEach(() => {
    redis = new Redis(TEST_REDIS_URL, NODE_REDIS_OPTIONS);
    names = redisNames(`presence-order-${randomUUID()}`);
    presence = new RedisPresence(redis, { names, nodeId: 'a', onTransition: () => {}, log: createLogger('silent') });
  });
  afterEach(async () => {
    presence.close();
    const keys = await redis.keys(`${names.prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it.each([0, 1, 2])('leaves no entry when the disconnect comes %i turns after the connect', async (turns) => {
    const registered = presence.connect('u1', 's1');
    for (let i = 0; i < turns; i++) await nextTurn();
    const last = await presence.disconnect('u1', 's1');
    expect(await registered).toBe(1);
    expect(last).toBe(true);
    expect(await redis.zcard(names.presence('u1'))).toBe(0);
    expect(await presence.onlineNow(['u1'])).toEqual(new Set());
  });

  it('does not write back a socket that closed in the turn its refresh was sent', async () => {
    await presence.connect('u1', 's1');
    const refreshing = (presence as unknown as { refresh(): Promise<void> }).refresh();
    const last = await presence.disconnect('u1', 's1');
    await refreshing;
    expect(last).toBe(true);
    expect(await redis.zcard(names.presence('u1'))).toBe(0);
  });
});
