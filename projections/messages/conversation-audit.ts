import { streams } from '../../domain/events.js';
import type { EventStore, RecordedEvent } from '../../application/ports/event-store.js';
import { conversationAsOf, conversationChanges, type HistoricMessage, type MessageChange } from './conversation-history.js';

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
   * A page of the conversation as it stood at `asOf`, with the same keyset paging as the live history;
   * `visible`: only the messages the caller may read (their membership periods).
   */
  async messagesAsOf(
    userId: string,
    contactId: string,
    { asOf, before, after, limit }: { asOf: Date; before?: string; after?: string; limit: number },
    visible?: (seq: number) => boolean,
  ): Promise<{ messages: HistoricMessage[]; hasMore: boolean } | null> {
    await this.contacts.membersFor(userId, contactId);
    const all = conversationAsOf(await this.contactEvents(contactId, asOf), asOf, visible);
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
    return conversationChanges(await this.contactEvents(contactId));
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
