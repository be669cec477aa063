import type pg from 'pg';
import type { MessageAttachment } from '../../domain/contacts/message-attachments.js';
import type { MessageView } from './message-view.js';

export type { MessageView } from './message-view.js';

const COLUMNS = 'id, contact_id, sender_id, text, sent_at, edited_at, deleted, seq, attachments';
interface MessageRow {
  id: string;
  contact_id: string;
  sender_id: string;
  text: string;
  sent_at: Date;
  edited_at: Date | null;
  deleted: boolean;
  attachments: MessageAttachment[] | null;
}

const toMessage = (r: MessageRow): MessageView => ({
  id: r.id,
  contactId: r.contact_id,
  senderId: r.sender_id,
  text: r.deleted ? null : r.text,
  sentAt: r.sent_at.toISOString(),
  editedAt: r.edited_at ? r.edited_at.toISOString() : null,
  deleted: r.deleted,
  attachments: r.attachments ?? [],
});

export async function getMessage(pool: pg.Pool, contactId: string, messageId: string): Promise<MessageView | null> {
  const { rows } = await pool.query(`SELECT ${COLUMNS} FROM messages WHERE contact_id = $1 AND id = $2`, [contactId, messageId]);
  return rows[0] ? toMessage(rows[0]) : null;
}

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
/** One history message as JSON text, written by PostgreSQL (the contact id is the page's, in its URL). */
const MESSAGE_JSON = `row_to_json((SELECT m FROM (SELECT id, sender_id AS "senderId", CASE WHEN deleted THEN NULL ELSE text END AS text,
  to_char(sent_at AT TIME ZONE 'UTC', ${ISO}) AS "sentAt", to_char(edited_at AT TIME ZONE 'UTC', ${ISO}) AS "editedAt", deleted,
  coalesce(attachments, '[]'::jsonb) AS attachments) m))::text`;
const PAGE_COLUMNS = 'seq, id, sender_id, text, sent_at, edited_at, deleted, attachments';

/** Newest page; page before a cursor; page after a cursor. `$1` contact, `$2` limit, `$3` cursor message id. */
const PAGE_SQL = {
  newest: `SELECT ${PAGE_COLUMNS} FROM messages WHERE contact_id = $1 ORDER BY seq DESC LIMIT $2 + 1`,
  before: `SELECT ${PAGE_COLUMNS} FROM messages WHERE contact_id = $1 AND seq < (SELECT seq FROM messages WHERE contact_id = $1 AND id = $3) ORDER BY seq DESC LIMIT $2 + 1`,
  after: `SELECT ${PAGE_COLUMNS} FROM messages WHERE contact_id = $1 AND seq > (SELECT seq FROM messages WHERE contact_id = $1 AND id = $3) ORDER BY seq ASC LIMIT $2 + 1`,
};

/**
 * Keyset pages of a conversation, always returned oldest first, as the JSON text of the response body:
 * `{"messages":[…],"hasMore":…}`. `before`: the page just older than that message (default: the newest page);
 * `after`: the page just newer. Unknown cursor → null. One statement, and PostgreSQL writes the JSON: the node
 * neither parses rows nor dates nor serializes them again (issue 21: a page of 100 is read at every open).
 */
export async function listMessagesJson(
  pool: pg.Pool,
  contactId: string,
  page: { before?: string; after?: string; limit: number },
): Promise<string | null> {
  const { rows } = await pool.query<{ cursor_found: boolean; has_more: boolean; messages: string | null }>(
    historyPageQuery(contactId, page),
  );
  const [row] = rows;
  if (!row.cursor_found) return null;
  return `{"messages":[${row.messages ?? ''}],"hasMore":${row.has_more}}`;
}

/** The statement behind `listMessagesJson` (also for `EXPLAIN` in `npm run bench history`). */
export function historyPageQuery(contactId: string, { before, after, limit }: { before?: string; after?: string; limit: number }) {
  const direction = after !== undefined ? 'after' : before !== undefined ? 'before' : 'newest';
  return {
    text: `WITH page AS (${PAGE_SQL[direction]}),
          kept AS (SELECT * FROM page ORDER BY seq ${direction === 'after' ? 'ASC' : 'DESC'} LIMIT $2)
     SELECT ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM messages WHERE contact_id = $1 AND id = $3)) AS cursor_found,
            (SELECT count(*) FROM page) > $2 AS has_more,
            (SELECT string_agg(${MESSAGE_JSON}, ',' ORDER BY seq) FROM kept) AS messages`,
    values: [contactId, limit, before ?? after ?? null],
  };
}
