import { describe, it } from 'vitest';
import { DeciderSpecification } from '../../test/support/decider-specification.js';
import { contactDecider, type ContactCommand } from './contact.js';
import type {
  ContactAdded,
  ContactEvent,
  ContactRequested,
  ConversationRead,
  MessageDeleted,
  MessageEdited,
  MessageSent,
} from './events.js';

const spec = DeciderSpecification.for(contactDecider);

const contactId = 'contact-1';
const ada = 'ada';
const bob = 'bob';
const eve = 'eve';

const requestContact = (members: [string, string], requestedBy: string): ContactCommand => ({
  type: 'RequestContact',
  data: { contactId, members, requestedBy, message: null, at: '2026-12-01T00:00:00.000Z', cooldownMs: 0, blockedByRecipient: false },
});
const sendMessage = (messageId: string, senderId: string, text = 'hello'): ContactCommand => ({
  type: 'SendMessage',
  data: { contactId, messageId, senderId, text },
});
const editMessage = (messageId: string, editorId: string, text: string): ContactCommand => ({
  type: 'EditMessage',
  data: { contactId, messageId, editorId, text },
});
const deleteMessage = (messageId: string, deletedBy: string): ContactCommand => ({
  type: 'DeleteMessage',
  data: { contactId, messageId, deletedBy },
});
const markRead = (userId: string, messageId: string): ContactCommand => ({
  type: 'MarkConversationRead',
  data: { contactId, userId, messageId },
});

const contactAdded = (members = [ada, bob], addedBy = ada): ContactAdded => ({
  type: 'ContactAdded',
  data: { contactId, kind: 'direct', members, addedBy },
});
const messageSent = (messageId: string, senderId: string, text = 'hello'): MessageSent => ({
  type: 'MessageSent',
  data: { contactId, messageId, senderId, text },
});
const messageEdited = (messageId: string, editorId: string, text: string): MessageEdited => ({
  type: 'MessageEdited',
  data: { contactId, messageId, editorId, text },
});
const messageDeleted = (messageId: string, deletedBy: string): MessageDeleted => ({
  type: 'MessageDeleted',
  data: { contactId, messageId, deletedBy },
});
const conversationRead = (userId: string, messageId: string): ConversationRead => ({
  type: 'ConversationRead',
  data: { contactId, userId, messageId },
});

describe('requesting a contact: what is refused', () => {
  it('refuses to add yourself', () => {
    spec
      .given([])
      .when(requestContact([ada, ada], ada))
      .thenThrows('CANNOT_ADD_SELF');
  });

  it('refuses a request made by someone who is not one of its members', () => {
    spec
      .given([])
      .when(requestContact([ada, bob], eve))
      .thenThrows('NOT_A_MEMBER');
  });

  it('does not tell an outsider that the contact exists', () => {
    spec
      .given([contactAdded()])
      .when(requestContact([ada, eve], eve))
      .thenThrows('NOT_A_MEMBER');
  });

  it('refuses a contact without exactly two named members', () => {
    spec
      .given([])
      .when(requestContact([ada, ''], ada))
      .thenThrows('INVALID_MEMBERS');
    spec
      .given([])
      .when(requestContact([ada, bob, eve] as unknown as [string, string], ada))
      .thenThrows('INVALID_MEMBERS');
  });
});

