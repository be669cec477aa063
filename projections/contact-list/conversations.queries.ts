import type pg from 'pg';
import type { MessageView } from '../messages/message-view.js';
import { messageJsonSql } from '../messages/messages.queries.js';

/** A conversation as `GET /api/conversations` lists it (docs/groups.md, "Wire details"). */
export interface ConversationListItem {
  id: string;
  kind: 'direct' | 'group';
  /** Group: its title; direct: null (the UI shows the peer's name). */
  title: string | null;
  /** Direct only. */
  peer: { id: string; username: string; displayName: string } | null;
  /** The current members, the caller included (direct: both, role 'member'). */
  members: Array<{ id: string; username: string; displayName: string; role: 'admin' | 'member' }>;
  membersMayAdd: boolean;
  /** The start of the caller's current membership period (direct: when the contact was made). */
  joinedAt: string;
  /** The newest message within the caller's membership periods. */
  lastMessage: Omit<MessageView, 'contactId'> | null;
  /** Others' live messages after the caller's read mark, within the caller's membership periods. */
  unreadCount: number;
  lastActivityAt: string;
  lastReadMessageId: string | null;
  /** The other current members' read marks ("Seen by N"). */
  readMarks: Array<{ userId: string; messageId: string }>;
  /** Direct only (kept for the existing client). */
  peerLastReadMessageId: string | null;
  activeMeeting: { id: string; state: string; startedBy: string } | null;
}

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** Whether the message `m` lies inside one of the periods of the entry `c`'s user (conversation_members). */
export const inPeriodsOf = (m: string, c: string, user = `${c}.user_id`) =>
  `EXISTS (SELECT 1 FROM conversation_members p WHERE p.contact_id = ${c}.contact_id AND p.user_id = ${user}
     AND ${m}.seq > p.joined_revision AND (p.left_revision IS NULL OR ${m}.seq < p.left_revision))`;

/** A direct contact's period is all of its history (it reopens on a new acceptance): no need to look it up. */
const visible = (m: string) => `(c.kind = 'direct' OR ${inPeriodsOf(m, 'c')})`;

/**
 * The caller's conversations, direct and group, newest activity first; `contactId` for one of them. The
 * last message and the unread count are read from the history at query time, within the caller's periods,
 * so they agree with what `GET /api/conversations/:id/messages` shows.
 */
async function conversations(pool: pg.Pool, userId: string, contactId: string | null): Promise<ConversationListItem[]> {
  const { rows } = await pool.query(
    `SELECT c.contact_id, c.kind, c.title, c.peer_id, pa.username AS peer_username, pa.display_name AS peer_display_name,
            c.members_may_add, c.last_activity_at, c.last_read_message_id, c.peer_last_read_message_id, c.active_meeting,
            (SELECT to_char(max(p.joined_at) AT TIME ZONE 'UTC', ${ISO}) FROM conversation_members p
              WHERE p.contact_id = c.contact_id AND p.user_id = c.user_id AND p.left_position IS NULL) AS joined_at,
            (SELECT jsonb_agg(jsonb_build_object('id', o.user_id, 'username', coalesce(a.username, ''),
                      'displayName', coalesce(a.display_name, ''), 'role', o.role) ORDER BY o.role, a.username, o.user_id)
              FROM contact_list o LEFT JOIN accounts a ON a.user_id = o.user_id
              WHERE o.contact_id = c.contact_id AND NOT o.removed) AS members,
            (SELECT jsonb_agg(jsonb_build_object('userId', o.user_id, 'messageId', o.last_read_message_id) ORDER BY o.user_id)
              FROM contact_list o
              WHERE o.contact_id = c.contact_id AND NOT o.removed AND o.user_id <> c.user_id AND o.last_read_message_id IS NOT NULL
            ) AS read_marks,
            (SELECT ${messageJsonSql('l')}
              FROM messages l WHERE l.contact_id = c.contact_id AND ${visible('l')} ORDER BY l.seq DESC LIMIT 1) AS last_message,
            (SELECT count(*) FROM messages m
              WHERE m.contact_id = c.contact_id AND m.sender_id <> c.user_id AND NOT m.deleted
                AND m.seq > coalesce((SELECT r.seq FROM messages r WHERE r.contact_id = c.contact_id AND r.id = c.last_read_message_id), -1)
                AND ${visible('m')}
            )::int AS unread_count
     FROM contact_list c LEFT JOIN accounts pa ON pa.user_id = c.peer_id
     WHERE c.user_id = $1 AND NOT c.removed AND ($2::uuid IS NULL OR c.contact_id = $2)
     ORDER BY c.last_activity_at DESC, c.contact_id`,
    [userId, contactId],
  );
  return rows.map((r) => {
    const direct = r.kind === 'direct';
    const lastActivityAt = r.last_activity_at.toISOString();
    return {
      id: r.contact_id,
      kind: r.kind,
      title: direct ? null : r.title,
      peer: direct ? { id: r.peer_id, username: r.peer_username ?? '', displayName: r.peer_display_name ?? '' } : null,
      members: r.members ?? [],
      membersMayAdd: r.members_may_add,
      // Before the membership projection caught up with the list: the entry's own start.
      joinedAt: r.joined_at ?? lastActivityAt,
      lastMessage: r.last_message,
      unreadCount: r.unread_count,
      lastActivityAt,
      lastReadMessageId: r.last_read_message_id,
      readMarks: r.read_marks ?? [],
      peerLastReadMessageId: direct ? r.peer_last_read_message_id : null,
      activeMeeting: r.active_meeting,
    };
  });
}

/** The caller's conversations, direct and group, newest activity first. */
export const listConversations = (pool: pg.Pool, userId: string) => conversations(pool, userId, null);

/** One of the caller's conversations; null when they are not (or no longer) a member. */
export async function getConversation(pool: pg.Pool, userId: string, contactId: string): Promise<ConversationListItem | null> {
  const [conversation] = await conversations(pool, userId, contactId);
  return conversation ?? null;
}
