import { describe, expect, it } from 'vitest';
import { turnCounter } from '../../test/support/turn-counter.js';
import { inSlices, STOP_SLICES } from './in-slices.js';

describe('inSlices', () => {
  it('gives each slice its own turn of the event loop, in order', async () => {
    const seen: Array<{ slice: number[]; turn: number }> = [];
    const turns = turnCounter();
    await inSlices([1, 2, 3, 4, 5, 6, 7], 3, (slice) => void seen.push({ slice, turn: turns.now() }));
    turns.stop();
    expect(seen.map((s) => s.slice)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(new Set(seen.map((s) => s.turn)).size).toBe(3);
  });

  it('starts the next slice only after the previous one’s promise settled', async () => {
    const events: string[] = [];
    await inSlices(['a', 'b'], 1, async ([item]) => {
      events.push(`start ${item}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
      events.push(`end ${item}`);
    });
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('ends when a slice answers STOP_SLICES, and rejects when one throws', async () => {
    const slices: number[][] = [];
    await inSlices([1, 2, 3, 4], 1, (slice) => (slices.push(slice), slice[0] === 2 ? STOP_SLICES : undefined));
    expect(slices).toEqual([[1], [2]]);
    await expect(inSlices([1], 1, () => Promise.reject(new Error('down')))).rejects.toThrow('down');
  });

  it('starts the slices evenly over `spreadOverMs` when asked', async () => {
    const startedAt: number[] = [];
    const start = performance.now();
    await inSlices([1, 2, 3, 4, 5, 6], 2, () => void startedAt.push(performance.now() - start), { spreadOverMs: 300 });
    expect(startedAt).toHaveLength(3);
    expect(startedAt[0]).toBeLessThan(50);
    // Each at its place in the window, never before it (a timer alone can fire up to 1 ms early).
    expect(startedAt[1]).toBeGreaterThanOrEqual(100);
    expect(startedAt[2]).toBeGreaterThanOrEqual(200);
  });

  it('does nothing with no items', async () => {
    let calls = 0;
    await inSlices([], 10, () => calls++);
    expect(calls).toBe(0);
  });
});
