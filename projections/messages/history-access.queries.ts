import type pg from 'pg';
import { VERSION_SQL, type MessagePeriod } from './messages.queries.js';

/** What a history page needs to know before it is served: who may read which part, and at which version. */
export interface HistoryAccess {
  /** The conversation's version now (`message_versions`): what a cached page is checked against. */
  version: string;
  /**
   * The parts `userId` may read, oldest first, as bounds on `messages.seq` (`conversation_members`); null when
   * that read model does not show them as a member now (never were, left, were removed, or not yet projected).
   */
  periods: MessagePeriod[] | null;
}

/**
 * Both in one statement, prepared once per connection (issue 21: a cached page then costs one round trip).
 * The aggregate answers one row whether or not the member has any.
 */
const ACCESS_SQL = `SELECT (${VERSION_SQL}) AS version, m.joined, m.left
  FROM (SELECT array_agg(joined_revision ORDER BY joined_position) AS joined, array_agg(left_revision ORDER BY joined_position) AS left
        FROM conversation_members WHERE contact_id = $1 AND user_id = $2) m`;

export async function historyAccess(pool: pg.Pool, userId: string, contactId: string): Promise<HistoryAccess> {
  const { rows } = await pool.query<{ version: string; joined: string[] | null; left: Array<string | null> | null }>({
    name: 'history_access',
    text: ACCESS_SQL,
    values: [contactId, userId],
  });
  const [{ version, joined, left }] = rows;
  return { version, periods: joined && left ? periodsOf(joined, left) : null };
}

/** A member's periods from their rows' bounds; null unless one of them lasts (they are a member now). */
function periodsOf(joined: readonly string[], left: ReadonlyArray<string | null>): MessagePeriod[] | null {
  if (!left.includes(null)) return null;
  return joined.map((after, i) => ({ after: Number(after), before: left[i] === null ? null : Number(left[i]) }));
}
