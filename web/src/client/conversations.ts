import {
  applyToConversation,
  emptyConversation,
  withLatestPage,
  withMessage,
  withOlderPage,
  type ConversationState,
} from './state/conversation-state.js';
import { Observable } from './observable.js';
import { withoutOptimisticReaction, withReaction } from './reactions.js';
import { lacksQuote } from './reply-quotes.js';
import type { RestClient } from './transport/rest-client.js';
import type { FeedEvent, Message } from './types.js';

const PAGE = 50;

/** The conversations the user opened in this session, each loaded lazily and kept live. */
export class Conversations {
  private states = new Map<string, Observable<ConversationState>>();
  private loading = new Map<string, Promise<void>>();
  /** What the feed pushed for a conversation while its first page was on its way (the page may predate it). */
  private pushedWhileLoading = new Map<string, FeedEvent[]>();

  constructor(private readonly client: { api: RestClient }) {}

  /** The live state of one conversation (empty until `load`). */
  of(contactId: string): Observable<ConversationState> {
    let state = this.states.get(contactId);
    if (!state) this.states.set(contactId, (state = new Observable(emptyConversation(contactId))));
    return state;
  }

  /** Loads the newest page, once. */
  load(contactId: string): Promise<void> {
    const state = this.of(contactId);
    if (state.value.loaded) return Promise.resolve();
    return this.once(`latest:${contactId}`, async () => {
      const pushed: FeedEvent[] = [];
      this.pushedWhileLoading.set(contactId, pushed);
      try {
        const { messages, hasMore } = await this.client.api.listMessages(contactId, { limit: PAGE });
        state.update((current) => withLatestPage(current, messages, hasMore));
      } finally {
        this.pushedWhileLoading.delete(contactId);
      }
      // Applied in order on top of the page: each sets what it says, so one the page already holds changes nothing.
      for (const event of pushed) this.apply(event);
    });
  }

  /** Loads the page before the oldest loaded message (scrolling up). */
  loadOlder(contactId: string): Promise<void> {
    const state = this.of(contactId);
    const oldest = state.value.messages[0];
    if (!state.value.hasOlder || !oldest) return Promise.resolve();
    return this.once(`older:${contactId}`, async () => {
      const { messages, hasMore } = await this.client.api.listMessages(contactId, { before: oldest.id, limit: PAGE });
      state.update((current) => withOlderPage(current, messages, hasMore));
    });
  }

  /**
   * Loads older pages until `messageId` is loaded (jumping to a search result or a reply's original):
   * true once it is, false when the beginning of the conversation is reached without it.
   */
  async loadUntil(contactId: string, messageId: string): Promise<boolean> {
    await this.load(contactId);
    const state = this.of(contactId);
    const has = () => state.value.messages.some((message) => message.id === messageId);
    while (!has() && state.value.hasOlder) {
      const before = state.value.messages.length;
      await this.loadOlder(contactId);
      if (state.value.messages.length === before) break; // forgotten meanwhile, or nothing older after all
    }
    return has();
  }

  apply(event: FeedEvent) {
    const contactId = (event.data as { contactId?: string }).contactId;
    const state = contactId ? this.states.get(contactId) : undefined;
    if (!contactId || !state?.value.loaded) {
      if (contactId) this.pushedWhileLoading.get(contactId)?.push(event);
      return;
    }
    const quoteMissing = lacksQuote(state.value.messages, event);
    state.update((current) => applyToConversation(current, event));
    if (quoteMissing) void this.readQuotes(contactId, event.position).catch(() => undefined);
  }

  /**
   * A live reply to a message not loaded carries only its id: the newest page, read once the history has
   * that reply (`minPosition`), brings it with the server's quote.
   */
  private async readQuotes(contactId: string, position: number) {
    const { messages, hasMore } = await this.client.api.listMessages(contactId, { limit: PAGE, minPosition: position });
    this.of(contactId).update((current) => (current.loaded ? withLatestPage(current, messages, hasMore) : current));
  }

  /** The server's answer to our own send. */
  confirm(message: Message) {
    const state = this.states.get(message.contactId);
    if (state?.value.loaded) state.update((current) => withMessage(current, message));
  }

  /** Optimistic local change, e.g. an edit, with the previous value to restore on failure. */
  change(contactId: string, update: (state: ConversationState) => ConversationState) {
    const state = this.of(contactId);
    const before = state.value;
    state.set(update(before));
    return () => state.set(before);
  }

  async edit(contactId: string, messageId: string, text: string, now: Date) {
    const undo = this.change(contactId, (state) => ({
      ...state,
      messages: state.messages.map((message) => (message.id === messageId ? { ...message, text, editedAt: now.toISOString() } : message)),
    }));
    try {
      await this.client.api.editMessage(contactId, messageId, text);
    } catch (error) {
      undo();
      throw error;
    }
  }

  async remove(contactId: string, messageId: string) {
    const undo = this.change(contactId, (state) => ({
      ...state,
      messages: state.messages.map((message) => (message.id === messageId ? { ...message, text: '', deleted: true } : message)),
    }));
    try {
      await this.client.api.deleteMessage(contactId, messageId);
    } catch (error) {
      undo();
      throw error;
    }
  }

  /** Adds (`on`) or removes the user's reaction, shown at once and taken back if the server refuses it. */
  async react(contactId: string, messageId: string, emoji: string, userId: string, on: boolean) {
    const state = this.of(contactId);
    const reactionsOf = () => state.value.messages.find((message) => message.id === messageId)?.reactions;
    const before = reactionsOf();
    state.update((current) => withReaction(current, messageId, emoji, userId, on));
    const after = reactionsOf();
    try {
      await this.client.api.setReaction(contactId, messageId, emoji, on);
    } catch (error) {
      state.update((current) => withoutOptimisticReaction(current, messageId, { emoji, userId, on, before, after }));
      throw error;
    }
  }

  /** Reloads the newest page of every loaded conversation (after a gap we could not replay). */
  async resync() {
    await Promise.all(
      [...this.states.entries()]
        .filter(([, state]) => state.value.loaded)
        .map(async ([contactId, state]) => {
          const { messages, hasMore } = await this.client.api.listMessages(contactId, { limit: PAGE });
          state.update((current) => withLatestPage(current, messages, hasMore));
        }),
    );
  }

  /** Shows what was kept on the device (a group the user left), unless the history is already loaded. */
  restore(contactId: string, messages: Message[]) {
    const state = this.of(contactId);
    if (!state.value.loaded) state.set({ contactId, messages, hasOlder: false, loaded: true });
  }

  /** Forgets one conversation (the contact ended): if it comes back, its history is read again. */
  forget(contactId: string) {
    this.states.get(contactId)?.set(emptyConversation(contactId));
  }

  /**
   * Forgets every conversation (sign-out, a new session). The observables stay: elements still
   * subscribed to them see the next session's messages.
   */
  clear() {
    for (const state of this.states.values()) state.set(emptyConversation(state.value.contactId));
    this.loading.clear();
  }

  private once(key: string, run: () => Promise<void>) {
    const running = this.loading.get(key);
    if (running) return running;
    const promise = run().finally(() => this.loading.delete(key));
    this.loading.set(key, promise);
    return promise;
  }
}
