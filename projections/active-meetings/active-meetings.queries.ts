import type pg from 'pg';

export interface ActiveMeeting {
  id: string;
  contactId: string;
  state: 'ringing' | 'active';
  startedBy: string;
  invitees: string[];
  participants: Array<{ userId: string; peerId: string }>;
  ringUntil: string;
  startedAt: string;
}

/** The ringing and ongoing meetings of the conversations the user is a member of now (not of a group they left), newest first. */
export async function listActiveMeetings(pool: pg.Pool, userId: string): Promise<ActiveMeeting[]> {
  const { rows } = await pool.query(
    `SELECT meeting_id, contact_id, state, started_by, invitees, participants, ring_until, started_at
     FROM active_meetings a
     WHERE $1 = ANY(members)
       AND EXISTS (SELECT 1 FROM conversation_members c WHERE c.contact_id = a.contact_id AND c.user_id = $1 AND c.left_position IS NULL)
     ORDER BY started_at DESC, meeting_id`,
    [userId],
  );
  return rows.map((r) => ({
    id: r.meeting_id,
    contactId: r.contact_id,
    state: r.state,
    startedBy: r.started_by,
    invitees: r.invitees,
    participants: r.participants,
    ringUntil: r.ring_until.toISOString(),
    startedAt: r.started_at.toISOString(),
  }));
}

/** Meetings nobody answered whose ring ended by `now`: the sweeper's work list. */
export async function ringsDue(pool: pg.Pool, now: Date, limit = 100): Promise<string[]> {
  const { rows } = await pool.query<{ meeting_id: string }>(
    `SELECT meeting_id FROM active_meetings WHERE state = 'ringing' AND ring_until <= $1 ORDER BY ring_until LIMIT $2`,
    [now, limit],
  );
  return rows.map((r) => r.meeting_id);
}
