import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.js';
import { TEST_REDIS_URL } from '../../test/support/test-env.js';
import { createLogger } from '../logger.js';
import { NODE_REDIS_OPTIONS } from '../redis/redis-connections.js';
import { redisNames, type RedisNames } from '../redis/redis-names.js';
import { NodeLiveness, type NodeOffer } from './node-liveness.js';

/** The rate counted for a node whose heartbeat carries no offer (one of an earlier version). */
const FALLBACK = 200;

/**
 * Each node publishes with its heartbeat what it would take should another die, and the window it told its own
 * clients: a node sizes its clients' return to what the others offer, and the node that reaps a dead one waits out
 * the window that one had told its clients.
 */
describe('NodeLiveness: offers published with the heartbeat', () => {
  let redis: Redis;
  let names: RedisNames;
  const nodes: NodeLiveness[] = [];
  const reaped: Array<{ reaper: string; dead: string; lastOffer: NodeOffer | undefined }> = [];

  const node = (instanceId: string, offer?: NodeOffer) => {
    const liveness = new NodeLiveness({
      redis,
      names,
      instanceId,
      offer: offer && (() => offer),
      reap: async (dead, lastOffer) => void reaped.push({ reaper: instanceId, dead, lastOffer }),
      reRegister: async () => {},
      log: createLogger('silent'),
    });
    nodes.push(liveness);
    liveness.start();
    return liveness;
  };

  beforeEach(() => {
    redis = new Redis(TEST_REDIS_URL, NODE_REDIS_OPTIONS);
    names = redisNames(`liveness-offers-${randomUUID()}`);
    reaped.length = 0;
  });
  afterEach(async () => {
    for (const liveness of nodes.splice(0)) liveness.stop();
    const keys = await redis.keys(`${names.prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('sums what the other live nodes offer, counting one without an offer at the fallback rate', async () => {
    const a = node('a', { reconnectsPerSecond: 300, spreadMs: 1_000, utilization: 0.1 });
    node('b', { reconnectsPerSecond: 150, spreadMs: 2_000, utilization: 0.45 });
    node('c');
    expect(await redis.get(names.nodeHeartbeat('b'))).toBe('150/2000/450');
    await eventually(() => a.otherLiveNodes() === 2, { timeoutMs: 6_000, message: 'a saw b and c beat' });
    expect(a.othersReconnectsPerSecond(FALLBACK)).toBe(150 + FALLBACK);
    expect(a.othersBusiestUtilization()).toBe(0.45);
  });

  it('hands the reaper the dead node’s last offer: the window it had told its clients', async () => {
    const a = node('a', { reconnectsPerSecond: 300, spreadMs: 1_000, utilization: 0.1 });
    const b = node('b', { reconnectsPerSecond: 150, spreadMs: 2_000, utilization: 0.2 });
    await eventually(() => a.otherLiveNodes() === 1, { timeoutMs: 6_000, message: 'a saw b beat' });
    // As a crash leaves it: still in the node set, its heartbeat gone.
    b.stop({ leaveForReap: true });
    await eventually(() => reaped.length === 1, { timeoutMs: 6_000, message: 'b reaped' });
    expect(reaped).toEqual([{ reaper: 'a', dead: 'b', lastOffer: { reconnectsPerSecond: 150, spreadMs: 2_000, utilization: 0.2 } }]);
    expect(a.othersReconnectsPerSecond(FALLBACK)).toBe(0);
  });
});
