import { streams } from '../../domain/events.js';
import type { EventStore, RecordedEvent } from '../../application/ports/event-store.js';
import { conversationAsOf, conversationChanges, readableBy, type HistoricMessage, type MessageChange } from './conversation-history.js';

/** Who may look: `membersFor` throws (CONTACT_NOT_FOUND) for anyone who is not a member. */
export interface ContactMembership {
  membersFor(userId: string, contactId: string): Promise<readonly string[]>;
}

const PAGE = 5_000;

/** Time travel and the edit/delete history of a conversation, computed from its stream, for members only. */
export class ConversationAudit {
  constructor(
    private readonly store: EventStore,
    private readonly contacts: ContactMembership,
  ) {}

  /**
   * A page of the conversation as it stood at `asOf`, with the same keyset paging as the live history: of a
   * group, only what the caller could read (their membership periods, as far as the log had them then).
   */
  async messagesAsOf(
    userId: string,
    contactId: string,
    { asOf, before, after, limit }: { asOf: Date; before?: string; after?: string; limit: number },
  ): Promise<{ messages: HistoricMessage[]; hasMore: boolean } | null> {
    await this.contacts.membersFor(userId, contactId);
    const events = await this.contactEvents(contactId, asOf);
    const all = conversationAsOf(events, asOf, readableBy(events, userId));
    const cursor = before ?? after;
    let index = all.length;
    if (cursor) {
      index = all.findIndex((m) => m.id === cursor);
      if (index < 0) return null;
    }
    if (after !== undefined) {
      const page = all.slice(index + 1, index + 1 + limit);
      return { messages: page, hasMore: index + 1 + limit < all.length };
    }
    const start = Math.max(0, index - limit);
    return { messages: all.slice(start, index), hasMore: start > 0 };
  }

  async changes(userId: string, contactId: string): Promise<MessageChange[]> {
    await this.contacts.membersFor(userId, contactId);
    const events = await this.contactEvents(contactId);
    return conversationChanges(events, readableBy(events, userId));
  }

  private async contactEvents(contactId: string, until?: Date): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    for (let from = 0; ;) {
      const page = await this.store.readStream(streams.contact(contactId), { from, limit: PAGE });
      events.push(...page);
      const last = page[page.length - 1];
      if (page.length < PAGE || (until && Date.parse(last.metadata.timestamp) > until.getTime())) return events;
      from = last.revision + 1;
    }
  }
}
