import type pg from 'pg';
import { tsqueryText } from './search-terms.js';
import {
  HIGHLIGHT_START,
  HIGHLIGHT_STOP,
  searchWindow,
  type SearchKey,
  type SearchPath,
  type SearchWindow,
  type VisibleRange,
  type WindowRow,
} from './search-window.js';

export type { SearchKey, SearchPath, SearchWindow } from './search-window.js';

/**
 * How many of the newest matches are ranked together (docs/search.md, "Order and pages"): a window of the
 * newest 200 matches best first, then the next 200 older ones, and so on. Bounded so that a common word costs
 * about as much as a rare one (BENCHMARKS.md, "Message search … after").
 */
export const SEARCH_WINDOW = 200;

/**
 * A search first reads the user's newest `SEARCH_WINDOW × SCAN_BUDGET` messages: enough for a common word to
 * fill the window (a word in half of the messages), and for any other to show how common it is (measured: 5
 * read twice the pages for the common words, for nothing).
 */
const SCAN_BUDGET = 2;

/**
 * After a budgeted scan came short: the GIN index reads every match in the table (about `matched / scanned`
 * of `total`), a scan newest first about `windowSize` matches' worth of messages (`windowSize × scanned /
 * matched`); the cheaper of the two. A word none of the scanned messages held goes to the index.
 */
function choosePath({ scanned, matched }: { scanned: number; matched: number }, windowSize: number, total: number): SearchPath {
  const share = matched / scanned;
  return share * Math.max(total, scanned) <= windowSize / share ? 'index' : 'scan';
}

export interface SearchFilters {
  /** Only this conversation (a contact id); one the user is not in finds nothing. */
  conversationId?: string;
  senderId?: string;
  /** Only messages sent before this time. */
  before?: Date;
}

/** Where the next page starts: the last result's rank and key, and the window it was ranked in. */
export interface SearchCursor extends SearchKey {
  rank: string;
  window: SearchWindow;
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

export interface SearchOptions {
  windowSize?: number;
  /** The first scan reads at most `windowSize × scanBudget` messages (default `SCAN_BUDGET`). */
  scanBudget?: number;
  /** How matches are found; by default chosen from PostgreSQL's statistics on how common the words are. */
  path?: SearchPath;
}

/**
 * One page of the user's messages matching every term (the last as a prefix): the newest `SEARCH_WINDOW`
 * matches best first (`ts_rank`, then newest), then the next window's, and so on. Only conversations the user
 * is in now (their contact list without removed contacts or groups they left), and of a group only what they
 * could read while in it, as the history shows them. Keyset-paged: `next` is the last result's place when
 * there may be more.
 */
export async function searchMessages(
  pool: pg.Pool,
  userId: string,
  terms: readonly string[],
  filters: SearchFilters,
  page: { limit: number; after?: SearchCursor },
  options: SearchOptions = {},
): Promise<{ results: SearchResult[]; next: SearchCursor | null }> {
  const { rows } = await pool.query<{ query: string; total: number; ranges: VisibleRange[] }>(
    `SELECT (to_tsquery('english', $2) || to_tsquery('simple', $2))::text AS query,
       (SELECT reltuples FROM pg_class WHERE oid = 'message_search'::regclass) AS total,
       coalesce((
         SELECT json_agg(json_build_object('contactId', c.contact_id, 'afterSeq', p.joined_revision::text, 'beforeSeq', p.left_revision::text))
         FROM contact_list c
         -- A group's messages only inside the user's membership periods (a direct contact's period is all of it).
         LEFT JOIN conversation_members p ON c.kind <> 'direct' AND p.contact_id = c.contact_id AND p.user_id = c.user_id
         WHERE c.user_id = $1 AND NOT c.removed AND ($3::uuid IS NULL OR c.contact_id = $3)
           AND (c.kind = 'direct' OR p.contact_id IS NOT NULL)
       ), '[]') AS ranges`,
    [userId, tsqueryText(terms), filters.conversationId ?? null],
  );
  const { query, total, ranges } = rows[0];
  if (ranges.length === 0) return { results: [], next: null };
  const windowSize = options.windowSize ?? SEARCH_WINDOW;
  let path = options.path;

  const found: Array<WindowRow & { window: SearchWindow }> = [];
  let window: { ceiling: SearchKey | null; floor?: SearchKey | null } = page.after?.window ?? { ceiling: null };
  let after = page.after;
  for (;;) {
    const asked = { query, ranges, senderId: filters.senderId, before: filters.before, window, windowSize, after };
    const rowsLeft = page.limit + 1 - found.length;
    let part = await searchWindow(pool, {
      ...asked,
      rows: rowsLeft,
      path: path ?? 'scan',
      budget: path ? undefined : windowSize * (options.scanBudget ?? SCAN_BUDGET),
    });
    if (!part.whole) {
      path = choosePath(part, windowSize, total);
      part = await searchWindow(pool, { ...asked, rows: rowsLeft, path });
    }
    const ranked: SearchWindow = { ceiling: window.ceiling, floor: window.floor === undefined ? part.floor : window.floor };
    found.push(...part.rows.map((row) => ({ ...row, window: ranked })));
    if (found.length > page.limit || ranked.floor === null) break;
    // This window is done: the next one starts below its floor.
    window = { ceiling: ranked.floor };
    after = undefined;
  }
  const more = found.length > page.limit;
  const kept = found.slice(0, page.limit);
  const last = kept.at(-1);
  return {
    results: kept.map((r) => ({
      conversationId: r.contactId,
      message: { id: r.id, senderId: r.senderId, text: r.text, sentAt: r.sentAtIso, editedAt: r.editedAtIso },
      snippet: toSnippet(r.headline),
    })),
    next: more && last ? { rank: last.rank, sentAt: last.sentAt, contactId: last.contactId, id: last.id, window: last.window } : null,
  };
}

/** The headline's markers as offsets into its text (which holds no marker of its own: they were removed). */
export function toSnippet(headline: string): Snippet {
  let text = '';
  const highlights: Array<[number, number]> = [];
  let start = -1;
  for (const ch of headline) {
    if (ch === HIGHLIGHT_START) start = text.length;
    else if (ch === HIGHLIGHT_STOP) {
      if (start >= 0 && text.length > start) highlights.push([start, text.length]);
      start = -1;
    } else text += ch;
  }
  return { text, highlights };
}
