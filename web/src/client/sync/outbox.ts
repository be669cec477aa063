import { ApiError } from '../transport/api-error.js';
import type { KeyValueStore } from '../key-value-store.js';
import type { Attachment, Message, ReplyQuote } from '../types.js';

/** A message the user wrote that the server has not confirmed yet. */
export type OutboxEntry = {
  id: string;
  contactId: string;
  senderId: string;
  text: string;
  /** Files already uploaded, sent with the text. */
  attachments?: Attachment[];
  /** The message this one answers, as quoted when written (shown while unsent; its id is sent). */
  replyTo?: ReplyQuote;
  createdAt: string;
  /** `pending`: will be (re)sent; `failed`: the server refused it, the user may retry or discard. */
  status: 'pending' | 'failed';
  attempts: number;
  error?: string;
};

export type OutboxOptions = {
  storage: KeyValueStore;
  /** Storage key; one outbox per server and user. */
  key: string;
  senderId: string;
  send: (entry: OutboxEntry) => Promise<Message>;
  onSent: (message: Message, entry: OutboxEntry) => void;
  newId?: () => string;
  now?: () => Date;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
  /** Backoff after the n-th failed attempt, in ms. */
  retryDelay?: (attempt: number) => number;
};

const defaultRetryDelay = (attempt: number) => Math.min(30_000, 1_000 * 2 ** Math.max(0, attempt - 1));

/**
 * Optimistic sending: an entry shows at once, is sent with its client-generated id (so a repeat is
 * a no-op on the server), is retried after network failures, and survives a reload in storage.
 * Entries go out one at a time, in the order they were written.
 */
export class Outbox {
  private entries: OutboxEntry[];
  private flushing: Promise<void> | null = null;
  private timer: unknown = null;
  private listeners = new Set<(entries: readonly OutboxEntry[]) => void>();
  private stopped = false;

  constructor(private readonly options: OutboxOptions) {
    this.entries = this.load();
  }

  get all(): readonly OutboxEntry[] {
    return this.entries;
  }

  entriesFor(contactId: string): OutboxEntry[] {
    return this.entries.filter((entry) => entry.contactId === contactId);
  }

  subscribe(listener: (entries: readonly OutboxEntry[]) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Queues a message and starts sending it. */
  enqueue(contactId: string, text: string, attachments: Attachment[] = [], replyTo?: ReplyQuote | null): OutboxEntry {
    const entry: OutboxEntry = {
      id: (this.options.newId ?? (() => crypto.randomUUID()))(),
      contactId,
      senderId: this.options.senderId,
      text,
      ...(attachments.length > 0 ? { attachments } : {}),
      ...(replyTo ? { replyTo } : {}),
      createdAt: (this.options.now?.() ?? new Date()).toISOString(),
      status: 'pending',
      attempts: 0,
    };
    this.entries = [...this.entries, entry];
    this.changed();
    void this.flush();
    return entry;
  }

  /** Sends again a message the server refused. */
  retry(id: string) {
    this.entries = this.entries.map((entry) => (entry.id === id ? { ...entry, status: 'pending' as const, error: undefined } : entry));
    this.changed();
    return this.flush();
  }

  discard(id: string) {
    this.entries = this.entries.filter((entry) => entry.id !== id);
    this.changed();
  }

  /** The server already has this message (e.g. its `MessageSent` arrived first): stop sending it. */
  confirm(id: string) {
    if (!this.entries.some((entry) => entry.id === id)) return;
    this.discard(id);
  }

  /** Sends every pending entry, oldest first. Safe to call any time (e.g. on reconnect). */
  flush(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.timer !== null) {
      (this.options.clearTimer ?? clearTimeout)(this.timer as ReturnType<typeof setTimeout>);
      this.timer = null;
    }
    if (!this.flushing) {
      this.flushing = this.sendAll().finally(() => {
        this.flushing = null;
      });
    }
    return this.flushing;
  }

  /** Stops sending (sign-out); entries stay stored for the same user's next session. */
  stop() {
    this.stopped = true;
    if (this.timer !== null) (this.options.clearTimer ?? clearTimeout)(this.timer as ReturnType<typeof setTimeout>);
    this.timer = null;
  }

  private async sendAll() {
    for (;;) {
      const entry = this.entries.find((candidate) => candidate.status === 'pending');
      if (!entry || this.stopped) return;
      try {
        const message = await this.options.send(entry);
        this.entries = this.entries.filter((candidate) => candidate.id !== entry.id);
        this.changed();
        this.options.onSent(message, entry);
      } catch (error) {
        const attempts = entry.attempts + 1;
        if (error instanceof ApiError && error.statusCode === 401) {
          // Signed out meanwhile: keep it pending for when the session is back.
          this.replace(entry.id, { attempts, error: error.message });
          return;
        }
        if (error instanceof ApiError && !error.isRetryable) {
          this.replace(entry.id, { status: 'failed', attempts, error: error.message });
          continue;
        }
        this.replace(entry.id, { attempts, error: error instanceof Error ? error.message : String(error) });
        this.scheduleRetry(attempts);
        return;
      }
    }
  }

  private scheduleRetry(attempts: number) {
    if (this.stopped) return;
    const delay = (this.options.retryDelay ?? defaultRetryDelay)(attempts);
    this.timer = (this.options.setTimer ?? setTimeout)(() => {
      this.timer = null;
      void this.flush();
    }, delay);
  }

  private replace(id: string, change: Partial<OutboxEntry>) {
    this.entries = this.entries.map((entry) => (entry.id === id ? { ...entry, ...change } : entry));
    this.changed();
  }

  private changed() {
    this.options.storage.setItem(this.options.key, JSON.stringify(this.entries));
    for (const listener of [...this.listeners]) listener(this.entries);
  }

  private load(): OutboxEntry[] {
    try {
      const stored = JSON.parse(this.options.storage.getItem(this.options.key) ?? '[]') as OutboxEntry[];
      return Array.isArray(stored) ? stored.filter((entry) => entry && typeof entry.id === 'string') : [];
    } catch {
      return [];
    }
  }
}
