import type { FeedEvent, Message, ReplyQuote } from './types.js';

/** As the server cuts a quote (projections/messages/message-view.ts): the first line, at most 140 code points. */
const QUOTE_MAX_LENGTH = 140;

export function firstLine(text: string): string {
  return [...text.split('\n')[0]].slice(0, QUOTE_MAX_LENGTH).join('');
}

/** How a reply quotes `message`. */
export function quoteOf(message: Pick<Message, 'id' | 'senderId' | 'text' | 'deleted'>): ReplyQuote {
  return { id: message.id, senderId: message.senderId, text: message.deleted ? null : firstLine(message.text), deleted: message.deleted };
}

/** The id of the message `message` answers: from the history's quote, or the feed's bare id. */
export function replyTargetId(message: Pick<Message, 'replyTo' | 'replyToId'>): string | null {
  return message.replyTo?.id ?? message.replyToId ?? null;
}

/**
 * The quote to show above `message`: the original as loaded (freshest), else the quote the server joined,
 * else `unknown` (a live reply whose original is not loaded: the newest history page has its quote).
 */
export function quoteFor(message: Pick<Message, 'replyTo' | 'replyToId'>, loaded: readonly Message[]): ReplyQuote | 'unknown' | null {
  const targetId = replyTargetId(message);
  if (!targetId) return null;
  const original = loaded.find((candidate) => candidate.id === targetId);
  if (original) return quoteOf(original);
  return message.replyTo ?? 'unknown';
}

/** Whether a feed event brings a reply whose quote this history cannot build (its original is not loaded). */
export function lacksQuote(messages: readonly Message[], event: FeedEvent): boolean {
  if (event.type !== 'MessageSent' || !event.data.replyToId) return false;
  const targetId = event.data.replyToId;
  return !messages.some((message) => message.id === targetId);
}

/**
 * Quotes already shown follow an edit or a deletion of their original, loaded or not
 * (the server's quote was joined when the page was read).
 */
export function withQuotesFollowing(messages: Message[], event: FeedEvent): Message[] {
  if (event.type !== 'MessageEdited' && event.type !== 'MessageDeleted') return messages;
  const { messageId } = event.data;
  if (!messages.some((message) => message.replyTo?.id === messageId)) return messages;
  return messages.map((message) => {
    if (message.replyTo?.id !== messageId) return message;
    const replyTo =
      event.type === 'MessageEdited'
        ? { ...message.replyTo, text: firstLine(event.data.text) }
        : { ...message.replyTo, text: null, deleted: true };
    return { ...message, replyTo };
  });
}

/** A quote as shown: `sender` is null while the original is being read. */
export type QuoteView = { id: string; sender: string | null; text: string | null; deleted: boolean };

/** The quote above `message`, with the original's sender named by `nameOf`; null when it answers nothing. */
export function quoteView(
  message: Pick<Message, 'replyTo' | 'replyToId'>,
  loaded: readonly Message[],
  nameOf: (userId: string) => string,
): QuoteView | null {
  const quote = quoteFor(message, loaded);
  if (quote === null) return null;
  if (quote === 'unknown') return { id: replyTargetId(message)!, sender: null, text: null, deleted: false };
  return { id: quote.id, sender: nameOf(quote.senderId), text: quote.text, deleted: quote.deleted };
}
