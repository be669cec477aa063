import type pg from 'pg';
import type { PublicUser } from '../../application/accounts/user.js';

const toUser = (r: { user_id: string; username: string; display_name: string }): PublicUser => ({
  id: r.user_id,
  username: r.username,
  displayName: r.display_name,
});

/** Directory search: username prefix or display-name substring, at most `limit`, never the searcher. */
export async function searchUsers(pool: pg.Pool, query: string, excludeUserId: string, limit = 20): Promise<PublicUser[]> {
  const q = query.trim().toLowerCase();
  const like = q.replace(/[\\%_]/g, (c) => `\\${c}`);
  const { rows } = await pool.query(
    `SELECT user_id, username, display_name FROM accounts
     WHERE user_id <> $1 AND ($2 = '' OR username LIKE $3 || '%' OR lower(display_name) LIKE '%' || $3 || '%')
     ORDER BY (username LIKE $3 || '%') DESC, username LIMIT $4`,
    [excludeUserId, q, like, limit],
  );
  return rows.map(toUser);
}
