import { describe, expect, it } from 'vitest';
import { RecentPresence } from './recent-presence.js';

describe('RecentPresence', () => {
  const clock = (start = 1_000) => {
    const time = { now: start };
    return { time, now: () => time.now };
  };

  it('says whose presence changed since a moment, each once with its latest state', () => {
    const { time, now } = clock();
    const recent = new RecentPresence(60_000, now);
    time.now = 2_000;
    recent.record([{ userId: 'bob', online: false }]);
    time.now = 3_000;
    recent.record([
      { userId: 'cid', online: false },
      { userId: 'dan', online: true },
    ]);
    time.now = 4_000;
    recent.record([{ userId: 'bob', online: true }]);

    expect(recent.changedSince(3_500)).toEqual([{ userId: 'bob', online: true }]);
    expect(recent.changedSince(3_000)).toEqual([
      { userId: 'cid', online: false },
      { userId: 'dan', online: true },
      { userId: 'bob', online: true },
    ]);
    expect(recent.changedSince(1_500)).toHaveLength(3);
    expect(recent.changedSince(4_001)).toEqual([]);
    expect(recent.latest('bob')).toBe(true);
    expect(recent.latest('eve')).toBeUndefined();
  });

  it('does not answer for a moment before it started, or before what it keeps; and forgets what it no longer keeps', () => {
    const { time, now } = clock();
    const recent = new RecentPresence(10_000, now);
    expect(recent.changedSince(999)).toBeNull();
    time.now = 2_000;
    recent.record([{ userId: 'bob', online: false }]);
    time.now = 11_000;
    expect(recent.changedSince(1_000)).toEqual([{ userId: 'bob', online: false }]);
    time.now = 13_000;
    recent.record([{ userId: 'cid', online: true }]);
    expect(recent.changedSince(2_500)).toBeNull();
    expect(recent.changedSince(3_000)).toEqual([{ userId: 'cid', online: true }]);
    expect(recent.latest('bob')).toBeUndefined();
    expect(recent.latest('cid')).toBe(true);
  });

  it('keeps a long run of changes in order while compacting what it forgot', () => {
    const { time, now } = clock(0);
    const recent = new RecentPresence(1_000, now);
    for (let i = 0; i < 5_000; i++) {
      time.now = i;
      recent.record([{ userId: `u${i % 700}`, online: i % 2 === 0 }]);
    }
    const changed = recent.changedSince(4_990)!;
    expect(changed.map((c) => c.userId)).toEqual(Array.from({ length: 10 }, (_, k) => `u${(4_990 + k) % 700}`));
    expect(changed.every((c) => c.online === recent.latest(c.userId))).toBe(true);
  });
});
