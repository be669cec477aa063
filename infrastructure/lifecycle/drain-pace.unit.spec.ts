import { describe, expect, it } from 'vitest';
import { drainPace } from './drain.js';

describe('drainPace', () => {
  const rates = { onePerSecond: 200, allPerSecond: 400 };

  it('moves at one node’s rate when the window allows it: the gentlest on the nodes that take them', () => {
    expect(drainPace({ sockets: 5_000, withinMs: 55_000, ...rates })).toBe(200);
    expect(drainPace({ sockets: 10, withinMs: 55_000, ...rates })).toBe(200);
  });

  it('goes faster when one node’s rate would not fit, with a tenth of the window to spare', () => {
    // 5,000 in 18 s at one node's rate would take 25 s: 5,000 in 16.2 s.
    expect(drainPace({ sockets: 5_000, withinMs: 18_000, ...rates })).toBeCloseTo(5_000 / 16.2, 5);
  });

  it('never faster than all the other nodes take together: the rest go together at the end', () => {
    expect(drainPace({ sockets: 10_000, withinMs: 5_000, ...rates })).toBe(400);
    expect(drainPace({ sockets: 10, withinMs: 0, ...rates })).toBe(400);
  });
});
