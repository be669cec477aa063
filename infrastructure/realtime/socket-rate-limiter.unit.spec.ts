import { describe, expect, it } from 'vitest';
import { TokenBucket } from './socket-rate-limiter.js';

/** A clock the test moves by hand. */
function manualClock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms), set: (ms: number) => void (now = ms) };
}

const takeMany = (bucket: TokenBucket, count: number) => Array.from({ length: count }, () => bucket.take());
const accepted = (results: boolean[]) => results.filter(Boolean).length;

describe('TokenBucket', () => {
  it('lets a full burst through at once, then refuses', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ burst: 50, perSecond: 20, now: clock.now });
    const results = takeMany(bucket, 60);
    expect(results.slice(0, 50)).toEqual(Array(50).fill(true));
    expect(results.slice(50)).toEqual(Array(10).fill(false));
  });

  it('gives one token back every 1/perSecond seconds, not before', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ burst: 50, perSecond: 20, now: clock.now });
    takeMany(bucket, 50);
    clock.advance(49);
    expect(bucket.take()).toBe(false);
    clock.advance(1);
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    // The 49 ms that went by before a refusal still count towards the next token.
    clock.advance(25);
    expect(bucket.take()).toBe(false);
    clock.advance(25);
    expect(bucket.take()).toBe(true);
  });

  it('holds a steady flood to the rate', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ burst: 50, perSecond: 20, now: clock.now });
    let passed = 0;
    // 10 seconds at 1000 events a second.
    for (let ms = 0; ms < 10_000; ms++) {
      passed += accepted(takeMany(bucket, 1));
      clock.advance(1);
    }
    expect(passed).toBe(50 + 20 * 10 - 1);
  });

  it('refills no further than the burst after a long quiet spell', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ burst: 5, perSecond: 2, now: clock.now });
    takeMany(bucket, 5);
    clock.advance(60 * 60 * 1000);
    expect(accepted(takeMany(bucket, 10))).toBe(5);
  });

  it('does not mint tokens when the clock goes back', () => {
    const clock = manualClock(10_000);
    const bucket = new TokenBucket({ burst: 2, perSecond: 1, now: clock.now });
    takeMany(bucket, 2);
    clock.set(5_000);
    expect(bucket.take()).toBe(false);
    clock.set(10_999);
    expect(bucket.take()).toBe(false);
    clock.set(11_000);
    expect(bucket.take()).toBe(true);
  });

  it('keeps separate buckets apart', () => {
    const clock = manualClock();
    const one = new TokenBucket({ burst: 1, perSecond: 1, now: clock.now });
    const other = new TokenBucket({ burst: 1, perSecond: 1, now: clock.now });
    expect([one.take(), one.take(), other.take()]).toEqual([true, false, true]);
  });

  it('works on the real monotonic clock by default', () => {
    const bucket = new TokenBucket({ burst: 3, perSecond: 1 });
    expect(takeMany(bucket, 4)).toEqual([true, true, true, false]);
  });

  it.each([
    [{ burst: 0, perSecond: 1 }, /burst must be a positive integer, got 0/],
    [{ burst: 1.5, perSecond: 1 }, /burst must be a positive integer, got 1.5/],
    [{ burst: 1, perSecond: 0 }, /perSecond must be a positive number, got 0/],
    [{ burst: 1, perSecond: Number.NaN }, /perSecond must be a positive number, got NaN/],
  ])('refuses nonsense limits %o', (options, message) => {
    expect(() => new TokenBucket(options)).toThrow(message);
  });
});
