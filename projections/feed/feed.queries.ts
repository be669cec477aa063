import type pg from 'pg';

/** The user's feed after a position (catch-up for a reconnecting client). */
export async function feedAfter(pool: pg.Pool, userId: string, after: number, limit: number) {
  const { rows } = await pool.query(
    'SELECT position, type, data FROM feed WHERE user_id = $1 AND position > $2 ORDER BY position LIMIT $3',
    [userId, after, limit + 1],
  );
  const hasMore = rows.length > limit;
  return {
    events: rows.slice(0, limit).map((r) => ({ type: r.type as string, position: Number(r.position), data: r.data })),
    hasMore,
  };
}
