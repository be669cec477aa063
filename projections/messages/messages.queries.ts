import type pg from 'pg';
import type { MessageAttachment } from '../../domain/contacts/message-attachments.js';
import { QUOTE_MAX_LENGTH, type MessageView, type ReactionView, type ReplyQuote } from './message-view.js';

export type { MessageView } from './message-view.js';

/** `row` the message's row (of conversation `contact`): the message it answers, as its reply shows it, or null. */
const quoteSql = (row: string, contact = '$1') => `(SELECT json_build_object('id', t.id, 'senderId', t.sender_id,
    'text', CASE WHEN t.deleted THEN NULL ELSE left(split_part(t.text, E'\\n', 1), ${QUOTE_MAX_LENGTH}) END, 'deleted', t.deleted)
  FROM messages t WHERE t.contact_id = ${contact} AND t.id = ${row}.reply_to)`;
/** `row`'s reactions as the API serves them: `[{emoji, count, userIds}]`. */
const reactionsSql = (row: string) => `coalesce((SELECT json_agg(json_build_object('emoji', x.r->>'emoji',
    'count', jsonb_array_length(x.r->'userIds'), 'userIds', x.r->'userIds') ORDER BY x.n)
  FROM jsonb_array_elements(${row}.reactions) WITH ORDINALITY AS x(r, n)), '[]'::json)`;

/** `row` (a `messages` row) as the history serves the message, less its contact id: a list's last-message preview. */
export const messageJsonSql = (row: string) => `jsonb_build_object('id', ${row}.id, 'senderId', ${row}.sender_id,
    'text', CASE WHEN ${row}.deleted THEN NULL ELSE ${row}.text END,
    'sentAt', to_char(${row}.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'editedAt', to_char(${row}.edited_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'deleted', ${row}.deleted,
    'attachments', coalesce(${row}.attachments, '[]'::jsonb), 'replyTo', ${quoteSql(row, `${row}.contact_id`)},
    'reactions', ${reactionsSql(row)})`;

const COLUMNS = `m.id, m.contact_id, m.sender_id, m.text, m.sent_at, m.edited_at, m.deleted, m.seq, m.attachments,
  ${quoteSql('m')} AS reply_to, ${reactionsSql('m')} AS reactions`;
interface MessageRow {
  id: string;
  contact_id: string;
  sender_id: string;
  text: string;
  sent_at: Date;
  edited_at: Date | null;
  deleted: boolean;
  attachments: MessageAttachment[] | null;
  reply_to: ReplyQuote | null;
  reactions: ReactionView[];
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
  replyTo: r.reply_to,
  reactions: r.reactions,
});

export async function getMessage(pool: pg.Pool, contactId: string, messageId: string): Promise<MessageView | null> {
  const { rows } = await pool.query(`SELECT ${COLUMNS} FROM messages m WHERE m.contact_id = $1 AND m.id = $2`, [contactId, messageId]);
  return rows[0] ? toMessage(rows[0]) : null;
}

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
/** One history message as JSON text, written by PostgreSQL (the contact id is the page's, in its URL). */
const MESSAGE_JSON = `row_to_json((SELECT m FROM (SELECT id, sender_id AS "senderId", CASE WHEN deleted THEN NULL ELSE text END AS text,
  to_char(sent_at AT TIME ZONE 'UTC', ${ISO}) AS "sentAt", to_char(edited_at AT TIME ZONE 'UTC', ${ISO}) AS "editedAt", deleted,
  coalesce(attachments, '[]'::jsonb) AS attachments, ${quoteSql('kept')} AS "replyTo", ${reactionsSql('kept')} AS reactions) m))::text`;
const PAGE_COLUMNS = 'seq, id, sender_id, text, sent_at, edited_at, deleted, attachments, reply_to, reactions';
/**
 * Newest page; page before a cursor; page after a cursor. `$1` contact, `$2` limit, `$3` cursor message id;
 * `within` narrows every row read, the cursor's included (e.g. to a member's periods).
 */
const pageSql = (within: string) => ({
  newest: `SELECT ${PAGE_COLUMNS} FROM messages WHERE contact_id = $1${within} ORDER BY seq DESC LIMIT $2 + 1`,
  before: `SELECT ${PAGE_COLUMNS} FROM messages WHERE contact_id = $1${within} AND seq < (SELECT seq FROM messages WHERE contact_id = $1 AND id = $3) ORDER BY seq DESC LIMIT $2 + 1`,
  after: `SELECT ${PAGE_COLUMNS} FROM messages WHERE contact_id = $1${within} AND seq > (SELECT seq FROM messages WHERE contact_id = $1 AND id = $3) ORDER BY seq ASC LIMIT $2 + 1`,
});
const PAGE_SQL = pageSql('');

