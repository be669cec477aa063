import { describe, expect, it } from 'vitest';
import { Conversations } from '../../../web/src/client/conversations.js';
import { reactionChips, reactionProblem, reactorsText, reactionsWith } from '../../../web/src/client/reactions.js';
import { applyToContacts } from '../../../web/src/client/state/contacts-state.js';
import {
  applyToConversation,
  emptyConversation,
  withLatestPage,
  type ConversationState,
} from '../../../web/src/client/state/conversation-state.js';
import { applyToGroups } from '../../../web/src/client/state/groups-state.js';
import { ApiError } from '../../../web/src/client/transport/api-error.js';
import type { RestClient } from '../../../web/src/client/transport/rest-client.js';
import type { FeedEvent, Message } from '../../../web/src/client/types.js';
import { alice, bob, contact, message } from './fixtures.js';

const carol = { id: 'u-carol', username: 'carol', displayName: 'Carol' };

const reaction = (
  type: 'ReactionAdded' | 'ReactionRemoved',
  position: number,
  userId: string,
  emoji: string,
  messageId = 'm1',
): FeedEvent =>
  type === 'ReactionAdded'
    ? { type, position, data: { contactId: 'c1', messageId, userId, emoji, reactedAt: '2024-05-01T10:05:00.000Z' } }
    : { type, position, data: { contactId: 'c1', messageId, userId, emoji, removedAt: '2024-05-01T10:06:00.000Z' } };

const loaded = (messages: Message[] = [message('m1', bob.id), message('m2', alice.id)]): ConversationState =>
  withLatestPage(emptyConversation('c1'), messages, false);

const reactionsOf = (state: ConversationState, id = 'm1') => state.messages.find((m) => m.id === id)?.reactions ?? [];

describe('reactions in a conversation', () => {
  it('adds pushed reactions in first-come order, counts users, and drops an emoji nobody has any more', () => {
    let state = loaded();
    state = applyToConversation(state, reaction('ReactionAdded', 1, bob.id, '👍'));
    state = applyToConversation(state, reaction('ReactionAdded', 2, alice.id, '❤️'));
    state = applyToConversation(state, reaction('ReactionAdded', 3, alice.id, '👍'));
    expect(reactionsOf(state)).toEqual([
      { emoji: '👍', count: 2, userIds: [bob.id, alice.id] },
      { emoji: '❤️', count: 1, userIds: [alice.id] },
    ]);
    state = applyToConversation(state, reaction('ReactionRemoved', 4, bob.id, '👍'));
    state = applyToConversation(state, reaction('ReactionRemoved', 5, alice.id, '❤️'));
    expect(reactionsOf(state)).toEqual([{ emoji: '👍', count: 1, userIds: [alice.id] }]);
    expect(reactionsOf(state, 'm2')).toEqual([]);
  });

  it('is idempotent: a repeated push, or the push of a reaction already shown, changes nothing (the same state)', () => {
    const state = applyToConversation(loaded(), reaction('ReactionAdded', 1, bob.id, '👍'));
    expect(applyToConversation(state, reaction('ReactionAdded', 2, bob.id, '👍'))).toBe(state);
    expect(applyToConversation(state, reaction('ReactionRemoved', 3, alice.id, '👍'))).toBe(state);
    expect(applyToConversation(state, reaction('ReactionRemoved', 4, bob.id, '😂'))).toBe(state);
  });

  it('ignores a push for a message that is not loaded, for another conversation, or for a deleted message', () => {
    const state = loaded();
    expect(applyToConversation(state, reaction('ReactionAdded', 1, bob.id, '👍', 'm-old'))).toBe(state);
    const other: FeedEvent = {
      type: 'ReactionAdded',
      position: 2,
      data: { contactId: 'c2', messageId: 'm1', userId: bob.id, emoji: '👍', reactedAt: '2024-05-01T10:05:00.000Z' },
    };
    expect(applyToConversation(state, other)).toBe(state);
    let deleted = applyToConversation(state, reaction('ReactionAdded', 3, bob.id, '👍'));
    deleted = applyToConversation(deleted, {
      type: 'MessageDeleted',
      position: 4,
      data: { contactId: 'c1', messageId: 'm1', deletedAt: '2024-05-01T10:07:00.000Z' },
    } as FeedEvent);
    expect(reactionsOf(deleted)).toEqual([]);
    expect(applyToConversation(deleted, reaction('ReactionAdded', 5, alice.id, '❤️'))).toBe(deleted);
  });

  it('keeps the reactions a history page carries', () => {
    const state = loaded([{ ...message('m1', bob.id), reactions: [{ emoji: '🎉', count: 1, userIds: [bob.id] }] }]);
    expect(reactionsOf(applyToConversation(state, reaction('ReactionAdded', 1, alice.id, '🎉')))).toEqual([
      { emoji: '🎉', count: 2, userIds: [bob.id, alice.id] },
    ]);
  });

  it('never changes unread counts, the conversation order or a group', () => {
    const contacts = {
      contacts: [contact({ unreadCount: 2 }), contact({ id: 'c2', lastActivityAt: '2024-05-01T09:30:00.000Z' })],
      requests: [],
      presence: {},
      groups: [],
    };
    for (const event of [reaction('ReactionAdded', 1, bob.id, '👍'), reaction('ReactionRemoved', 2, bob.id, '👍')]) {
      expect(applyToContacts(contacts, event, { me: alice, openContactId: null })).toBe(contacts);
      expect(applyToGroups([], event, { me: alice, openContactId: null, knownUser: () => null })).toEqual([]);
    }
  });
});

