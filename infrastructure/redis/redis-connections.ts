import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { redisNames, type RedisNames } from './redis-names.js';

export interface RedisConnections {
  names: RedisNames;
  /** Publishes (the Socket.io adapter, the feed fan-out). */
  pub: Redis;
  /** Subscribes (the same two). */
  sub: Redis;
  /** Presence. */
  client: Redis;
  /** Rate limits: fails fast instead of queueing while Redis is away (the limiter then lets requests through). */
  limiter: Redis;
  close(): void;
}

export function connectRedis(url: string, prefix: string, logger: Logger): RedisConnections {
  const names = redisNames(prefix);
  const pub = new Redis(url, { maxRetriesPerRequest: null, enableAutoPipelining: true });
  const sub = pub.duplicate();
  const client = pub.duplicate();
  const limiter = pub.duplicate({ enableOfflineQueue: false, maxRetriesPerRequest: 0, keyPrefix: names.rateLimitKeyPrefix });
  const all = { pub, sub, client, limiter };
  for (const [name, c] of Object.entries(all)) {
    c.on('error', (err) => logger.warn({ err: err.message, redis: name }, 'redis connection problem'));
  }
  return { names, ...all, close: () => Object.values(all).forEach((c) => c.disconnect()) };
}
