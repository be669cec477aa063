import type pg from 'pg';

/** Where the snippet's highlights start and end: private-use characters, removed from the text beforehand. */
export const HIGHLIGHT_START = '\uE000';
export const HIGHLIGHT_STOP = '\uE001';

/** A message's place in recency order: newest first by time sent, then by conversation and id (descending). */
export interface SearchKey {
  /** PostgreSQL's own text of the time (exact to the microsecond). */
  sentAt: string;
  contactId: string;
  id: string;
}

/**
 * A window of matches, ranked among themselves: those below `ceiling` (exclusive; none for the first window)
 * down to `floor` (inclusive; null: down to the oldest). A window is created as the newest `windowSize`
 * matches below its ceiling; its floor is then kept in the cursor, so its pages stay the same set of messages
 * whatever arrives meanwhile.
 */
export interface SearchWindow {
  ceiling: SearchKey | null;
  floor: SearchKey | null;
}

/** Where a page ends inside its window: the last result's rank and key. */
export interface RankPosition extends SearchKey {
  rank: string;
}

/** A part of a conversation the user may read: all of a direct one, a group's messages inside a membership period. */
export interface VisibleRange {
  contactId: string;
  /** Messages with a `seq` above this (joined_revision); null: from the start. */
  afterSeq: string | null;
  /** Messages with a `seq` below this (left_revision); null: to now. */
  beforeSeq: string | null;
}

/**
 * How a window's matches are found (the same ones either way):
 * - `scan`: each visible range newest first on `(contact_id, sent_at, id)`, merged, the text tested row by
 *   row until the window is full: cheap when the words are common, as few rows are read per match;
 * - `index`: every match in the whole table through the GIN index, then kept to the user's ranges: cheap when
 *   the words are rare.
 */
export type SearchPath = 'scan' | 'index';

export interface WindowRow extends RankPosition {
  senderId: string;
  sentAtIso: string;
  editedAtIso: string | null;
  text: string;
  headline: string;
}

export interface WindowQuery {
  /** The tsquery, as PostgreSQL's text. */
  query: string;
  ranges: readonly VisibleRange[];
  senderId?: string;
  before?: Date;
  /** An existing window, or one to create below `ceiling` (`floor` undefined). */
  window: { ceiling: SearchKey | null; floor?: SearchKey | null };
  windowSize: number;
  /** Only results ranked after this (the previous page's last). */
  after?: RankPosition;
  rows: number;
  path: SearchPath;
  /** `scan` only: read at most this many of the user's messages (matching or not), newest first. */
  budget?: number;
}

export interface WindowPart {
  rows: WindowRow[];
  /** When the window was created here: its floor (null when it holds fewer than `windowSize` matches). */
  floor: SearchKey | null;
  /** Whether the window is known whole: not when a scan's budget ran out first. */
  whole: boolean;
  /** With a budget: how many messages were read and how many of them matched (before the window's limit). */
  scanned: number;
  matched: number;
}

