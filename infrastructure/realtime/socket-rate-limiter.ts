import { performance } from 'node:perf_hooks';

export interface TokenBucketOptions {
  /** How many actions may come at once, after a quiet spell (the bucket starts full). */
  burst: number;
  /** How many actions per second may come for as long as they keep coming. */
  perSecond: number;
  /** Milliseconds on a clock that never goes back; the default is the process's monotonic clock. */
  now?: () => number;
}

/**
 * A token bucket for one socket's events of one kind: each accepted event takes a token, tokens come back at
 * `perSecond` up to `burst`. A refused event takes nothing, so a client that floods is held to the rate.
 */
export class TokenBucket {
  // Kept in thousandths of a token, so whole milliseconds at a whole rate add up exactly.
  private readonly capacity: number;
  private readonly perSecond: number;
  private readonly now: () => number;
  private milliTokens: number;
  private updatedAt: number;

  constructor({ burst, perSecond, now = () => performance.now() }: TokenBucketOptions) {
    if (!(Number.isInteger(burst) && burst >= 1)) throw new RangeError(`burst must be a positive integer, got ${burst}`);
    if (!(Number.isFinite(perSecond) && perSecond > 0)) throw new RangeError(`perSecond must be a positive number, got ${perSecond}`);
    this.capacity = burst * 1000;
    this.perSecond = perSecond;
    this.now = now;
    this.milliTokens = this.capacity;
    this.updatedAt = now();
  }

  /** Takes a token and returns true, or returns false when none is left: the event is then refused. */
  take(): boolean {
    const now = this.now();
    if (now > this.updatedAt) {
      this.milliTokens = Math.min(this.capacity, this.milliTokens + (now - this.updatedAt) * this.perSecond);
      this.updatedAt = now;
    }
    if (this.milliTokens < 1000) return false;
    this.milliTokens -= 1000;
    return true;
  }
}
