import { describe, expect, it } from 'vitest';
import { contactDecider, type ContactState } from './contact.js';
import type { ContactEvent } from './events.js';

const fold = (events: ContactEvent[]): ContactState =>
  events.reduce((state, event) => contactDecider.evolve(state, event), contactDecider.initialState());

const contactAdded: ContactEvent = {
  type: 'ContactAdded',
  data: { contactId: 'c1', kind: 'direct', members: ['ada', 'bob'], addedBy: 'ada' },
};

describe('contact state', () => {
  it('starts fresh for every stream, even though evolve mutates', () => {
    const first = contactDecider.initialState();
    expect(first).not.toBe(contactDecider.initialState());
    fold([contactAdded, { type: 'MessageSent', data: { contactId: 'c1', messageId: 'm1', senderId: 'ada', text: 'hi' } }]);
    expect(contactDecider.initialState()).toEqual({ status: 'none' });
    expect(first).toEqual({ status: 'none' });
  });

  it('keeps a deleted message as a tombstone in its place', () => {
    const state = fold([
      contactAdded,
      { type: 'MessageSent', data: { contactId: 'c1', messageId: 'm1', senderId: 'ada', text: 'hi' } },
      { type: 'MessageSent', data: { contactId: 'c1', messageId: 'm2', senderId: 'bob', text: 'yo' } },
      { type: 'MessageDeleted', data: { contactId: 'c1', messageId: 'm1', deletedBy: 'ada' } },
    ]);
    if (state.status !== 'added') throw new Error('contact should exist');
    expect(state.messages.get('m1')).toMatchObject({ senderId: 'ada', deleted: true, seq: 0 });
    expect(state.messages.get('m2')).toMatchObject({ senderId: 'bob', deleted: false, seq: 1 });
  });
});