const ORDER = 'rank DESC, sent_at DESC, contact_id DESC, id DESC';
const HEADLINE_OPTIONS = `StartSel=${HIGHLIGHT_START}, StopSel=${HIGHLIGHT_STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;

/**
 * Up to `rows` results of one window, best first (`ts_rank`, then newest); when the window is created here,
 * also its floor (null when it holds fewer than `windowSize` matches: nothing older remains).
 */
export async function searchWindow(pool: pg.Pool, w: WindowQuery): Promise<WindowPart> {
  const values: unknown[] = [];
  const param = (value: unknown, type: string) => {
    values.push(value);
    return `$${values.length}::${type}`;
  };
  const query = param(w.query, 'tsquery');
  const key = (k: SearchKey) => [param(k.sentAt, 'timestamptz'), param(k.contactId, 'uuid'), param(k.id, 'uuid')];
  const matches = `s.document @@ ${query}`;
  const conditions: string[] = [];
  if (w.senderId !== undefined) conditions.push(`s.sender_id = ${param(w.senderId, 'uuid')}`);
  if (w.before !== undefined) conditions.push(`s.sent_at < ${param(w.before, 'timestamptz')}`);
  if (w.window.ceiling) {
    const [at, contact, id] = key(w.window.ceiling);
    // The first comparison bounds the index scan; the row comparison is the exact order.
    conditions.push(`s.sent_at <= ${at}`, `(s.sent_at, s.contact_id, s.id) < (${at}, ${contact}, ${id})`);
  }
  if (w.window.floor) {
    const [at, contact, id] = key(w.window.floor);
    conditions.push(`s.sent_at >= ${at}`, `(s.sent_at, s.contact_id, s.id) >= (${at}, ${contact}, ${id})`);
  }
  const creating = w.window.floor === undefined;
  const budgeted = w.path === 'scan' && w.budget !== undefined;
  const limit = creating ? `LIMIT ${param(w.windowSize, 'int')}` : '';
  const budget = budgeted ? `LIMIT ${param(w.budget, 'int')}` : '';
  const columns = 's.contact_id, s.id, s.sender_id, s.sent_at, s.edited_at, s.text, s.document';
  const inRange = (r: VisibleRange) =>
    [
      `s.contact_id = ${param(r.contactId, 'uuid')}`,
      ...(r.afterSeq === null ? [] : [`s.seq > ${param(r.afterSeq, 'bigint')}`]),
      ...(r.beforeSeq === null ? [] : [`s.seq < ${param(r.beforeSeq, 'bigint')}`]),
    ].join(' AND ');
  const where = [...(budgeted ? [] : [matches]), ...conditions].join(' AND ') || 'true';
  // One branch per range, each newest first in index order, at most `limit` rows: PostgreSQL merges them
  // (Merge Append) and reads each only as far as the merge needs.
  const merged = (limit: string) =>
    w.ranges
      .map((r) => `(SELECT ${columns} FROM message_search s WHERE ${inRange(r)} AND ${where} ORDER BY s.sent_at DESC, s.id DESC ${limit})`)
      .join('\nUNION ALL\n');
  const source = budgeted
    ? `SELECT * FROM scanned s WHERE ${matches}`
    : w.path === 'scan'
      ? merged(limit)
      : // The GIN index alone (materialized, so it is not traded for a per-conversation scan), then the ranges.
        `SELECT s.* FROM found s WHERE ${w.ranges.map((r) => `(${inRange(r)})`).join(' OR ')}`;
  const prelude = budgeted
    ? `scanned AS MATERIALIZED (SELECT * FROM (${merged(budget)}) m ORDER BY sent_at DESC, contact_id DESC, id DESC ${budget}),`
    : w.path === 'index'
      ? `found AS MATERIALIZED (SELECT s.seq, ${columns} FROM message_search s WHERE ${where}),`
      : '';

  const after = w.after ? `WHERE (rank, sent_at, contact_id, id) < (${param(w.after.rank, 'real')}, ${key(w.after).join(', ')})` : '';
  const text = `WITH ${prelude}
     win AS MATERIALIZED (
       SELECT * FROM (${source}) m ORDER BY sent_at DESC, contact_id DESC, id DESC ${limit}
     ),
     ranked AS (SELECT w.*, ts_rank(w.document, ${query}) AS rank FROM win w),
     page AS (SELECT * FROM ranked ${after} ORDER BY ${ORDER} LIMIT ${param(w.rows, 'int')})
     SELECT contact_id, id, sender_id, sent_at::text AS sent_at_text, rank::text AS rank_text,
            to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS sent_at_iso,
            to_char(edited_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS edited_at_iso, text,
            ts_headline('english', translate(text, ${param(HIGHLIGHT_START + HIGHLIGHT_STOP, 'text')}, ''), ${query},
              '${HEADLINE_OPTIONS}') AS headline,
            (SELECT count(*) FROM win)::int AS window_count,
            ${creating ? '(SELECT json_build_array(sent_at::text, contact_id, id) FROM win ORDER BY sent_at, contact_id, id LIMIT 1)' : 'NULL'} AS oldest,
            ${budgeted ? `(SELECT count(*) FROM scanned)::int AS scanned, (SELECT count(*) FROM scanned s WHERE ${matches})::int AS matched` : '0 AS scanned, 0 AS matched'}
     FROM (SELECT 1) one LEFT JOIN page ON true
     ORDER BY page.rank DESC, page.sent_at DESC, page.contact_id DESC, page.id DESC`;
  const { rows } = w.path === 'scan' ? await inIndexOrder(pool, text, values) : await pool.query(text, values);
  // One row even when the page is empty (the counts), whose columns from `page` are then null.
  const first = rows[0];
  const full = creating && first.window_count >= w.windowSize;
  const scanned = first.scanned as number;
  return {
    whole: !budgeted || scanned < (w.budget ?? 0) || full,
    scanned,
    matched: first.matched,
    rows: rows
      .filter((r) => r.id !== null)
      .map((r) => ({
        rank: r.rank_text,
        sentAt: r.sent_at_text,
        contactId: r.contact_id,
        id: r.id,
        senderId: r.sender_id,
        sentAtIso: r.sent_at_iso,
        editedAtIso: r.edited_at_iso,
        text: r.text,
        headline: r.headline,
      })),
    floor: full ? { sentAt: first.oldest[0], contactId: first.oldest[1], id: first.oldest[2] } : null,
  };
}

/**
 * A scan newest first must read each conversation in index order and stop where the merge does; PostgreSQL
 * expects a conversation to hold the average number of messages, and for one it thinks small would rather read
 * all of it and sort (a bitmap scan): for the busiest conversations that is all of their messages again.
 */
async function inIndexOrder(pool: pg.Pool, text: string, values: unknown[]): Promise<pg.QueryResult> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN READ ONLY; SET LOCAL enable_bitmapscan = off');
    const result = await client.query(text, values);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
