import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimit, RateLimits } from '../config/rate-limits.js';
import { RateLimitedError } from './rate-limited-error.js';

export type LimitName = keyof Omit<RateLimits, 'maxSocketsPerUser'>;

/**
 * The per-client limits (fixed windows, rate-limiter-flexible). With Redis they are shared by every node:
 * one round trip per check (an atomic script). While Redis is unreachable each node counts on its own.
 */
export class Limiters {
  private readonly limiters = new Map<LimitName, RateLimiterAbstract>();

  constructor(limits: RateLimits, redis?: Redis) {
    for (const name of Object.keys(limits) as Array<keyof RateLimits>) {
      if (name === 'maxSocketsPerUser') continue;
      this.limiters.set(name, create(name, limits[name], redis));
    }
  }

  /** Spends one of `key`'s points for `name`; throws `RateLimitedError` when none is left. */
  async consume(name: LimitName, key: string): Promise<void> {
    const retryAfterMs = await this.tryConsume(name, key);
    if (retryAfterMs > 0) throw new RateLimitedError(retryAfterMs);
  }

  /** 0 when a point was spent, else how long until the next one. */
  async tryConsume(name: LimitName, key: string): Promise<number> {
    try {
      await this.limiter(name).consume(key);
      return 0;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return Math.max(1, rejection.msBeforeNext);
      throw rejection;
    }
  }

  /** Throws `RateLimitedError` when `key` has no point left, without spending one (e.g. failed sign-ins so far). */
  async assertNotExhausted(name: LimitName, key: string): Promise<void> {
    const limiter = this.limiter(name);
    const state = await limiter.get(key).catch(() => null);
    if (state && state.consumedPoints >= limiter.points) throw new RateLimitedError(Math.max(1, state.msBeforeNext));
  }

  /** Spends a point without refusing anything: counting failures. */
  async penalize(name: LimitName, key: string): Promise<void> {
    await this.limiter(name)
      .penalty(key)
      .catch(() => undefined);
  }

  private limiter(name: LimitName): RateLimiterAbstract {
    return this.limiters.get(name)!;
  }
}

function create(name: string, limit: RateLimit, redis: Redis | undefined): RateLimiterAbstract {
  const options = { keyPrefix: `limit:${name}`, points: limit.points, duration: limit.seconds };
  if (!redis) return new RateLimiterMemory(options);
  return new RateLimiterRedis({
    ...options,
    storeClient: redis,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory(options),
  });
}
