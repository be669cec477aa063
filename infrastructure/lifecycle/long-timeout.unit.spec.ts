import { afterEach, describe, expect, it, vi } from 'vitest';
import { setLongTimeout } from './long-timeout.js';

describe('setLongTimeout', () => {
  afterEach(() => vi.useRealTimers());

  it('waits 30 days, not 1 ms, and can be cleared', () => {
    vi.useFakeTimers();
    const day = 86_400_000;
    const fired: number[] = [];
    setLongTimeout(() => fired.push(Date.now()), 30 * day);
    const cleared = setLongTimeout(() => fired.push(-1), 30 * day);
    vi.advanceTimersByTime(29 * day);
    expect(fired).toEqual([]);
    cleared.clear();
    vi.advanceTimersByTime(day);
    expect(fired).toHaveLength(1);
  });

  it('fires short delays as setTimeout does', () => {
    vi.useFakeTimers();
    let fired = false;
    setLongTimeout(() => (fired = true), 10);
    vi.advanceTimersByTime(9);
    expect(fired).toBe(false);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(true);
  });
});
