import type pg from 'pg';
import { inPeriodsOf } from '../contact-list/conversations.queries.js';
import { tsqueryText } from './search-terms.js';

/** Where the snippet's highlights start and end: private-use characters, removed from the text beforehand. */
const START = '\uE000';
const STOP = '\uE001';

export interface SearchFilters {
  /** Only this conversation (a contact id); one the user is not in finds nothing. */
  conversationId?: string;
  senderId?: string;
  /** Only messages sent before this time. */
  before?: Date;
}

/** Where the next page starts: the last result's rank and order. */
export interface SearchCursor {
  rank: string;
  sentAt: string;
  contactId: string;
  id: string;
}

/** A snippet of the message as plain text; `highlights` are `[start, end)` offsets (UTF-16) of the matches. */
export interface Snippet {
  text: string;
  highlights: Array<[number, number]>;
}

export interface SearchResult {
  conversationId: string;
  message: { id: string; senderId: string; text: string; sentAt: string; editedAt: string | null };
  snippet: Snippet;
}

/**
 * One page of the user's messages matching every term (the last as a prefix), best first: `ts_rank`, then
 * newest. Only conversations the user is in now (their contact list without removed contacts or groups
 * they left), and of a group only what they could read while in it, as the history shows them. Keyset-paged: `next` is the last result's place when there may be more.
 */
export async function searchMessages(
  pool: pg.Pool,
  userId: string,
  terms: readonly string[],
  filters: SearchFilters,
  page: { limit: number; after?: SearchCursor },
): Promise<{ results: SearchResult[]; next: SearchCursor | null }> {
  const { rows } = await pool.query(
    `WITH q AS (SELECT to_tsquery('english', $2) || to_tsquery('simple', $2) AS query),
     -- The user's own messages first (by conversation, on the primary key), then the text test on those: a
     -- common word or short prefix matches much of the whole index, and the planner cannot tell (issue 20
     -- measurements: 4.7 s through the GIN index against 77 ms so for a user seeing 13k of 1M messages).
     mine AS MATERIALIZED (
       SELECT s.contact_id, s.id, s.sender_id, s.sent_at, s.edited_at, s.text, s.document
       FROM contact_list c JOIN message_search s ON s.contact_id = c.contact_id
       WHERE c.user_id = $1 AND NOT c.removed
         -- A group's messages only inside the user's membership periods (a direct contact's period is all of it).
         AND (c.kind = 'direct' OR ${inPeriodsOf('s', 'c')})
         AND ($3::uuid IS NULL OR c.contact_id = $3) AND ($4::uuid IS NULL OR s.sender_id = $4)
         AND ($5::timestamptz IS NULL OR s.sent_at < $5)
     ),
     hits AS (
       SELECT m.contact_id, m.id, m.sender_id, m.sent_at, m.edited_at, m.text, ts_rank(m.document, q.query) AS rank
       FROM q, mine m WHERE m.document @@ q.query
     ),
     kept AS (
       SELECT * FROM hits
       WHERE $7::real IS NULL OR (rank, sent_at, contact_id, id) < ($7::real, $8::timestamptz, $9::uuid, $10::uuid)
       ORDER BY rank DESC, sent_at DESC, contact_id DESC, id DESC
       LIMIT $6 + 1
     )
     SELECT contact_id, id, sender_id, sent_at::text AS sent_at_cursor, rank::text AS rank_cursor,
            to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS sent_at,
            to_char(edited_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS edited_at, text,
            ts_headline('english', translate(text, $11, ''), q.query,
              'StartSel=${START}, StopSel=${STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "') AS headline
     FROM kept, q
     ORDER BY rank DESC, sent_at DESC, contact_id DESC, id DESC`,
    [
      userId,
      tsqueryText(terms),
      filters.conversationId ?? null,
      filters.senderId ?? null,
      filters.before ?? null,
      page.limit,
      page.after?.rank ?? null,
      page.after?.sentAt ?? null,
      page.after?.contactId ?? null,
      page.after?.id ?? null,
      START + STOP,
    ],
  );
  const more = rows.length > page.limit;
  const kept = rows.slice(0, page.limit);
  const last = kept.at(-1);
  return {
    results: kept.map((r) => ({
      conversationId: r.contact_id,
      message: { id: r.id, senderId: r.sender_id, text: r.text, sentAt: r.sent_at, editedAt: r.edited_at },
      snippet: toSnippet(r.headline),
    })),
    next: more && last ? { rank: last.rank_cursor, sentAt: last.sent_at_cursor, contactId: last.contact_id, id: last.id } : null,
  };
}

/** The headline's markers as offsets into its text (which holds no marker of its own: they were removed). */
export function toSnippet(headline: string): Snippet {
  let text = '';
  const highlights: Array<[number, number]> = [];
  let start = -1;
  for (const ch of headline) {
    if (ch === START) start = text.length;
    else if (ch === STOP) {
      if (start >= 0 && text.length > start) highlights.push([start, text.length]);
      start = -1;
    } else text += ch;
  }
  return { text, highlights };
}