describe('every command on a conversation', () => {
  const commandsBy = (userId: string): [string, ContactCommand][] => [
    ['SendMessage', sendMessage('m2', userId)],
    ['EditMessage', editMessage('m1', userId, 'changed')],
    ['DeleteMessage', deleteMessage('m1', userId)],
    ['MarkConversationRead', markRead(userId, 'm1')],
  ];

  it.each(commandsBy(ada))('%s needs the contact to exist', (_name, command) => {
    spec.given([]).when(command).thenThrows('CONTACT_NOT_FOUND');
  });

  const requested: ContactRequested = {
    type: 'ContactRequested',
    data: { contactId, kind: 'direct', members: [ada, bob], requestedBy: ada, recipientId: bob, message: 'hi', silenced: false },
  };
  const notAccepted: Array<[string, ContactEvent[]]> = [
    ['pending', [requested]],
    [
      'declined',
      [requested, { type: 'ContactRequestDeclined', data: { contactId, declinedBy: bob, declinedAt: '2026-12-01T00:00:00.000Z' } }],
    ],
    ['cancelled', [requested, { type: 'ContactRequestCancelled', data: { contactId, cancelledBy: ada, seenByRecipient: true } }]],
    [
      'removed',
      [contactAdded(), messageSent('m1', ada), { type: 'ContactRemoved', data: { contactId, removedBy: bob, reason: 'removed' } }],
    ],
    [
      'blocked',
      [contactAdded(), messageSent('m1', ada), { type: 'ContactRemoved', data: { contactId, removedBy: bob, reason: 'blocked' } }],
    ],
  ];
  for (const [status, given] of notAccepted) {
    it.each([...commandsBy(ada), ...commandsBy(bob)])(`%s: a ${status} pair is answered as if there were no contact`, (_name, command) => {
      spec.given(given).when(command).thenThrows('CONTACT_NOT_FOUND');
    });
  }

  it.each(commandsBy(eve))('%s is refused to a non-member', (_name, command) => {
    spec
      .given([contactAdded(), messageSent('m1', ada)])
      .when(command)
      .thenThrows('NOT_A_MEMBER');
  });

  it('answers a non-member NOT_A_MEMBER before looking at the message or its text', () => {
    const given = [contactAdded(), messageSent('m1', ada)];
    spec
      .given(given)
      .when(sendMessage('m1', eve, '   '))
      .thenThrows('NOT_A_MEMBER');
    spec
      .given(given)
      .when(editMessage('missing', eve, 'x'))
      .thenThrows('NOT_A_MEMBER');
    spec.given(given).when(markRead(eve, 'missing')).thenThrows('NOT_A_MEMBER');
  });
});

describe('sending a message', () => {
  it('sends a message from a member', () => {
    spec
      .given([contactAdded()])
      .when(sendMessage('m1', ada))
      .then([messageSent('m1', ada)]);
    spec
      .given([contactAdded()])
      .when(sendMessage('m1', bob))
      .then([messageSent('m1', bob)]);
  });

  it('keeps the text exactly as sent, surrounding whitespace included', () => {
    spec
      .given([contactAdded()])
      .when(sendMessage('m1', ada, '  hi\n'))
      .then([messageSent('m1', ada, '  hi\n')]);
  });

  it('accepts a text of 4000 characters, counting characters not UTF-16 units', () => {
    const longest = '🙂'.repeat(4000);
    spec
      .given([contactAdded()])
      .when(sendMessage('m1', ada, longest))
      .then([messageSent('m1', ada, longest)]);
  });

  it.each([
    ['empty', ''],
    ['whitespace only', ' \n\t '],
    ['4001 characters long', 'x'.repeat(4001)],
  ])('refuses a text that is %s', (_case, text) => {
    spec
      .given([contactAdded()])
      .when(sendMessage('m1', ada, text))
      .thenThrows('INVALID_MESSAGE_TEXT');
  });

  it('treats a resend of the same message id by the same sender as a retry', () => {
    spec
      .given([contactAdded(), messageSent('m1', ada)])
      .when(sendMessage('m1', ada))
      .then([]);
  });

  it('treats a resend as a retry even after the message was edited or deleted', () => {
    spec
      .given([contactAdded(), messageSent('m1', ada), messageEdited('m1', ada, 'hi')])
      .when(sendMessage('m1', ada))
      .then([]);
    spec
      .given([contactAdded(), messageSent('m1', ada), messageDeleted('m1', ada)])
      .when(sendMessage('m1', ada))
      .then([]);
  });

  it('refuses a message id already used by the other member', () => {
    spec
      .given([contactAdded(), messageSent('m1', ada)])
      .when(sendMessage('m1', bob))
      .thenThrows('MESSAGE_ID_CONFLICT');
  });
});

describe('editing a message', () => {
  const given = [contactAdded(), messageSent('m1', ada, 'hello')];

  it('lets the sender change the text', () => {
    spec
      .given(given)
      .when(editMessage('m1', ada, 'hello!'))
      .then([messageEdited('m1', ada, 'hello!')]);
  });

  it('refuses an unknown message', () => {
    spec
      .given(given)
      .when(editMessage('m2', ada, 'hello!'))
      .thenThrows('MESSAGE_NOT_FOUND');
  });

  it('refuses anyone but the sender', () => {
    spec
      .given(given)
      .when(editMessage('m1', bob, 'hello!'))
      .thenThrows('NOT_MESSAGE_SENDER');
  });

  it('refuses a deleted message', () => {
    spec
      .given([...given, messageDeleted('m1', ada)])
      .when(editMessage('m1', ada, 'hello!'))
      .thenThrows('MESSAGE_DELETED');
  });

  it('refuses an invalid text', () => {
    spec
      .given(given)
      .when(editMessage('m1', ada, '  '))
      .thenThrows('INVALID_MESSAGE_TEXT');
    spec
      .given(given)
      .when(editMessage('m1', ada, 'x'.repeat(4001)))
      .thenThrows('INVALID_MESSAGE_TEXT');
  });

  it('does nothing when the text is unchanged', () => {
    spec
      .given(given)
      .when(editMessage('m1', ada, 'hello'))
      .then([]);
  });

  it('compares with the latest edit, not the original text', () => {
    const edited = [...given, messageEdited('m1', ada, 'hello!')];
    spec
      .given(edited)
      .when(editMessage('m1', ada, 'hello!'))
      .then([]);
    spec
      .given(edited)
      .when(editMessage('m1', ada, 'hello'))
      .then([messageEdited('m1', ada, 'hello')]);
  });

  it('treats a whitespace-only change as a change', () => {
    spec
      .given(given)
      .when(editMessage('m1', ada, 'hello '))
      .then([messageEdited('m1', ada, 'hello ')]);
  });
});

