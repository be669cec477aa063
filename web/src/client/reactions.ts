import type { ConversationState } from './state/conversation-state.js';
import { ApiError } from './transport/api-error.js';
import type { FeedEvent, Message, Reaction } from './types.js';

/** The emoji offered first when adding a reaction (the full picker has the rest). */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;

type ReactionEvent = Extract<FeedEvent, { type: 'ReactionAdded' | 'ReactionRemoved' }>;

export const isReactionEvent = (event: FeedEvent): event is ReactionEvent =>
  event.type === 'ReactionAdded' || event.type === 'ReactionRemoved';

export function hasReacted(message: Pick<Message, 'reactions'>, emoji: string, userId: string): boolean {
  return Boolean(message.reactions?.some((reaction) => reaction.emoji === emoji && reaction.userIds.includes(userId)));
}

/**
 * The reactions once `userId` has (`on`) or has not reacted with `emoji`; the same array when nothing
 * changes, so a push for a reaction already shown (our own, applied optimistically) counts once.
 * A new emoji goes last (first-come order); an emoji nobody has any more goes away.
 */
export function reactionsWith(reactions: Reaction[] = [], emoji: string, userId: string, on: boolean): Reaction[] {
  const index = reactions.findIndex((reaction) => reaction.emoji === emoji);
  const current = index >= 0 ? reactions[index] : null;
  if (on === Boolean(current?.userIds.includes(userId))) return reactions;
  if (!current) return [...reactions, { emoji, count: 1, userIds: [userId] }];
  const userIds = on ? [...current.userIds, userId] : current.userIds.filter((id) => id !== userId);
  if (userIds.length === 0) return reactions.filter((_, at) => at !== index);
  return reactions.map((reaction, at) => (at === index ? { emoji, count: userIds.length, userIds } : reaction));
}

/** Changes one message's reactions; the same state when the message is not loaded or nothing changes. */
function withMessageReactions(
  state: ConversationState,
  messageId: string,
  change: (reactions: Reaction[] | undefined) => Reaction[] | undefined,
) {
  const index = state.messages.findIndex((message) => message.id === messageId);
  if (index < 0) return state;
  const message = state.messages[index];
  if (message.deleted) return state;
  const reactions = change(message.reactions);
  if (reactions === message.reactions) return state;
  const messages = [...state.messages];
  messages[index] = { ...message, reactions };
  return { ...state, messages };
}

export function withReaction(state: ConversationState, messageId: string, emoji: string, userId: string, on: boolean): ConversationState {
  return withMessageReactions(state, messageId, (reactions) => reactionsWith(reactions, emoji, userId, on));
}

/** A pushed (or caught-up) `ReactionAdded` / `ReactionRemoved`: idempotent; a message not loaded is left alone. */
export function applyReaction(state: ConversationState, event: ReactionEvent): ConversationState {
  const { contactId, messageId, userId, emoji } = event.data;
  if (contactId !== state.contactId) return state;
  return withReaction(state, messageId, emoji, userId, event.type === 'ReactionAdded');
}

/**
 * Takes back an optimistic reaction the server refused. If nothing else touched the message's reactions
 * meanwhile, they are restored exactly as they were (an emoji keeps its place); otherwise only the user's
 * own change is undone, keeping what others did in between.
 */
export function withoutOptimisticReaction(
  state: ConversationState,
  messageId: string,
  change: { emoji: string; userId: string; on: boolean; before: Reaction[] | undefined; after: Reaction[] | undefined },
): ConversationState {
  return withMessageReactions(state, messageId, (reactions) =>
    reactions === change.after ? change.before : reactionsWith(reactions, change.emoji, change.userId, !change.on),
  );
}

/** "You", "Ann", "Ann and you", "Ann, Bob and you", "Ann, Bob, … and 3 others": who reacted, the user last. */
export function reactorsText(userIds: readonly string[], myId: string | null, nameOf: (userId: string) => string, shown = 8): string {
  const others = userIds.filter((id) => id !== myId).map(nameOf);
  const mine = myId !== null && userIds.includes(myId);
  const names = others.slice(0, shown);
  const rest = others.length - names.length;
  if (rest > 0) names.push(`${rest} ${rest === 1 ? 'other' : 'others'}`);
  if (mine) names.push(names.length === 0 ? 'You' : 'you');
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** What a reaction chip shows: the emoji, how many, whether the user is among them, and who. */
export type ReactionChip = { emoji: string; count: number; mine: boolean; who: string };

export function reactionChips(
  message: Pick<Message, 'reactions'>,
  myId: string | null,
  nameOf: (userId: string) => string,
): ReactionChip[] {
  return (message.reactions ?? []).map((reaction) => ({
    emoji: reaction.emoji,
    count: reaction.count,
    mine: myId !== null && reaction.userIds.includes(myId),
    who: reactorsText(reaction.userIds, myId, nameOf),
  }));
}

/** The notice for a refused reaction, when it says more than the server's message. */
export function reactionProblem(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  if (error.code === 'TOO_MANY_REACTIONS') return 'This message has the maximum number of different reactions.';
  if (error.statusCode === 429) return 'You are reacting too quickly. Wait a moment and try again.';
  if (error.code === 'MESSAGE_DELETED') return 'This message was deleted.';
  return null;
}
