import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { REDIS_REQUEST_TIMEOUT_MS } from './bounded.js';
import { RedisHealth } from './redis-health.js';
import { redisNames, type RedisNames } from './redis-names.js';

export interface RedisConnections {
  names: RedisNames;
  /** Publishes (the Socket.io adapter, the feed fan-out). */
  pub: Redis;
  /** Subscribes (the same two). */
  sub: Redis;
  /** Presence. */
  client: Redis;
  /**
   * Rate limits: fails fast instead of queueing while Redis is away, and gives up on a Redis that does not
   * answer (the limiter then lets requests through): sign-in never waits for Redis.
   */
  limiter: Redis;
  /** Whether Redis answers in time (pinged on `client`). */
  health: RedisHealth;
  close(): void;
}

/**
 * How a node's connections are opened (the limiter's adds its own). Auto-pipelining sends a lone command at the
 * next turn of the event loop, together with that turn's others; `multi()` and `pipeline()` are sent at once.
 */
export const NODE_REDIS_OPTIONS = { maxRetriesPerRequest: null, enableAutoPipelining: true } as const;

export function connectRedis(url: string, prefix: string, logger: Logger): RedisConnections {
  const names = redisNames(prefix);
  const pub = new Redis(url, NODE_REDIS_OPTIONS);
  const sub = pub.duplicate();
  const client = pub.duplicate();
  const limiter = pub.duplicate({
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: REDIS_REQUEST_TIMEOUT_MS,
    keyPrefix: names.rateLimitKeyPrefix,
  });
  // The Socket.io adapter publishes and unsubscribes without handling a refusal: one issued as a node closes its
  // connections ("Connection is closed") would be an unhandled rejection. Callers that await still see it.
  handleRefusals(pub, ['publish']);
  handleRefusals(sub, ['unsubscribe', 'punsubscribe']);
  const all = { pub, sub, client, limiter };
  for (const [name, c] of Object.entries(all)) {
    c.on('error', (err) => logger.warn({ err: err.message, redis: name }, 'redis connection problem'));
  }
  // A Redis that hangs keeps the limiter's connection "ready", so each call would wait its full timeout: a
  // new connection is not ready until Redis answers, and refuses calls at once meanwhile (no offline queue).
  const health = new RedisHealth(client, { onDown: () => limiter.disconnect(true) });
  return {
    names,
    ...all,
    health,
    /** Lets commands already sent get their replies (a cut connection would reject them, unhandled), then closes. */
    async close() {
      health.close();
      await Promise.all(
        Object.values(all).map((c) =>
          Promise.race([c.quit().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 500).unref())]).finally(() =>
            c.disconnect(),
          ),
        ),
      );
    },
  };
}

function handleRefusals(redis: Redis, methods: Array<'publish' | 'unsubscribe' | 'punsubscribe'>) {
  for (const method of methods) {
    const original = (redis[method] as (...args: unknown[]) => Promise<unknown>).bind(redis);
    (redis as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      const answer = original(...args);
      answer.catch(() => {});
      return answer;
    };
  }
}
