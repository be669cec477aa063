import bcrypt from 'bcryptjs';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerPasswordHasher } from './worker-password-hasher.js';

describe('WorkerPasswordHasher', () => {
  const hasher = new WorkerPasswordHasher(11);
  afterAll(() => hasher.close());

  it('produces standard bcrypt hashes that verify', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    expect(bcrypt.getRounds(hash)).toBe(11);
    expect(await hasher.verify('correct horse battery staple', hash)).toBe(true);
    expect(await hasher.verify('wrong', hash)).toBe(false);
  });

  it('leaves the event loop free while hashing (the work runs in a worker thread)', async () => {
    let ticks = 0;
    let hashing = true;
    const spin = () => {
      ticks++;
      if (hashing) setImmediate(spin);
    };
    setImmediate(spin);
    await hasher.hash('a password that takes a while at cost 11');
    hashing = false;
    // Synchronous bcrypt on this thread would starve setImmediate for the whole hash.
    expect(ticks).toBeGreaterThan(50);
  });
});
