import { describe, expect, it } from 'vitest';
import { contactDecider, type ContactCommand, type ContactState } from './contact.js';
import type { ContactEvent } from './events.js';

const contactId = 'group-big';
const MEMBERS = 100;
const MESSAGES = 100_000;
const members = Array.from({ length: MEMBERS }, (_, i) => `member${i}`);
const [creator, sender] = members;

function busyGroup(): ContactEvent[] {
  const events: ContactEvent[] = [
    {
      type: 'GroupCreated',
      data: { contactId, kind: 'group', title: 'Everyone', members, admins: [creator], createdBy: creator, membersMayAdd: true },
    },
  ];
  for (let i = 0; i < MESSAGES; i++) {
    events.push({ type: 'MessageSent', data: { contactId, messageId: `m${i}`, senderId: members[i % MEMBERS], text: `message ${i}` } });
  }
  return events;
}

/** Whatever a lookup may do, walking the whole collection is what would make a command cost grow with it. */
function forbidWalking<T extends Set<string> | Map<string, unknown>>(collection: T, name: string): T {
  const refuse = () => {
    throw new Error(`a command walked every entry of ${name}`);
  };
  for (const method of ['forEach', 'keys', 'values', 'entries', Symbol.iterator] as const)
    Object.defineProperty(collection, method, { value: refuse });
  return collection;
}

const command = {
  send: { type: 'SendMessage', data: { contactId, messageId: 'new', senderId: sender, text: 'still here' } },
  edit: { type: 'EditMessage', data: { contactId, messageId: 'm1', editorId: sender, text: 'changed' } },
  delete: { type: 'DeleteMessage', data: { contactId, messageId: 'm1', deletedBy: sender } },
  read: { type: 'MarkConversationRead', data: { contactId, userId: sender, messageId: `m${MESSAGES - 1}` } },
  rename: { type: 'RenameGroup', data: { contactId, title: 'Still everyone', renamedBy: sender } },
} satisfies Record<string, ContactCommand>;

describe(`a group of ${MEMBERS} members and ${MESSAGES.toLocaleString('en')} messages`, () => {
  const state: ContactState = busyGroup().reduce(contactDecider.evolve, contactDecider.initialState());
  if (state.status === 'none' || state.kind !== 'group') throw new Error('the group should exist');

  it('keeps one small record per message and the members as a set', () => {
    expect(state.messages.size).toBe(MESSAGES);
    expect(state.members.size).toBe(MEMBERS);
    expect(state.messages.get(`m${MESSAGES - 1}`)).toEqual({
      senderId: members[(MESSAGES - 1) % MEMBERS],
      deleted: false,
      seq: MESSAGES - 1,
      textFingerprint: expect.any(Number),
    });
  });

  it('decides a send, an edit, a delete, a read and a rename by lookups alone: no walk over its members or messages', () => {
    forbidWalking(state.members, 'the members');
    forbidWalking(state.admins, 'the admins');
    forbidWalking(state.messages, 'the messages');
    forbidWalking(state.lastReadSeq, 'the read marks');
    expect(contactDecider.decide(command.send, state)).toEqual([{ type: 'MessageSent', data: command.send.data }]);
    expect(contactDecider.decide(command.edit, state)).toEqual([{ type: 'MessageEdited', data: command.edit.data }]);
    expect(contactDecider.decide(command.delete, state)).toEqual([{ type: 'MessageDeleted', data: command.delete.data }]);
    expect(contactDecider.decide(command.read, state)).toEqual([{ type: 'ConversationRead', data: command.read.data }]);
    expect(contactDecider.decide(command.rename, state)).toEqual([{ type: 'GroupRenamed', data: command.rename.data }]);
  });

  it('evolves in place: the state after a send is the same object, one record longer', () => {
    const after = contactDecider.evolve(state, { type: 'MessageSent', data: command.send.data });
    expect(after).toBe(state);
    expect(state.messages.size).toBe(MESSAGES + 1);
  });
});
