import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { MessageSent } from '../../domain/contacts/events.js';
import { contactStream, groupStream, TestLog } from '../../test/support/recorded-events.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';
import { conversationAsOf, conversationChanges, readableBy } from './conversation-history.js';

const [ana, ben, eve, dan] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
const idOf = (sent: RecordedDerbelEvent) => (sent.data as MessageSent['data']).messageId;
const end = new Date('2100-01-01T00:00:00.000Z');

/** Time travel and the audit trail of a group: each member sees what was sent inside their periods. */
describe('conversation history of a group', () => {
  const log = new TestLog();
  const g = groupStream(log);
  const created = g.created(ana, [ben, eve]);
  const before = g.sent(ben, 'before');
  const left = g.memberLeft(eve);
  const away = g.sent(ana, 'while eve is away');
  const editAway = g.edited(ana, idOf(away), 'while eve was away');
  const added = g.membersAdded(ana, [eve, dan]);
  const editBefore = g.edited(ben, idOf(before), 'before, edited');
  const after = g.sent(dan, 'after');
  const removed = g.memberRemoved(ana, ben);
  const gone = g.sent(ana, 'ben is gone');
  const events = [created, before, left, away, editAway, added, editBefore, after, removed, gone];
  const texts = (userId: string) => conversationAsOf(events, end, readableBy(events, userId)).map((m) => m.text);

  it('time travel: a member who left sees nothing of their absence, one added later nothing from before', () => {
    expect(texts(ana)).toEqual(['before, edited', 'while eve was away', 'after', 'ben is gone']);
    expect(texts(eve)).toEqual(['before, edited', 'after', 'ben is gone']);
    expect(texts(dan)).toEqual(['after', 'ben is gone']);
    expect(texts(ben)).toEqual(['before, edited', 'while eve was away', 'after']);
  });

  it('the audit trail: only the changes of messages the member may read', () => {
    expect(conversationChanges(events, readableBy(events, eve)).map((c) => c.messageId)).toEqual([idOf(before)]);
    expect(conversationChanges(events, readableBy(events, dan))).toEqual([]);
    expect(conversationChanges(events, readableBy(events, ana)).map((c) => c.messageId)).toEqual([idOf(away), idOf(before)]);
  });

  it('a direct contact: the whole history, whoever asks and whatever was removed in between', () => {
    const c = contactStream(log);
    const direct = [c.added(ana, ben), c.sent(ana, 'hi'), c.removed(ben), c.added(ben, ana), c.sent(ben, 'back')];
    expect(conversationAsOf(direct, end, readableBy(direct, ana)).map((m) => m.text)).toEqual(['hi', 'back']);
    const stray = [c.sent(ana, 'x'), g.created(ana, [ben, eve])];
    expect(readableBy(stray, eve)(0), 'a GroupCreated that is not its first event makes no group').toBe(true);
  });
});

describe('time travel with replies and reactions (issue 20)', () => {
  it('shows each reply’s quote and each message’s reactions as they stood, and no reaction in the audit trail', () => {
    const c = contactStream(new TestLog());
    const original = c.sent(ana, 'first line\nsecond line', randomUUID(), { at: '2030-01-01T00:00:00.000Z' });
    const reply = c.replied(ben, idOf(original), 'agreed', randomUUID(), { at: '2030-01-01T00:00:01.000Z' });
    const thumbs = c.reacted(ben, idOf(original), '👍', { at: '2030-01-01T00:00:02.000Z' });
    const deleted = c.deleted(ana, idOf(original), { at: '2030-01-01T00:00:03.000Z' });
    const events = [c.added(ana, ben, { at: '2029-12-31T00:00:00.000Z' }), original, reply, thumbs, deleted];

    const [asWas, replyAsWas] = conversationAsOf(events, new Date('2030-01-01T00:00:02.500Z'));
    expect(asWas.reactions).toEqual([{ emoji: '👍', count: 1, userIds: [ben] }]);
    expect(replyAsWas.replyTo).toEqual({ id: idOf(original), senderId: ana, text: 'first line', deleted: false });

    const [gone, replyNow] = conversationAsOf(events, end);
    expect(gone.reactions).toEqual([]);
    expect(replyNow.replyTo).toEqual({ id: idOf(original), senderId: ana, text: null, deleted: true });
    expect(conversationChanges(events).map((change) => change.type)).toEqual(['MessageDeleted']);
  });
});
