import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.js';
import { TEST_REDIS_URL } from '../../test/support/test-env.js';
import { RedisHealth } from '../redis/redis-health.js';
import { SESSION_SHORT_TRUST_MS, SESSION_TRUST_MS, sessionTrustOver } from './session-trust.js';

/**
 * Sign-outs made on other nodes reach this one over its Redis subscriber connection: when that connection closes
 * (and messages published meanwhile are lost), sessions checked before are trusted a second only.
 */
describe('sessionTrustOver a real Redis', () => {
  let sub: Redis;
  let client: Redis;
  let health: RedisHealth;

  beforeAll(async () => {
    sub = new Redis(TEST_REDIS_URL);
    client = new Redis(TEST_REDIS_URL);
    health = new RedisHealth(client, { intervalMs: 100 });
    await eventually(() => sub.status === 'ready' && health.up);
  });
  afterAll(() => {
    health.close();
    sub.disconnect();
    client.disconnect();
  });

  it('trusts long while the subscriber stays connected, briefly what was checked before it reconnected', async () => {
    const trust = sessionTrustOver({ sub, health });
    const before = trust.epoch;
    expect(trust.trustMs(before)).toBe(SESSION_TRUST_MS);
    sub.disconnect(true);
    await eventually(() => sub.status === 'ready' && trust.epoch >= before + 2);
    expect(trust.trustMs(before)).toBe(SESSION_SHORT_TRUST_MS);
    expect(trust.trustMs(trust.epoch)).toBe(SESSION_TRUST_MS);
  });
});
