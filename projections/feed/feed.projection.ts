import type { RecordedEvent } from '../../application/ports/event-store.js';
import type { ContactAdded } from '../../domain/contacts/events.js';
import { applyFeedBatch } from './feed.batch.js';
import type { LeaderMemory, Projection, Sql } from '../projection.js';

export interface FeedEntry {
  userId: string;
  type: string;
  position: number;
  data: Record<string, unknown>;
}

/** The moment an event happened, under the name clients expect for its type. */
const TIMESTAMP_FIELD: Record<string, string> = {
  ContactAdded: 'addedAt',
  MessageSent: 'sentAt',
  MessageEdited: 'editedAt',
  MessageDeleted: 'deletedAt',
  ConversationRead: 'readAt',
};

/** Events about a contact or a meeting in it; account events concern nobody else's feed. */
function contactIdOf(event: RecordedEvent): string | null {
  const data = event.data as { contactId?: unknown };
  return typeof data?.contactId === 'string' ? data.contactId : null;
}

/** What each user may see, in global order; `afterCommit` pushes the new entries to their sockets. */
export function feedProjection(push: (entries: FeedEntry[]) => void | Promise<void> = () => {}): Projection<FeedEntry> {
  return {
    name: 'feed',
    tables: ['feed', 'feed_contact_members'],
    async apply(sql: Sql, event: RecordedEvent) {
      const contactId = contactIdOf(event);
      if (!contactId) return;
      if (event.type === 'ContactAdded') {
        const { members } = event.data as ContactAdded['data'];
        for (const userId of members) {
          await sql.query('INSERT INTO feed_contact_members (contact_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
            contactId,
            userId,
          ]);
        }
      }
      const timestampField = TIMESTAMP_FIELD[event.type] ?? 'at';
      const data = { ...(event.data as Record<string, unknown>), [timestampField]: event.metadata.timestamp };
      const { rows } = await sql.query<{ user_id: string }>(
        `INSERT INTO feed (user_id, position, type, data)
         SELECT user_id, $2, $3, $4 FROM feed_contact_members WHERE contact_id = $1
         ON CONFLICT DO NOTHING RETURNING user_id`,
        [contactId, event.position, event.type, data],
      );
      return rows.map((r) => ({ userId: r.user_id, type: event.type, position: event.position, data }));
    },
    applyBatch(sql: Sql, events: RecordedEvent[], options?: { outputs?: boolean; memory?: LeaderMemory }) {
      return applyFeedBatch(sql, events, this, (type) => TIMESTAMP_FIELD[type] ?? 'at', options?.outputs ?? true, options?.memory);
    },
    afterCommit: push,
  };
}
