import type { Redis } from 'ioredis';
import { bounded } from './bounded.js';

export interface RedisTrouble {
  reachable: false;
  /** Since when Redis has not answered a ping in time. */
  since: string;
}

/**
 * Whether this node's Redis answers, from a ping every second (each given half a second). Read by
 * `/readyz` (reported, yet still ready: without Redis a node serves everything but cross-node pushes and
 * presence) and by the `derbel_redis_up` gauge, without making either wait for Redis.
 */
export class RedisHealth {
  private failingSince: Date | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly listeners: Array<(up: boolean) => void> = [];

  /** `onDown` runs when Redis stops answering in time (not again until it has answered since). */
  constructor(redis: Redis, options: { intervalMs?: number; onDown?: () => void } = {}) {
    const intervalMs = options.intervalMs ?? 1_000;
    const ping = async () => {
      const answered = await bounded(
        redis.ping().then(
          () => true,
          () => false,
        ),
        false,
        { ms: Math.min(500, intervalMs) },
      );
      if (answered && this.failingSince) {
        this.failingSince = null;
        for (const listener of this.listeners) listener(true);
      } else if (!answered && !this.failingSince) {
        this.failingSince = new Date();
        options.onDown?.();
        for (const listener of this.listeners) listener(false);
      }
    };
    void ping();
    this.timer = setInterval(() => void ping(), intervalMs);
    this.timer.unref();
  }

  /** Called with each change: down (no answer in time), then up again. */
  onChange(listener: (up: boolean) => void) {
    this.listeners.push(listener);
  }

  get up(): boolean {
    return this.failingSince === null;
  }

  trouble(): RedisTrouble | undefined {
    return this.failingSince ? { reachable: false, since: this.failingSince.toISOString() } : undefined;
  }

  close() {
    clearInterval(this.timer);
  }
}
