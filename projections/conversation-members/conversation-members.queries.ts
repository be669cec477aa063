import type pg from 'pg';
import type { MessagePeriod } from '../messages/messages.queries.js';

/**
 * The parts of the conversation `userId` may read, oldest first, as bounds on `messages.seq`; null when they
 * are not a member now (never were, or left or were removed): they may read none of it.
 */
export async function readablePeriods(pool: pg.Pool, userId: string, contactId: string): Promise<MessagePeriod[] | null> {
  const { rows } = await pool.query<{ joined_revision: string; left_revision: string | null }>(
    `SELECT joined_revision, left_revision FROM conversation_members WHERE contact_id = $1 AND user_id = $2 ORDER BY joined_position`,
    [contactId, userId],
  );
  if (!rows.some((r) => r.left_revision === null)) return null;
  return rows.map((r) => ({ after: Number(r.joined_revision), before: r.left_revision === null ? null : Number(r.left_revision) }));
}