describe('reactionsWith', () => {
  it('returns the same array when the user already has (or has not) the reaction', () => {
    const reactions = [{ emoji: '👍', count: 1, userIds: [bob.id] }];
    expect(reactionsWith(reactions, '👍', bob.id, true)).toBe(reactions);
    expect(reactionsWith(reactions, '👍', alice.id, false)).toBe(reactions);
    expect(reactionsWith(undefined, '👍', alice.id, true)).toEqual([{ emoji: '👍', count: 1, userIds: [alice.id] }]);
  });
});

describe('who reacted', () => {
  const names: Record<string, string> = { [bob.id]: 'Bob', [carol.id]: 'Carol', [alice.id]: 'Alice' };
  const nameOf = (id: string) => names[id] ?? 'Someone';

  it('names the others in the order they reacted, and the user last as "you"', () => {
    expect(reactorsText([alice.id], alice.id, nameOf)).toBe('You');
    expect(reactorsText([bob.id], alice.id, nameOf)).toBe('Bob');
    expect(reactorsText([alice.id, bob.id], alice.id, nameOf)).toBe('Bob and you');
    expect(reactorsText([carol.id, alice.id, bob.id], alice.id, nameOf)).toBe('Carol, Bob and you');
    expect(reactorsText(['a', 'b', 'c', bob.id], alice.id, nameOf, 2)).toBe('Someone, Someone and 2 others');
  });

  it('makes chips in the server order, pressed where the user reacted', () => {
    const chips = reactionChips(
      {
        reactions: [
          { emoji: '😂', count: 2, userIds: [bob.id, alice.id] },
          { emoji: '👍', count: 1, userIds: [carol.id] },
        ],
      },
      alice.id,
      nameOf,
    );
    expect(chips).toEqual([
      { emoji: '😂', count: 2, mine: true, who: 'Bob and you' },
      { emoji: '👍', count: 1, mine: false, who: 'Carol' },
    ]);
  });

  it('explains the refusals that the server message leaves unclear', () => {
    expect(reactionProblem(new ApiError(409, 'TOO_MANY_REACTIONS', 'Too many'))).toBe(
      'This message has the maximum number of different reactions.',
    );
    expect(reactionProblem(new ApiError(429, 'RATE_LIMITED', 'Slow down'))).toMatch(/too quickly/);
    expect(reactionProblem(new ApiError(400, 'INVALID_REACTION', 'Not an emoji'))).toBeNull();
  });
});

describe('my own reaction (optimistic)', () => {
  function conversations(answer: () => Promise<unknown>) {
    const calls: Array<[string, string, string, boolean]> = [];
    const api = {
      listMessages: async () => ({ messages: [message('m1', bob.id)], hasMore: false }),
      setReaction: (contactId: string, messageId: string, emoji: string, on: boolean) => {
        calls.push([contactId, messageId, emoji, on]);
        return answer();
      },
    } as unknown as RestClient;
    return { list: new Conversations({ api }), calls };
  }

  it('shows at once, and the push of the same reaction does not count it twice', async () => {
    const { list, calls } = conversations(async () => ({ position: 7 }));
    await list.load('c1');
    const sending = list.react('c1', 'm1', '👍', alice.id, true);
    expect(reactionsOf(list.of('c1').value)).toEqual([{ emoji: '👍', count: 1, userIds: [alice.id] }]);
    await sending;
    list.apply(reaction('ReactionAdded', 7, alice.id, '👍'));
    expect(reactionsOf(list.of('c1').value)).toEqual([{ emoji: '👍', count: 1, userIds: [alice.id] }]);
    expect(calls).toEqual([['c1', 'm1', '👍', true]]);
  });

  it('is taken back when the server refuses, restoring the chips as they were, and the error is passed on', async () => {
    const refusal = new ApiError(409, 'TOO_MANY_REACTIONS', 'Too many');
    const { list } = conversations(async () => Promise.reject(refusal));
    await list.load('c1');
    list.apply(reaction('ReactionAdded', 1, bob.id, '❤️'));
    list.apply(reaction('ReactionAdded', 2, alice.id, '👍'));
    list.apply(reaction('ReactionAdded', 3, bob.id, '😂'));
    const before = reactionsOf(list.of('c1').value);
    await expect(list.react('c1', 'm1', '👍', alice.id, false)).rejects.toBe(refusal);
    // 👍 keeps its place in the middle.
    expect(reactionsOf(list.of('c1').value)).toEqual(before);
  });

  it('a refused reaction is undone alone, keeping a reaction someone else added meanwhile', async () => {
    let refuse!: (error: unknown) => void;
    const { list } = conversations(() => new Promise((_, reject) => (refuse = reject)));
    await list.load('c1');
    const sending = list.react('c1', 'm1', '👍', alice.id, true);
    list.apply(reaction('ReactionAdded', 1, bob.id, '👍'));
    refuse(new ApiError(429, 'RATE_LIMITED', 'Slow down'));
    await expect(sending).rejects.toBeInstanceOf(ApiError);
    expect(reactionsOf(list.of('c1').value)).toEqual([{ emoji: '👍', count: 1, userIds: [bob.id] }]);
  });
});
