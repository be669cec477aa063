import type { KeyValueStore } from './key-value-store.js';

/** Unsent text per conversation, kept in durable storage so it survives switching and reloading. */
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

  clear(contactId: string) {
    this.set(contactId, '');
  }

  private key(contactId: string) {
    const prefix = this.prefix();
    return prefix ? `${prefix}:${contactId}` : null;
  }
}
