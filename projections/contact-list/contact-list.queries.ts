import type pg from 'pg';
import type { MessageView } from '../messages/message-view.js';
import { messageJsonSql } from '../messages/messages.queries.js';

export interface ContactListItem {
  id: string;
  peer: { id: string; username: string; displayName: string };
  /** The newest message of the history, as the history serves it (a contact's id is the row's own). */
  lastMessage: Omit<MessageView, 'contactId'> | null;
  unreadCount: number;
  lastActivityAt: string;
  lastReadMessageId: string | null;
  peerLastReadMessageId: string | null;
  activeMeeting: { id: string; state: string; startedBy: string } | null;
}

/**
 * The user's direct contacts, newest activity first (groups are in `listConversations`). The last message is the newest row of the history and unread
 * counts the peer's live messages after the user's read marker, so neither can disagree with the history.
 */
export async function listContacts(pool: pg.Pool, userId: string): Promise<ContactListItem[]> {
  const { rows } = await pool.query(
    `SELECT c.contact_id, c.peer_id, a.username, a.display_name, c.last_activity_at,
            c.last_read_message_id, c.peer_last_read_message_id, c.active_meeting,
            (SELECT ${messageJsonSql('l')}
              FROM messages l WHERE l.contact_id = c.contact_id ORDER BY l.seq DESC LIMIT 1) AS last_message,
            (SELECT count(*) FROM messages m
              WHERE m.contact_id = c.contact_id AND m.sender_id = c.peer_id AND NOT m.deleted
                AND m.seq > coalesce((SELECT r.seq FROM messages r WHERE r.contact_id = c.contact_id AND r.id = c.last_read_message_id), -1)
            )::int AS unread_count
     FROM contact_list c LEFT JOIN accounts a ON a.user_id = c.peer_id
     WHERE c.user_id = $1 AND NOT c.removed AND c.kind = 'direct'
     ORDER BY c.last_activity_at DESC, c.contact_id`,
    [userId],
  );
  return rows.map((r) => ({
    id: r.contact_id,
    peer: { id: r.peer_id as string, username: r.username ?? '', displayName: r.display_name ?? '' },
    lastMessage: r.last_message,
    unreadCount: r.unread_count,
    lastActivityAt: r.last_activity_at.toISOString(),
    lastReadMessageId: r.last_read_message_id,
    peerLastReadMessageId: r.peer_last_read_message_id,
    activeMeeting: r.active_meeting,
  }));
}
