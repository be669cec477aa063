import type pg from 'pg';

export interface BlockItem {
  user: { id: string; username: string };
  blockedAt: string;
}

/** Whom the user has blocked, newest first. */
export async function listBlocks(pool: pg.Pool, userId: string): Promise<BlockItem[]> {
  const { rows } = await pool.query(
    `SELECT b.blocked_id, a.username, b.blocked_at FROM user_blocks b LEFT JOIN accounts a ON a.user_id = b.blocked_id
     WHERE b.blocker_id = $1 ORDER BY b.blocked_at DESC, b.blocked_id`,
    [userId],
  );
  return rows.map((r) => ({ user: { id: r.blocked_id, username: r.username ?? '' }, blockedAt: r.blocked_at.toISOString() }));
}
