import { describe, expect, it } from 'vitest';
import { DeciderSpecification } from '../../test/support/decider-specification.js';
import { contactDecider, type ContactCommand } from './contact.js';
import type { ContactAdded, ContactEvent, MessageSent } from './events.js';
import type { GroupCreated, GroupMemberLeft, GroupMembersAdded } from './group-events.js';
import { isReactionEmoji, REACTIONS_PER_MESSAGE_MAX } from './reaction-emoji.js';

const spec = DeciderSpecification.for(contactDecider);
const contactId = 'contact-1';
const [ada, bob, cyd, dan] = ['ada', 'bob', 'cyd', 'dan'];

const contactAdded: ContactAdded = { type: 'ContactAdded', data: { contactId, kind: 'direct', members: [ada, bob], addedBy: ada } };
const groupCreated: GroupCreated = {
  type: 'GroupCreated',
  data: { contactId, kind: 'group', title: 'G', members: [ada, bob, cyd], admins: [ada], createdBy: ada, membersMayAdd: true },
};
const danAdded: GroupMembersAdded = { type: 'GroupMembersAdded', data: { contactId, userIds: [dan], addedBy: ada } };
const danLeft: GroupMemberLeft = { type: 'GroupMemberLeft', data: { contactId, userId: dan } };
const sent = (messageId: string, senderId = ada, replyTo?: string): MessageSent => ({
  type: 'MessageSent',
  data: { contactId, messageId, senderId, text: `text of ${messageId}`, ...(replyTo ? { replyTo } : {}) },
});
const deleted = (messageId: string, deletedBy = ada): ContactEvent => ({
  type: 'MessageDeleted',
  data: { contactId, messageId, deletedBy },
});
const reply = (messageId: string, replyTo: string, senderId = bob): ContactCommand => ({
  type: 'SendMessage',
  data: { contactId, messageId, senderId, text: `text of ${messageId}`, replyTo },
});
const react = (userId: string, emoji: string, messageId = 'm1'): ContactCommand => ({
  type: 'AddReaction',
  data: { contactId, messageId, userId, emoji },
});
const unreact = (userId: string, emoji: string, messageId = 'm1'): ContactCommand => ({
  type: 'RemoveReaction',
  data: { contactId, messageId, userId, emoji },
});
const reacted = (userId: string, emoji: string, messageId = 'm1'): ContactEvent => ({
  type: 'ReactionAdded',
  data: { contactId, messageId, userId, emoji },
});
const unreacted = (userId: string, emoji: string, messageId = 'm1'): ContactEvent => ({
  type: 'ReactionRemoved',
  data: { contactId, messageId, userId, emoji },
});

describe('replies', () => {
  it('records the message replied to', () => {
    spec
      .given([contactAdded, sent('m1')])
      .when(reply('m2', 'm1'))
      .then([sent('m2', bob, 'm1')]);
  });

  it('may answer a deleted message', () => {
    spec
      .given([contactAdded, sent('m1'), deleted('m1')])
      .when(reply('m2', 'm1'))
      .then([sent('m2', bob, 'm1')]);
  });

  it('refuses a target that is not a message of this conversation', () => {
    spec
      .given([contactAdded, sent('m1')])
      .when(reply('m2', 'elsewhere'))
      .thenThrows('REPLY_TARGET_NOT_FOUND');
    spec.given([contactAdded]).when(reply('m2', 'm2')).thenThrows('REPLY_TARGET_NOT_FOUND');
  });

  it('refuses, as if it did not exist, a group message sent before the sender (last) joined', () => {
    spec
      .given([groupCreated, sent('m1'), danAdded])
      .when(reply('m2', 'm1', dan))
      .thenThrows('REPLY_TARGET_NOT_FOUND');
    spec
      .given([groupCreated, danAdded, sent('m1'), danLeft, sent('m2'), danAdded])
      .when(reply('m3', 'm2', dan))
      .thenThrows('REPLY_TARGET_NOT_FOUND');
    spec
      .given([groupCreated, sent('m1'), danAdded, sent('m2')])
      .when(reply('m3', 'm2', dan))
      .then([sent('m3', dan, 'm2')]);
  });

  it('is refused to a non-member whatever the target', () => {
    spec
      .given([contactAdded, sent('m1')])
      .when(reply('m2', 'm1', cyd))
      .thenThrows('NOT_A_MEMBER');
    spec
      .given([groupCreated, sent('m1'), danAdded, sent('m2'), danLeft])
      .when(reply('m3', 'm2', dan))
      .thenThrows('NOT_A_MEMBER');
  });
});

