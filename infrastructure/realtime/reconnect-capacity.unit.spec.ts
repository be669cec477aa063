import { describe, expect, it } from 'vitest';
import { ReconnectCapacity } from './reconnect-capacity.js';

/** No other node: its own load is all it would carry (its clients come back to it, restarted). */
const ALONE = { others: 0, othersBusiest: 0 };

/** A capacity whose event loop reads as `load.utilization` and whose clock is `load.now`. */
function measured(options: { idleUtilization?: number; busyUtilization?: number; halfLifeMs?: number } = {}) {
  const load = { utilization: 0, now: 0 };
  const capacity = new ReconnectCapacity({
    busyPerSecond: 200,
    idlePerSecond: 400,
    idleUtilization: 0.2,
    busyUtilization: 0.6,
    halfLifeMs: 10_000,
    ...options,
    sampleEveryMs: 0,
    utilization: () => load.utilization,
    now: () => load.now,
  });
  const sampleFor = (ms: number, utilization: number, everyMs = 2_000) => {
    load.utilization = utilization;
    for (let t = 0; t < ms; t += everyMs) {
      load.now += everyMs;
      capacity.sample();
    }
  };
  return { capacity, sampleFor };
}

describe('ReconnectCapacity', () => {
  it('offers the idle rate before it has measured anything', () => {
    expect(measured().capacity.perSecond(ALONE)).toBe(400);
  });

  it('offers the idle rate while its event loop is mostly idle, the busy rate while it is busy', () => {
    const { capacity, sampleFor } = measured();
    sampleFor(120_000, 0.1);
    expect(capacity.perSecond(ALONE)).toBe(400);
    sampleFor(120_000, 0.9);
    expect(capacity.perSecond(ALONE)).toBe(200);
  });

  it('offers a rate in between in proportion to the load in between', () => {
    const { capacity, sampleFor } = measured();
    sampleFor(120_000, 0.4);
    expect(capacity.perSecond(ALONE)).toBe(300);
    sampleFor(120_000, 0.3);
    expect(capacity.perSecond(ALONE)).toBe(350);
  });

  it('follows a change of load over its half-life, not at once: a burst is not the node’s load', () => {
    const { capacity, sampleFor } = measured({ halfLifeMs: 10_000 });
    sampleFor(120_000, 0.2);
    sampleFor(2_000, 1);
    expect(capacity.utilization()).toBeCloseTo(0.2 + 0.8 * (1 - 2 ** (-2_000 / 10_000)), 5);
    expect(capacity.perSecond(ALONE)).toBeGreaterThan(300);
    expect(capacity.perSecond(ALONE)).toBeLessThan(400);
    sampleFor(10_000, 1);
    expect(capacity.utilization()).toBeCloseTo(1 - 0.8 * 2 ** (-12_000 / 10_000), 5);
  });

  it('judges by the load it would carry after a crash: its share of the busiest other node’s on top of its own', () => {
    const { capacity, sampleFor } = measured();
    sampleFor(120_000, 0.2);
    expect(capacity.perSecond(ALONE)).toBe(400);
    // One other node at 0.2: all its work would land here, 0.4 in all. Three others, the busiest at 0.3: a third of it.
    expect(capacity.perSecond({ others: 1, othersBusiest: 0.2 })).toBe(300);
    expect(capacity.perSecond({ others: 3, othersBusiest: 0.3 })).toBe(350);
    expect(capacity.perSecond({ others: 1, othersBusiest: 0.7 })).toBe(200);
  });

  it('never offers less than the busy rate nor more than the idle rate', () => {
    const { capacity, sampleFor } = measured();
    sampleFor(120_000, 0);
    expect(capacity.perSecond(ALONE)).toBe(400);
    sampleFor(120_000, 1);
    expect(capacity.perSecond(ALONE)).toBe(200);
  });

  it('offers one fixed rate when both rates are the same (the rate pinned by configuration)', () => {
    const capacity = new ReconnectCapacity({ busyPerSecond: 250, idlePerSecond: 250, sampleEveryMs: 0, utilization: () => 0.5 });
    capacity.sample();
    expect(capacity.perSecond(ALONE)).toBe(250);
  });
});
