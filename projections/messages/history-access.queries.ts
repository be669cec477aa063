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

type AccessRow = { version: string; joined: string[] | null; left: Array<string | null> | null };

/**
 * Both in one statement, prepared once per connection (issue 21: a cached page then costs one round trip).
 * The aggregate answers one row whether or not the member has any.
 */
const ACCESS_SQL = `SELECT (${VERSION_SQL}) AS version, m.joined, m.left
  FROM (SELECT array_agg(joined_revision ORDER BY joined_position) AS joined, array_agg(left_revision ORDER BY joined_position) AS left
        FROM conversation_members WHERE contact_id = $1 AND user_id = $2) m`;

/**
 * The same for every page asked for in one turn of the event loop, in one statement (and one snapshot): readers
 * opening conversations at once share a round trip. The version is spelt as `VERSION_SQL` spells it.
 */
const ACCESS_MANY_SQL = `SELECT to_regclass('messages')::oid || '.' || coalesce(v.changes || '.' || v.position, '0.0') AS version, m.joined, m.left
  FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS q(contact_id, user_id, i)
  LEFT JOIN message_versions v ON v.contact_id = q.contact_id
  CROSS JOIN LATERAL (SELECT array_agg(joined_revision ORDER BY joined_position) AS joined, array_agg(left_revision ORDER BY joined_position) AS left
        FROM conversation_members c WHERE c.contact_id = q.contact_id AND c.user_id = q.user_id) m
  ORDER BY q.i`;

export async function historyAccess(pool: pg.Pool, userId: string, contactId: string): Promise<HistoryAccess> {
  const { rows } = await pool.query<AccessRow>({ name: 'history_access', text: ACCESS_SQL, values: [contactId, userId] });
  return accessOf(rows[0]);
}

/** `historyAccess` of several (user, conversation) pairs in one statement, in their order. Ids must be uuids. */
export async function historyAccessOfMany(
  pool: pg.Pool,
  asks: ReadonlyArray<{ userId: string; contactId: string }>,
): Promise<HistoryAccess[]> {
  const { rows } = await pool.query<AccessRow>({
    name: 'history_access_many',
    text: ACCESS_MANY_SQL,
    values: [asks.map((a) => a.contactId), asks.map((a) => a.userId)],
  });
  if (rows.length !== asks.length) throw new Error(`history access: ${rows.length} rows for ${asks.length} asks`);
  return rows.map(accessOf);
}

const accessOf = ({ version, joined, left }: AccessRow): HistoryAccess => ({
  version,
  periods: joined && left ? periodsOf(joined, left) : null,
});

/** A member's periods from their rows' bounds; null unless one of them lasts (they are a member now). */
function periodsOf(joined: readonly string[], left: ReadonlyArray<string | null>): MessagePeriod[] | null {
  if (!left.includes(null)) return null;
  return joined.map((after, i) => ({ after: Number(after), before: left[i] === null ? null : Number(left[i]) }));
}