describe('reactions', () => {
  it('adds a reaction once: adding it again appends nothing', () => {
    spec
      .given([contactAdded, sent('m1')])
      .when(react(bob, '👍'))
      .then([reacted(bob, '👍')]);
    spec
      .given([contactAdded, sent('m1'), reacted(bob, '👍')])
      .when(react(bob, '👍'))
      .then([]);
    spec
      .given([contactAdded, sent('m1'), reacted(bob, '👍')])
      .when(react(ada, '👍'))
      .then([reacted(ada, '👍')]);
  });

  it('removes only a reaction the user has: removing it again appends nothing', () => {
    spec
      .given([contactAdded, sent('m1'), reacted(bob, '👍')])
      .when(unreact(bob, '👍'))
      .then([unreacted(bob, '👍')]);
    spec
      .given([contactAdded, sent('m1'), reacted(bob, '👍'), unreacted(bob, '👍')])
      .when(unreact(bob, '👍'))
      .then([]);
    spec
      .given([contactAdded, sent('m1'), reacted(bob, '👍')])
      .when(unreact(ada, '👍'))
      .then([]);
  });

  it(`allows ${REACTIONS_PER_MESSAGE_MAX} different emoji per message, and more people on one of them`, () => {
    const emoji = [...'😀😁😂😃😄😅😆😇😈😉😊😋😌😍😎😏😐😑😒😓😔'].slice(0, REACTIONS_PER_MESSAGE_MAX + 1);
    const full = emoji.slice(0, REACTIONS_PER_MESSAGE_MAX).map((e) => reacted(ada, e));
    spec
      .given([contactAdded, sent('m1'), ...full])
      .when(react(bob, emoji[REACTIONS_PER_MESSAGE_MAX]))
      .thenThrows('TOO_MANY_REACTIONS');
    spec
      .given([contactAdded, sent('m1'), ...full])
      .when(react(bob, emoji[0]))
      .then([reacted(bob, emoji[0])]);
    spec
      .given([contactAdded, sent('m1'), ...full, unreacted(ada, emoji[0])])
      .when(react(bob, emoji[REACTIONS_PER_MESSAGE_MAX]))
      .then([reacted(bob, emoji[REACTIONS_PER_MESSAGE_MAX])]);
  });

  it('refuses a deleted or unknown message', () => {
    spec
      .given([contactAdded, sent('m1'), deleted('m1')])
      .when(react(bob, '👍'))
      .thenThrows('MESSAGE_DELETED');
    spec
      .given([contactAdded, sent('m1'), deleted('m1')])
      .when(unreact(bob, '👍'))
      .thenThrows('MESSAGE_DELETED');
    spec.given([contactAdded]).when(react(bob, '👍')).thenThrows('MESSAGE_NOT_FOUND');
  });

  it('refuses non-members, former members, and a group message from before the member joined', () => {
    spec
      .given([contactAdded, sent('m1')])
      .when(react(cyd, '👍'))
      .thenThrows('NOT_A_MEMBER');
    spec
      .given([groupCreated, danAdded, sent('m1'), danLeft])
      .when(react(dan, '👍'))
      .thenThrows('NOT_A_MEMBER');
    spec
      .given([groupCreated, sent('m1'), danAdded])
      .when(react(dan, '👍'))
      .thenThrows('MESSAGE_NOT_FOUND');
  });

  it('refuses what is not a single emoji', () => {
    for (const emoji of ['', 'a', '👍👍', ':+1:', '👍 ', 'x'.repeat(40)])
      spec
        .given([contactAdded, sent('m1')])
        .when(react(bob, emoji))
        .thenThrows('INVALID_REACTION');
  });
});

describe('isReactionEmoji', () => {
  it('accepts single emoji graphemes, skin tones, flags, ZWJ sequences and keycaps', () => {
    for (const emoji of ['👍', '❤️', '👍🏽', '🇫🇷', '👨‍👩‍👧', '1️⃣']) expect(isReactionEmoji(emoji), emoji).toBe(true);
  });
  it('refuses letters, digits, several graphemes and combining tricks', () => {
    for (const emoji of ['a', '1', '👍👍', 'é', '👍a', '\u0301', '\u200d']) expect(isReactionEmoji(emoji), emoji).toBe(false);
  });
});
