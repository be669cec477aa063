import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { parseRateLimit } from './rate-limits.js';

describe('rate limit configuration', () => {
  it.each([
    ['30/6s', { points: 30, seconds: 6 }],
    ['20/1m', { points: 20, seconds: 60 }],
    ['1/1h', { points: 1, seconds: 3600 }],
  ])('reads %s', (value, limit) => expect(parseRateLimit(value)).toEqual(limit));

  it.each(['30', '30/6', '0/1s', '30/0s', '-1/1s', '1.5/1s', '30 / 6s', '30/6d'])('refuses %j', (value) =>
    expect(parseRateLimit(value)).toBeNull(),
  );

  it('has defaults a person never meets, and each variable overrides its own', () => {
    const limits = loadConfig({ RATE_LIMIT_MESSAGES: '100000/1s', MAX_SOCKETS_PER_USER: '3' }).rateLimits;
    expect(limits.messages).toEqual({ points: 100_000, seconds: 1 });
    expect(limits.maxSocketsPerUser).toBe(3);
    expect(limits.rings).toEqual({ points: 3, seconds: 30 });
    expect(loadConfig({}).rateLimits.messages).toEqual({ points: 30, seconds: 6 });
  });

  it('reports a bad value by name', () => {
    expect(() => loadConfig({ RATE_LIMIT_RINGS: 'lots' })).toThrow(ConfigError);
    expect(() => loadConfig({ RATE_LIMIT_RINGS: 'lots' })).toThrow(/RATE_LIMIT_RINGS must be <count>\/<window> like 30\/6s/);
  });
});
