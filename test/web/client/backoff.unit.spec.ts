import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay, RECONNECT_BACKOFF, spreadDelay, spreadHintMs } from '../../../web/src/client/transport/backoff.js';
import { retryAfterMs, slotDelay } from '../../../web/src/client/transport/socket-connection.js';

/** A small deterministic generator (mulberry32), so the spread below is the same on every run. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe('reconnect back-off', () => {
  it('stays between zero and the exponential ceiling, capped at the maximum', () => {
    const random = seeded(1);
    for (let attempt = 0; attempt < 40; attempt++) {
      const ceiling = Math.min(RECONNECT_BACKOFF.maxMs, RECONNECT_BACKOFF.baseMs * 2 ** attempt);
      for (let i = 0; i < 200; i++) {
        const delay = backoffDelay(attempt, RECONNECT_BACKOFF, random);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }
    }
    expect(backoffDelay(3, RECONNECT_BACKOFF, () => 0.999_999)).toBe(7_999);
    expect(backoffDelay(10, RECONNECT_BACKOFF, () => 0.999_999)).toBe(RECONNECT_BACKOFF.maxMs - 1);
  });

  it('never brings a herd back in step: at every attempt, 1,000 clients that failed together spread over the whole window', () => {
    // Socket.io-client's own back-off jitters before it caps: from the 4th attempt its delays all equal the maximum.
    const clients = Array.from({ length: 1_000 }, (_, i) => new Backoff(RECONNECT_BACKOFF, seeded(1_000 + i)));
    for (let attempt = 0; attempt < 12; attempt++) {
      const delays = clients.map((client) => client.next());
      const ceiling = Math.min(RECONNECT_BACKOFF.maxMs, RECONNECT_BACKOFF.baseMs * 2 ** attempt);
      // Ten equal slices of the window: each holds between 5 % and 15 % of the clients.
      const slices = Array.from({ length: 10 }, () => 0);
      for (const delay of delays) slices[Math.floor((delay / ceiling) * 10)]++;
      for (const count of slices) {
        expect(count).toBeGreaterThan(50);
        expect(count).toBeLessThan(150);
      }
    }
  });

  it('starts again from the first attempt after a success', () => {
    const backoff = new Backoff(RECONNECT_BACKOFF, () => 0.5);
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([500, 1_000, 2_000]);
    backoff.reset();
    expect(backoff.next()).toBe(500);
  });

  it('spreads the first return after a node went away over the window it asked for, never narrower than the first step', () => {
    const random = seeded(7);
    const delays = Array.from({ length: 1_000 }, () => spreadDelay(20_000, RECONNECT_BACKOFF, random));
    const slices = Array.from({ length: 10 }, () => 0);
    for (const delay of delays) slices[Math.floor(delay / 2_000)]++;
    for (const count of slices) expect(count).toBeGreaterThan(50);
    expect(spreadDelay(0, RECONNECT_BACKOFF, () => 0.999_999)).toBe(RECONNECT_BACKOFF.baseMs - 1);
    expect(spreadDelay(300, RECONNECT_BACKOFF, () => 0.5)).toBe(500);
  });

  it('reads a spread hint or a refusal slot only when it is a sane number of milliseconds', () => {
    expect(spreadHintMs({ ms: 20_000 })).toBe(20_000);
    expect(spreadHintMs({ ms: 10_000_000 })).toBe(60_000);
    for (const bad of [null, 'x', {}, { ms: -1 }, { ms: 'soon' }, { ms: Infinity }]) expect(spreadHintMs(bad)).toBeNull();
    const refusal = (data: unknown) => Object.assign(new Error('UNAVAILABLE'), { data });
    expect(retryAfterMs(refusal({ retryAfterMs: 1_250 }))).toBe(1_250);
    expect(retryAfterMs(refusal({ retryAfterMs: 1e9 }))).toBe(120_000);
    for (const bad of [undefined, {}, { retryAfterMs: -5 }, { retryAfterMs: '1' }]) expect(retryAfterMs(refusal(bad))).toBeNull();
    expect(slotDelay(1_000, () => 0)).toBe(1_000);
    expect(slotDelay(1_000, () => 0.999)).toBeLessThan(1_250);
  });
});
