import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger.js';
import { PresenceAnnouncer, type PresenceChange } from './presence-announcer.js';

describe('PresenceAnnouncer: a delay per change', () => {
  let published: PresenceChange[][];
  let online: Set<string>;
  let announcer: PresenceAnnouncer;
  /** Until when (Date.now() time) the node has promised refused handshakes a slot. */
  let slotsPromisedUntil: number;

  beforeEach(() => {
    vi.useFakeTimers();
    published = [];
    online = new Set();
    slotsPromisedUntil = 0;
    announcer = new PresenceAnnouncer({
      slotsPromisedForMs: () => Math.max(0, slotsPromisedUntil - Date.now()),
      onlineSettleMs: 100,
      offlineGraceMs: 300,
      onlineNow: async (ids) => new Set(ids.filter((id) => online.has(id))),
      lastAnnounced: async (ids) => new Map(ids.map((id) => [id, true])),
      recordAnnounced: async () => {},
      publish: (changes) => published.push(changes),
      log: createLogger('silent'),
    });
  });
  afterEach(() => {
    announcer.close();
    vi.useRealTimers();
  });

  it('holds a dead node’s user for the window given, announcing offline after it if not back', async () => {
    announcer.changed('bob', false, 5_000);
    await vi.advanceTimersByTimeAsync(4_900);
    expect(published).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(published).toEqual([[{ userId: 'bob', online: false }]]);
  });

  it('holds a dead node’s user past the window while this node still has slots promised to returning clients', async () => {
    // A survivor busier than the window assumed: it has told refused handshakes to come back up to 12 s from now.
    announcer.changed('bob', false, 5_000);
    announcer.changed('cid', false, 5_000);
    await vi.advanceTimersByTimeAsync(4_000);
    slotsPromisedUntil = Date.now() + 12_000;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(published).toEqual([]);
    await vi.advanceTimersByTimeAsync(6_000);
    online.add('bob'); // came back at his slot
    await vi.advanceTimersByTimeAsync(4_000); // to the last promised slot
    expect(published).toEqual([]);
    await vi.advanceTimersByTimeAsync(300 + 200); // then the grace
    expect(published).toEqual([[{ userId: 'cid', online: false }]]);
  });

  it('holds a dead node’s user at most two minutes past the window, however long the node keeps promising slots', async () => {
    announcer.changed('bob', false, 5_000);
    slotsPromisedUntil = Number.POSITIVE_INFINITY;
    await vi.advanceTimersByTimeAsync(5_000 + 119_000);
    expect(published).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(published).toEqual([[{ userId: 'bob', online: false }]]);
  });

  it('does not hold back a live node’s user who left for slots promised to others', async () => {
    slotsPromisedUntil = Number.POSITIVE_INFINITY;
    announcer.changed('bob', false);
    await vi.advanceTimersByTimeAsync(400);
    expect(published).toEqual([[{ userId: 'bob', online: false }]]);
  });

  it('announces nothing for one who is back within the window', async () => {
    announcer.changed('bob', false, 5_000);
    await vi.advanceTimersByTimeAsync(2_000);
    online.add('bob');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(published).toEqual([]);
  });

  it('does not hold back a change with the usual grace behind a longer window set before it', async () => {
    announcer.changed('bob', false, 20_000);
    announcer.changed('cid', false);
    await vi.advanceTimersByTimeAsync(400);
    expect(published).toEqual([[{ userId: 'cid', online: false }]]);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(published).toEqual([[{ userId: 'cid', online: false }], [{ userId: 'bob', online: false }]]);
  });

  it('says when everything collected is announced (a draining node waits for it), or that it was not by the timeout', async () => {
    await expect(announcer.whenSettled(0)).resolves.toBe(true);
    announcer.changed('bob', false);
    announcer.changed('cid', false, 1_000);
    let settled: boolean | undefined;
    void announcer.whenSettled(5_000).then((value) => (settled = value));
    await vi.advanceTimersByTimeAsync(400);
    expect(published).toEqual([[{ userId: 'bob', online: false }]]);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(700);
    expect(published).toEqual([[{ userId: 'bob', online: false }], [{ userId: 'cid', online: false }]]);
    expect(settled).toBe(true);

    announcer.changed('dan', false, 10_000);
    void announcer.whenSettled(2_000).then((value) => (settled = value));
    await vi.advanceTimersByTimeAsync(2_100);
    expect(settled).toBe(false);
  });
});
