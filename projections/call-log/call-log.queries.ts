import type pg from 'pg';
import type { PublicUser } from '../../application/accounts/user.js';

export interface CallRecord {
  meetingId: string;
  contactId: string;
  peer: PublicUser;
  direction: 'outgoing' | 'incoming';
  outcome: 'missed' | 'declined' | 'finished';
  startedAt: string;
  endedAt: string;
  durationSeconds: number;
}

/**
 * The user's calls, newest end first, `limit` at a time; `before` is the meetingId of the last call of the
 * previous page. Null when that cursor is not one of the user's calls.
 */
export async function listCalls(
  pool: pg.Pool,
  userId: string,
  { before, limit }: { before?: string; limit: number },
): Promise<{ calls: CallRecord[]; hasMore: boolean } | null> {
  let cursor: { ended_at: Date; meeting_id: string } | undefined;
  if (before) {
    const { rows } = await pool.query('SELECT ended_at, meeting_id FROM call_log WHERE user_id = $1 AND meeting_id = $2', [userId, before]);
    cursor = rows[0];
    if (!cursor) return null;
  }
  const { rows } = await pool.query(
    `SELECT c.meeting_id, c.contact_id, c.peer_id, a.username, a.display_name, c.direction, c.outcome,
            c.started_at, c.ended_at, c.duration_seconds
     FROM call_log c LEFT JOIN accounts a ON a.user_id = c.peer_id
     WHERE c.user_id = $1 AND ($2::timestamptz IS NULL OR (c.ended_at, c.meeting_id) < ($2, $3::uuid))
     ORDER BY c.ended_at DESC, c.meeting_id DESC
     LIMIT $4`,
    [userId, cursor?.ended_at ?? null, cursor?.meeting_id ?? null, limit + 1],
  );
  return {
    calls: rows.slice(0, limit).map((r) => ({
      meetingId: r.meeting_id,
      contactId: r.contact_id,
      peer: { id: r.peer_id, username: r.username ?? '', displayName: r.display_name ?? '' },
      direction: r.direction,
      outcome: r.outcome,
      startedAt: r.started_at.toISOString(),
      endedAt: r.ended_at.toISOString(),
      durationSeconds: r.duration_seconds,
    })),
    hasMore: rows.length > limit,
  };
}