/**
 * The part of a conversation one member may read: the messages after `after` and before `before` (revisions
 * of the contact stream, where `messages.seq` is; `before` null while the period lasts).
 */
export interface MessagePeriod {
  after: number;
  before: number | null;
}

/** Past any revision: the end of a period that lasts. */
const OPEN = '9223372036854775807';
/**
 * Inside one of the periods `$4` (starts) and `$5` (ends): the first and last bounds keep it an index range
 * scan on (contact_id, seq); the periods' gaps are filtered out of that range.
 */
const IN_PERIODS = ` AND seq > ($4::bigint[])[1] AND seq < ($5::bigint[])[cardinality($5::bigint[])]
  AND EXISTS (SELECT 1 FROM unnest($4::bigint[], $5::bigint[]) AS p(a, b) WHERE seq > p.a AND seq < p.b)`;
const PERIOD_PAGE_SQL = pageSql(IN_PERIODS);

/** A history page as the JSON text of the response body, and the conversation's version it was read at. */
export interface HistoryPageJson {
  json: string;
  version: string;
}

/**
 * What changes whenever any message of the conversation `$1` does (`message_versions`), and whenever a rebuild
 * swaps in a new `messages` table (its oid): the rebuilt table may say what the old one did not (that is what a
 * rebuild repairs) while the counts, pure functions of the log, stay the same. Equal versions, equal pages.
 */
export const VERSION_SQL = `SELECT to_regclass('messages')::oid || '.' || coalesce((SELECT changes || '.' || position FROM message_versions WHERE contact_id = $1), '0.0') AS version`;

/**
 * Keyset pages of a conversation, always returned oldest first, as the JSON text of the response body:
 * `{"messages":[…],"hasMore":…}`, with the version it was read at (the same snapshot). `before`: the page just
 * older than that message (default: the newest page); `after`: the page just newer. Unknown cursor → null.
 * One prepared statement (named by its text's shape), and PostgreSQL writes the JSON: the node neither parses rows nor dates nor serializes
 * them again (issue 21: a page of 100 is read at every open).
 */
export async function listMessagesJson(
  pool: pg.Pool,
  contactId: string,
  page: { before?: string; after?: string; limit: number },
  periods?: readonly MessagePeriod[],
): Promise<HistoryPageJson | null> {
  const { rows } = await pool.query<{ cursor_found: boolean; has_more: boolean; messages: string | null; version: string }>(
    historyPageQuery(contactId, page, periods),
  );
  const [row] = rows;
  if (!row.cursor_found) return null;
  return { json: `{"messages":[${row.messages ?? ''}],"hasMore":${row.has_more}}`, version: row.version };
}

/**
 * The statement behind `listMessagesJson` (also for `EXPLAIN` in `npm run bench history`). With `periods`
 * (oldest first, none overlapping), only the messages inside them, and a cursor outside them is unknown.
 */
export function historyPageQuery(
  contactId: string,
  { before, after, limit }: { before?: string; after?: string; limit: number },
  periods?: readonly MessagePeriod[],
) {
  const direction = after !== undefined ? 'after' : before !== undefined ? 'before' : 'newest';
  const within = periods ? IN_PERIODS : '';
  return {
    // Prepared once per connection: planning it cost about half as much as running it.
    name: `history_page_${direction}${periods ? '_in_periods' : ''}`,
    text: `WITH page AS (${(periods ? PERIOD_PAGE_SQL : PAGE_SQL)[direction]}),
          kept AS (SELECT * FROM page ORDER BY seq ${direction === 'after' ? 'ASC' : 'DESC'} LIMIT $2)
     SELECT ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM messages WHERE contact_id = $1 AND id = $3${within})) AS cursor_found,
            (SELECT count(*) FROM page) > $2 AS has_more,
            (SELECT string_agg(${MESSAGE_JSON}, ',' ORDER BY seq) FROM kept) AS messages,
            (${VERSION_SQL}) AS version`,
    values: [
      contactId,
      limit,
      before ?? after ?? null,
      ...(periods ? [periods.map((p) => p.after), periods.map((p) => (p.before === null ? OPEN : String(p.before)))] : []),
    ],
  };
}
