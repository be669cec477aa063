import type pg from 'pg';
import type { MessageView } from './message-view.js';

export type { MessageView } from './message-view.js';

const COLUMNS = 'id, contact_id, sender_id, text, sent_at, edited_at, deleted, seq';
const toMessage = (r: any): MessageView => ({
  id: r.id,
  contactId: r.contact_id,
  senderId: r.sender_id,
  text: r.deleted ? null : r.text,
  sentAt: r.sent_at.toISOString(),
  editedAt: r.edited_at ? r.edited_at.toISOString() : null,
  deleted: r.deleted,
});

export async function getMessage(pool: pg.Pool, contactId: string, messageId: string): Promise<MessageView | null> {
  const { rows } = await pool.query(`SELECT ${COLUMNS} FROM messages WHERE contact_id = $1 AND id = $2`, [contactId, messageId]);
  return rows[0] ? toMessage(rows[0]) : null;
}

/**
 * Keyset pages of a conversation, always returned oldest first. `before`: the page just older than that
 * message (default: the newest page); `after`: the page just newer. Unknown cursor → null.
 */
export async function listMessages(
  pool: pg.Pool,
  contactId: string,
  { before, after, limit }: { before?: string; after?: string; limit: number },
): Promise<{ messages: MessageView[]; hasMore: boolean } | null> {
  const cursorId = before ?? after;
  let cursorSeq: number | null = null;
  if (cursorId) {
    const { rows } = await pool.query('SELECT seq FROM messages WHERE contact_id = $1 AND id = $2', [contactId, cursorId]);
    if (!rows[0]) return null;
    cursorSeq = Number(rows[0].seq);
  }
  const newerPage = after !== undefined;
  const { rows } = await pool.query(
    newerPage
      ? `SELECT ${COLUMNS} FROM messages WHERE contact_id = $1 AND seq > $2 ORDER BY seq ASC LIMIT $3`
      : `SELECT ${COLUMNS} FROM messages WHERE contact_id = $1 AND ($2::bigint IS NULL OR seq < $2) ORDER BY seq DESC LIMIT $3`,
    [contactId, cursorSeq, limit + 1],
  );
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit);
  if (!newerPage) page.reverse();
  return { messages: page.map(toMessage), hasMore };
}
