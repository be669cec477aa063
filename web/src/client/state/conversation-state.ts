import { applyReaction } from '../reactions.js';
import { withQuotesFollowing } from '../reply-quotes.js';
import type { OutboxEntry } from '../sync/outbox.js';
import type { FeedEvent, Message } from '../types.js';

/** One conversation's loaded history: confirmed messages, oldest first, each id once. */
export type ConversationState = {
  contactId: string;
  messages: Message[];
  /** Older pages exist on the server. */
  hasOlder: boolean;
  loaded: boolean;
};

/** A message as shown: confirmed, or still in the outbox. */
export type ShownMessage = Message & { status: 'sent' | 'pending' | 'failed'; error?: string };

export const emptyConversation = (contactId: string): ConversationState => ({
  contactId,
  messages: [],
  hasOlder: false,
  loaded: false,
});

/**
 * Adds new messages in the order the server accepted them (by `sentAt`, ties keep arrival order),
 * and replaces known ones in place. A reply to our own send can overtake an earlier message that
 * a catch-up is still fetching; it must not stay ahead of it.
 */
function upsert(messages: Message[], incoming: Message[]): Message[] {
  const result = [...messages];
  for (const message of incoming) {
    const index = result.findIndex((known) => known.id === message.id);
    if (index >= 0) {
      result[index] = message;
      continue;
    }
    let at = result.length;
    while (at > 0 && result[at - 1].sentAt > message.sentAt) at--;
    result.splice(at, 0, message);
  }
  return result;
}

/** The newest page, loaded when the conversation opens (or re-synced after a gap). */
export function withLatestPage(state: ConversationState, page: Message[], hasMore: boolean): ConversationState {
  if (!state.loaded) return { ...state, messages: page, hasOlder: hasMore, loaded: true };
  const known = new Set(page.map((message) => message.id));
  // If the page does not reach back to what we had, what lies between is unknown: start over.
  const overlaps = state.messages.length === 0 || !hasMore || state.messages.some((message) => known.has(message.id));
  if (!overlaps) return { ...state, messages: page, hasOlder: true };
  return { ...state, messages: upsert(state.messages, page) };
}

/** An older page, prepended (scrolling up). */
export function withOlderPage(state: ConversationState, page: Message[], hasMore: boolean): ConversationState {
  const known = new Set(state.messages.map((message) => message.id));
  return { ...state, messages: [...page.filter((message) => !known.has(message.id)), ...state.messages], hasOlder: hasMore };
}

/** A message confirmed by the server (the answer to our own send). */
export function withMessage(state: ConversationState, message: Message): ConversationState {
  if (message.contactId !== state.contactId) return state;
  return { ...state, messages: upsert(state.messages, [message]) };
}

export function applyToConversation(state: ConversationState, event: FeedEvent): ConversationState {
  if (!('contactId' in event.data) || event.data.contactId !== state.contactId) return state;
  const quoted = withQuotesFollowing(state.messages, event);
  if (quoted !== state.messages) state = { ...state, messages: quoted };
  switch (event.type) {
    case 'MessageSent': {
      const { contactId, messageId, senderId, text, sentAt, attachments = [], replyToId } = event.data;
      if (state.messages.some((message) => message.id === messageId)) return state;
      const reply = replyToId ? { replyToId } : {};
      return withMessage(state, {
        id: messageId,
        contactId,
        senderId,
        text,
        sentAt,
        editedAt: null,
        deleted: false,
        attachments,
        ...reply,
      });
    }
    case 'MessageEdited':
      return {
        ...state,
        messages: state.messages.map((message) =>
          message.id === event.data.messageId ? { ...message, text: event.data.text, editedAt: event.data.editedAt } : message,
        ),
      };
    case 'MessageDeleted':
      return {
        ...state,
        messages: state.messages.map((message) =>
          message.id === event.data.messageId ? { ...message, text: '', deleted: true, attachments: [], reactions: [] } : message,
        ),
      };
    case 'ReactionAdded':
    case 'ReactionRemoved':
      return applyReaction(state, event);
    default:
      return state;
  }
}

/** Confirmed messages, then the outbox's for this conversation that the server has not confirmed. */
export function shownMessages(state: ConversationState, outbox: readonly OutboxEntry[]): ShownMessage[] {
  const confirmed = new Set(state.messages.map((message) => message.id));
  const shown: ShownMessage[] = state.messages.map((message) => ({ ...message, status: 'sent' }));
  for (const entry of outbox) {
    if (entry.contactId !== state.contactId || confirmed.has(entry.id)) continue;
    shown.push({
      id: entry.id,
      contactId: entry.contactId,
      senderId: entry.senderId,
      text: entry.text,
      sentAt: entry.createdAt,
      editedAt: null,
      deleted: false,
      attachments: entry.attachments ?? [],
      ...(entry.replyTo ? { replyTo: entry.replyTo } : {}),
      status: entry.status === 'failed' ? 'failed' : 'pending',
      error: entry.error,
    });
  }
  return shown;
}

/** The id of the newest own message the peer has read, for the "Seen" mark. */
export function seenMessageId(messages: readonly Message[], myId: string, peerLastReadMessageId: string | null) {
  if (!peerLastReadMessageId) return null;
  const readIndex = messages.findIndex((message) => message.id === peerLastReadMessageId);
  if (readIndex < 0) return null;
  for (let index = readIndex; index >= 0; index--) {
    if (messages[index].senderId === myId && !messages[index].deleted) return messages[index].id;
  }
  return null;
}
