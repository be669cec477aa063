import { describe, expect, it } from 'vitest';
import { eventually } from './eventually.js';

describe('eventually', () => {
  it('returns the first truthy value the probe gives', async () => {
    let calls = 0;
    expect(await eventually(() => (++calls >= 3 ? `after ${calls}` : null), { intervalMs: 1 })).toBe('after 3');
  });

  it('fails with its message and the probe’s last error when the time is up', async () => {
    await expect(
      eventually(
        () => {
          throw new Error('still 2 of 3');
        },
        { timeoutMs: 30, intervalMs: 5, message: 'every node is in the rotation' },
      ),
    ).rejects.toThrow(/^every node is in the rotation \(not within 30 ms\): Error: still 2 of 3$/);
  });

  it('fails with the probe’s last error when no message is given', async () => {
    await expect(eventually(() => Promise.reject(new Error('no leader')), { timeoutMs: 20, intervalMs: 5 })).rejects.toThrow('no leader');
  });
});
