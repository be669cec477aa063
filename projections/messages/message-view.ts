import type { MessageAttachment } from '../../domain/contacts/message-attachments.js';
import type { MessageReactions, MessageRow } from './messages.fold.js';

/** How a reply shows the message it answers: its sender and first line, or that it was deleted. */
export interface ReplyQuote {
  id: string;
  senderId: string;
  /** The first line, at most `QUOTE_MAX_LENGTH` characters; null once deleted. */
  text: string | null;
  deleted: boolean;
}

export const QUOTE_MAX_LENGTH = 140;

export interface ReactionView {
  emoji: string;
  count: number;
  userIds: string[];
}

/** A message as the API serves it, from the read model or from time travel. */
export interface MessageView {
  id: string;
  contactId: string;
  senderId: string;
  text: string | null;
  sentAt: string;
  editedAt: string | null;
  deleted: boolean;
  attachments: MessageAttachment[];
  /** The message it answers; null when it answers none (or that one is not readable here). */
  replyTo: ReplyQuote | null;
  reactions: ReactionView[];
}

export function quoteOf(target: Pick<MessageRow, 'id' | 'senderId' | 'text' | 'deleted'>): ReplyQuote {
  const firstLine = target.deleted || target.text === null ? null : [...target.text.split('\n')[0]].slice(0, QUOTE_MAX_LENGTH).join('');
  return { id: target.id, senderId: target.senderId, text: firstLine, deleted: target.deleted };
}

export const reactionViews = (reactions: MessageReactions): ReactionView[] =>
  reactions.map(({ emoji, userIds }) => ({ emoji, count: userIds.length, userIds }));

/** `target`: the message it answers, when it answers one that can be found. */
export const toMessageView = (m: MessageRow, target?: MessageRow | null): MessageView => ({
  id: m.id,
  contactId: m.contactId,
  senderId: m.senderId,
  text: m.deleted ? null : m.text,
  sentAt: m.sentAt,
  editedAt: m.editedAt,
  deleted: m.deleted,
  attachments: m.attachments,
  replyTo: target ? quoteOf(target) : null,
  reactions: reactionViews(m.reactions),
});
