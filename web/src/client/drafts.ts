import type { KeyValueStore } from './key-value-store.js';
import type { ReplyQuote } from './types.js';

/**
 * Unsent text per conversation, and the message it will answer, kept in durable storage so they survive
 * switching and reloading.
 */
export class Drafts {
  constructor(
    private readonly storage: KeyValueStore,
    /** Storage key prefix: one per server and user, so drafts never cross accounts. */
    private readonly prefix: () => string | null,
  ) {}

  get(contactId: string): string {
    const key = this.key(contactId);
    return (key && this.storage.getItem(key)) || '';
  }

  set(contactId: string, text: string) {
    const key = this.key(contactId);
    if (!key) return;
    try {
      if (text.trim()) this.storage.setItem(key, text);
      else this.storage.removeItem(key);
    } catch {
      // Storage full or refused: the draft lives only in the composer.
    }
  }

  /** The message the draft answers (as quoted when chosen), or null. */
  replyTo(contactId: string): ReplyQuote | null {
    const key = this.key(contactId);
    try {
      const stored = key ? this.storage.getItem(`${key}:reply`) : null;
      const quote = stored ? (JSON.parse(stored) as ReplyQuote) : null;
      return quote && typeof quote.id === 'string' ? quote : null;
    } catch {
      return null;
    }
  }

  setReplyTo(contactId: string, quote: ReplyQuote | null) {
    const key = this.key(contactId);
    if (!key) return;
    try {
      if (quote) this.storage.setItem(`${key}:reply`, JSON.stringify(quote));
      else this.storage.removeItem(`${key}:reply`);
    } catch {
      // As for the text: kept only while the conversation is shown.
    }
  }

  clear(contactId: string) {
    this.set(contactId, '');
    this.setReplyTo(contactId, null);
  }

  private key(contactId: string) {
    const prefix = this.prefix();
    return prefix ? `${prefix}:${contactId}` : null;
  }
}