describe('deleting a message', () => {
  const given = [contactAdded(), messageSent('m1', ada), messageSent('m2', bob)];

  it('lets the sender delete it', () => {
    spec
      .given(given)
      .when(deleteMessage('m1', ada))
      .then([messageDeleted('m1', ada)]);
  });

  it('refuses an unknown message', () => {
    spec.given(given).when(deleteMessage('m3', ada)).thenThrows('MESSAGE_NOT_FOUND');
  });

  it('refuses anyone but the sender', () => {
    spec.given(given).when(deleteMessage('m2', ada)).thenThrows('NOT_MESSAGE_SENDER');
  });

  it('does nothing when the message is already deleted', () => {
    spec
      .given([...given, messageDeleted('m1', ada)])
      .when(deleteMessage('m1', ada))
      .then([]);
  });

  it('leaves a tombstone: the id stays taken and the message keeps its place', () => {
    const deleted = [...given, messageDeleted('m1', ada)];
    spec.given(deleted).when(sendMessage('m1', bob)).thenThrows('MESSAGE_ID_CONFLICT');
    spec.given(deleted).when(sendMessage('m1', ada)).then([]);
    // m1 still precedes m2: having read m2, bob has read past m1 too.
    spec
      .given([...deleted, conversationRead(bob, 'm2')])
      .when(markRead(bob, 'm1'))
      .then([]);
    spec
      .given(deleted)
      .when(markRead(bob, 'm1'))
      .then([conversationRead(bob, 'm1')]);
  });
});

describe('marking a conversation read', () => {
  const given = [contactAdded(), messageSent('m1', ada), messageSent('m2', bob), messageSent('m3', ada)];

  it('records how far a member has read', () => {
    spec
      .given(given)
      .when(markRead(bob, 'm1'))
      .then([conversationRead(bob, 'm1')]);
  });

  it('lets members mark their own messages read', () => {
    spec
      .given(given)
      .when(markRead(ada, 'm1'))
      .then([conversationRead(ada, 'm1')]);
  });

  it('refuses an unknown message', () => {
    spec.given(given).when(markRead(bob, 'nope')).thenThrows('MESSAGE_NOT_FOUND');
  });

  it('does nothing when the member already read up to that message', () => {
    spec
      .given([...given, conversationRead(bob, 'm2')])
      .when(markRead(bob, 'm2'))
      .then([]);
  });

  it('never moves backwards', () => {
    spec
      .given([...given, conversationRead(bob, 'm3')])
      .when(markRead(bob, 'm1'))
      .then([]);
  });

  it('moves forwards', () => {
    spec
      .given([...given, conversationRead(bob, 'm1')])
      .when(markRead(bob, 'm3'))
      .then([conversationRead(bob, 'm3')]);
  });

  it('tracks each member separately', () => {
    spec
      .given([...given, conversationRead(bob, 'm3')])
      .when(markRead(ada, 'm2'))
      .then([conversationRead(ada, 'm2')]);
  });

  it('ignores a stale read receipt already in the stream', () => {
    // Two readers raced: m3 was recorded, then the stale m1. Bob has still read up to m3.
    const raced = [...given, conversationRead(bob, 'm3'), conversationRead(bob, 'm1')];
    spec.given(raced).when(markRead(bob, 'm2')).then([]);
  });

  it('accepts a deleted message as the read mark', () => {
    spec
      .given([...given, messageDeleted('m3', ada)])
      .when(markRead(bob, 'm3'))
      .then([conversationRead(bob, 'm3')]);
  });
});
