import { describe, expect, it } from 'vitest';
import { DeciderSpecification } from '../../test/support/decider-specification.js';
import { contactDecider } from './contact.js';
import type { ContactEvent } from './events.js';

const contactId = 'contact-big';
const MESSAGES = 100_000;

function longConversation(): ContactEvent[] {
  const events: ContactEvent[] = [{ type: 'ContactAdded', data: { contactId, kind: 'direct', members: ['ada', 'bob'], addedBy: 'ada' } }];
  for (let i = 0; i < MESSAGES; i++) {
    const senderId = i % 2 === 0 ? 'ada' : 'bob';
    events.push({ type: 'MessageSent', data: { contactId, messageId: `m${i}`, senderId, text: `message number ${i}` } });
  }
  return events;
}

describe(`a conversation of ${MESSAGES.toLocaleString('en')} messages`, () => {
  const events = longConversation();
  const spec = DeciderSpecification.for(contactDecider);

  it('still accepts a new message and still recognises retries and conflicts', () => {
    spec
      .given(events)
      .when({ type: 'SendMessage', data: { contactId, messageId: 'new', senderId: 'ada', text: 'still here' } })
      .then([{ type: 'MessageSent', data: { contactId, messageId: 'new', senderId: 'ada', text: 'still here' } }]);
    spec
      .given(events)
      .when({ type: 'SendMessage', data: { contactId, messageId: 'm0', senderId: 'ada', text: 'again' } })
      .then([]);
    spec
      .given(events)
      .when({ type: 'SendMessage', data: { contactId, messageId: 'm1', senderId: 'ada', text: 'again' } })
      .thenThrows('MESSAGE_ID_CONFLICT');
  });

  it('keeps one small record per message, in order of acceptance', () => {
    const state = events.reduce(contactDecider.evolve, contactDecider.initialState());
    if (state.status !== 'added') throw new Error('contact should exist');
    expect(state.messages.size).toBe(MESSAGES);
    expect(state.messages.get(`m${MESSAGES - 1}`)).toEqual({
      senderId: 'bob',
      deleted: false,
      seq: MESSAGES - 1,
      textFingerprint: expect.any(Number),
    });
    const readOldest = contactDecider.decide({ type: 'MarkConversationRead', data: { contactId, userId: 'bob', messageId: 'm0' } }, state);
    expect(readOldest).toEqual([{ type: 'ConversationRead', data: { contactId, userId: 'bob', messageId: 'm0' } }]);
  });
});
