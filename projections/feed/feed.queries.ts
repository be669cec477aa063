import type pg from 'pg';

export interface FeedPage {
  events: Array<{ type: string; position: number; data: Record<string, unknown> }>;
  hasMore: boolean;
}

interface FeedRow {
  position: string;
  type: string;
  data: Record<string, unknown>;
}

/** The user's feed after a position (catch-up for a reconnecting client). */
export async function feedAfter(pool: pg.Pool, userId: string, after: number, limit: number): Promise<FeedPage> {
  const { rows } = await pool.query<FeedRow>({
    name: 'feed_after',
    text: 'SELECT position, type, data FROM feed WHERE user_id = $1 AND position > $2 ORDER BY position LIMIT $3',
    values: [userId, after, limit + 1],
  });
  return pageOf(rows, limit);
}

export interface FeedAsk {
  userId: string;
  after: number;
  limit: number;
}

const FEED_AFTER_MANY_SQL = `SELECT ask.i, f.position, f.type, f.data
FROM unnest($1::uuid[], $2::bigint[], $3::int[]) WITH ORDINALITY AS ask(user_id, after, rows, i)
CROSS JOIN LATERAL (
  SELECT position, type, data FROM feed WHERE feed.user_id = ask.user_id AND feed.position > ask.after ORDER BY position LIMIT ask.rows
) f
ORDER BY ask.i, f.position`;

/** `feedAfter` for several users in one statement (a reconnect storm's catch-ups), in the order asked. */
export async function feedAfterMany(pool: pg.Pool, asks: readonly FeedAsk[]): Promise<FeedPage[]> {
  const { rows } = await pool.query<FeedRow & { i: string }>({
    name: 'feed_after_many',
    text: FEED_AFTER_MANY_SQL,
    values: [asks.map((a) => a.userId), asks.map((a) => a.after), asks.map((a) => a.limit + 1)],
  });
  const rowsOf: FeedRow[][] = asks.map(() => []);
  for (const row of rows) rowsOf[Number(row.i) - 1].push(row);
  return rowsOf.map((own, i) => pageOf(own, asks[i].limit));
}

function pageOf(rows: FeedRow[], limit: number): FeedPage {
  return {
    events: rows.slice(0, limit).map((r) => ({ type: r.type, position: Number(r.position), data: r.data })),
    hasMore: rows.length > limit,
  };
}
