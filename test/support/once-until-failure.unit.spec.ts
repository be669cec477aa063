import { describe, expect, it } from 'vitest';
import { onceUntilFailure } from './once-until-failure.js';

describe('onceUntilFailure', () => {
  it('makes it once for every caller, and again after a failure', async () => {
    let calls = 0;
    const outcomes: Array<() => Promise<string>> = [() => Promise.reject(new Error('first fails')), async () => 'made'];
    const get = onceUntilFailure(() => outcomes[calls++]());
    await expect(Promise.all([get(), get()])).rejects.toThrow('first fails');
    expect(calls).toBe(1);
    expect(await Promise.all([get(), get(), get()])).toEqual(['made', 'made', 'made']);
    expect(calls).toBe(2);
  });
});
