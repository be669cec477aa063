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
