import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../../test/support/test-env.js';
import { connectRedis } from './redis-connections.js';
import { pino } from 'pino';

/**
 * CI saw an unhandled "Connection is closed" as a node closed: the Socket.io adapter publishes (answers to other
 * nodes' requests, broadcasts) and unsubscribes without handling a refusal. Those calls are refused quietly now;
 * a caller that awaits still sees the refusal.
 */
describe('connectRedis', () => {
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => unhandled.push(reason);
  afterEach(() => {
    process.off('unhandledRejection', record);
  });

  it('leaves no unhandled rejection when a publish or an unsubscribe meets a closed connection', async () => {
    process.on('unhandledRejection', record);
    const redis = connectRedis(TEST_REDIS_URL, `close-${randomUUID().slice(0, 8)}`, pino({ level: 'silent' }));
    await redis.pub.ping();
    await redis.sub.subscribe('x');
    await redis.close();
    void redis.pub.publish('x', 'late');
    void redis.sub.unsubscribe('x');
    void redis.sub.punsubscribe('x*');
    await expect(redis.pub.publish('x', 'awaited')).rejects.toThrow(/Connection is closed/);
    await new Promise((r) => setTimeout(r, 50));
    expect(unhandled).toEqual([]);
  });
});
