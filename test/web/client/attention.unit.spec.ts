import { describe, expect, it } from 'vitest';
import { withMissedCallsOnTop } from '../../../web/src/client/state/contacts-state.js';
import { Drafts } from '../../../web/src/client/drafts.js';
import { memoryStore } from '../../../web/src/client/key-value-store.js';
import { missedCalls, SeenCalls } from '../../../web/src/client/calls/missed-calls.js';
import { characterCount } from '../../../web/src/client/text-length.js';
import type { CallRecord } from '../../../web/src/client/types.js';
import { bob, contact } from './fixtures.js';

const call = (overrides: Partial<CallRecord>): CallRecord => ({
  meetingId: 'm1',
  contactId: 'c1',
  peer: bob,
  direction: 'incoming',
  outcome: 'missed',
  startedAt: '2024-05-01T10:00:00.000Z',
  endedAt: '2024-05-01T10:00:45.000Z',
  durationSeconds: 0,
  ...overrides,
});

describe('characterCount', () => {
  it('counts code points, as the server does', () => {
    expect(characterCount('😀'.repeat(2001))).toBe(2001);
    expect(characterCount('héllo')).toBe(5);
    expect(characterCount('')).toBe(0);
  });
});

describe('missed calls', () => {
  const seen = { since: '2024-05-01T09:00:00.000Z', log: '2024-05-01T09:00:00.000Z', contacts: {} };

  it('counts incoming missed calls after what was seen, per contact and in the log', () => {
    const calls = [
      call({ meetingId: 'm3', contactId: 'c2', endedAt: '2024-05-01T11:00:00.000Z' }),
      call({ meetingId: 'm2', outcome: 'finished' }),
      call({ meetingId: 'm1' }),
      call({ meetingId: 'm0', direction: 'outgoing' }),
      call({ meetingId: 'old', endedAt: '2024-05-01T08:00:00.000Z' }),
    ];
    expect(missedCalls(calls, seen)).toEqual({ byContact: { c1: '2024-05-01T10:00:45.000Z', c2: '2024-05-01T11:00:00.000Z' }, inLog: 2 });
    expect(missedCalls(calls, { ...seen, log: '2024-05-01T10:30:00.000Z', contacts: { c1: '2024-05-01T10:00:45.000Z' } })).toEqual({
      byContact: { c2: '2024-05-01T11:00:00.000Z' },
      inLog: 1,
    });
  });

  it('puts a conversation with an unseen missed call on top, as active when the call ended', () => {
    const older = contact({ id: 'c1', lastActivityAt: '2024-05-01T09:00:00.000Z' });
    const newer = contact({ id: 'c2', lastActivityAt: '2024-05-01T09:30:00.000Z' });
    expect(withMissedCallsOnTop([newer, older], {}).map((c) => c.id)).toEqual(['c2', 'c1']);
    expect(withMissedCallsOnTop([newer, older], { c1: '2024-05-01T10:00:45.000Z' }).map((c) => c.id)).toEqual(['c1', 'c2']);
  });

  it('remembers what was seen per user, starting from the first use', () => {
    const storage = memoryStore();
    const seenCalls = new SeenCalls(
      storage,
      () => 'k',
      () => new Date('2024-05-01T09:00:00.000Z'),
    );
    seenCalls.load();
    expect(seenCalls.state.value).toEqual(seen);
    seenCalls.markContact('c1', '2024-05-01T10:00:45.000Z');
    seenCalls.markLog('2024-05-01T10:00:45.000Z');
    seenCalls.markLog('2024-05-01T10:00:00.000Z');
    const again = new SeenCalls(
      storage,
      () => 'k',
      () => new Date('2030-01-01T00:00:00.000Z'),
    );
    again.load();
    expect(again.state.value).toEqual({ since: seen.since, log: '2024-05-01T10:00:45.000Z', contacts: { c1: '2024-05-01T10:00:45.000Z' } });
  });
});

describe('Drafts', () => {
  it('keeps text per conversation and user, and forgets blank text', () => {
    const storage = memoryStore();
    let user: string | null = 'u1';
    const drafts = new Drafts(storage, () => (user ? `d:${user}` : null));
    drafts.set('c1', 'for c1');
    drafts.set('c2', '  ');
    expect([drafts.get('c1'), drafts.get('c2')]).toEqual(['for c1', '']);
    user = 'u2';
    expect(drafts.get('c1')).toBe('');
    user = 'u1';
    drafts.clear('c1');
    expect(drafts.get('c1')).toBe('');
    user = null;
    drafts.set('c1', 'signed out');
    expect(drafts.get('c1')).toBe('');
  });
});
