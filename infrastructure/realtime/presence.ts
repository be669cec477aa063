import type { Redis } from 'ioredis';
import { bounded } from '../redis/bounded.js';

/** Which users have at least one live socket, across all nodes. */
export interface PresenceRegistry {
  /** Returns true when this is the user's first live socket. */
  connect(userId: string, socketId: string): Promise<boolean>;
  /** Returns true when that was the user's last live socket. */
  disconnect(userId: string, socketId: string): Promise<boolean>;
  onlineAmong(userIds: string[]): Promise<Set<string>>;
  close(): void;
}

/** One node, no Redis: presence is simply this process's sockets. */
export class MemoryPresence implements PresenceRegistry {
  private readonly sockets = new Map<string, Set<string>>();

  async connect(userId: string, socketId: string) {
    const set = this.sockets.get(userId) ?? new Set();
    this.sockets.set(userId, set);
    set.add(socketId);
    return set.size === 1;
  }
  async disconnect(userId: string, socketId: string) {
    const set = this.sockets.get(userId);
    if (!set?.delete(socketId)) return false;
    if (set.size === 0) this.sockets.delete(userId);
    return set.size === 0;
  }
  async onlineAmong(userIds: string[]) {
    return new Set(userIds.filter((id) => this.sockets.has(id)));
  }
  close() {}
}

const TTL_MS = 60_000;

/**
 * Several nodes: each user's live sockets are a Redis sorted set scored by expiry. Every node refreshes
 * its own sockets' entries periodically, so the sockets of a node that died expire within a minute.
 */
export class RedisPresence implements PresenceRegistry {
  private readonly local = new Map<string, string>(); // socketId → userId
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly key: (userId: string) => string,
    private readonly onFallback: (call: string) => void = () => {},
  ) {
    this.timer = setInterval(() => void this.refresh().catch(() => {}), TTL_MS / 3);
    this.timer.unref();
  }

  async connect(userId: string, socketId: string) {
    this.local.set(socketId, userId);
    const now = Date.now();
    const [, , [, count]] = (await this.redis
      .multi()
      .zremrangebyscore(this.key(userId), '-inf', now)
      .zadd(this.key(userId), now + TTL_MS, socketId)
      .zcard(this.key(userId))
      .pexpire(this.key(userId), TTL_MS)
      .exec()) as [unknown, unknown, [unknown, number], unknown];
    return count === 1;
  }

  async disconnect(userId: string, socketId: string) {
    this.local.delete(socketId);
    const [[, removed], , [, count]] = (await this.redis
      .multi()
      .zrem(this.key(userId), socketId)
      .zremrangebyscore(this.key(userId), '-inf', Date.now())
      .zcard(this.key(userId))
      .exec()) as [[unknown, number], unknown, [unknown, number]];
    return removed === 1 && count === 0;
  }

  async onlineAmong(userIds: string[]) {
    if (userIds.length === 0) return new Set<string>();
    const now = Date.now();
    const pipeline = this.redis.pipeline();
    for (const id of userIds) pipeline.zcount(this.key(id), now, '+inf');
    // Asked while answering a request (the contact list): a Redis that does not answer shows everyone offline.
    const results = (await bounded(pipeline.exec(), null, { onTimeout: () => this.onFallback('presence') })) ?? [];
    return new Set(userIds.filter((_, i) => Number(results[i]?.[1] ?? 0) > 0));
  }

  private async refresh() {
    if (this.local.size === 0) return;
    const expiry = Date.now() + TTL_MS;
    const pipeline = this.redis.pipeline();
    for (const [socketId, userId] of this.local) {
      pipeline.zadd(this.key(userId), expiry, socketId).pexpire(this.key(userId), TTL_MS);
    }
    await pipeline.exec();
  }

  close() {
    clearInterval(this.timer);
  }
}
