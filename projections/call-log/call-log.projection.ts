import { dataOf, timestamp, uuid, uuids } from '../event-fields.js';
import { PROJECTIONS } from '../names.js';
import { lastQuery, type ApplyOptions, type Projection, type Sql } from '../projection.js';
import { sqlPerEvent } from '../sql-per-event.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';

/**
 * Per user, each ended meeting: who the peer was, who called whom, and whether it was missed, declined
 * or finished (answered: then its duration counts from the first answer to the end). `call_log_meetings`
 * remembers what that needs while the meeting runs. In a group call that was answered, the outcome is each
 * member's own: finished for those who joined, declined for those who declined, missed for the others.
 */
export const callLogProjection: Projection = sqlPerEvent(
  PROJECTIONS.callLog,
  ['call_log', 'call_log_meetings'],
  applyEvent,
  ['MeetingStarted', 'ParticipantJoined', 'InvitationDeclined', 'MeetingEnded'],
  // Meetings are read by id only: a rebuild builds the newest-first index once, after the replay.
  { readsOnlyByKey: true },
);

async function applyEvent(sql: Sql, event: RecordedDerbelEvent, options: ApplyOptions): Promise<void> {
  switch (event.type) {
    case 'MeetingStarted': {
      const d = dataOf(event);
      await lastQuery(sql, options, {
        text: `INSERT INTO call_log_meetings (meeting_id, started_by, members, started_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        values: [
          uuid(event, d.meetingId, 'meetingId'),
          uuid(event, d.startedBy, 'startedBy'),
          uuids(event, d.members, 'members', 2),
          timestamp(event, d.startedAt, 'startedAt'),
        ],
      });
      return;
    }
    case 'ParticipantJoined': {
      const d = dataOf(event);
      await lastQuery(sql, options, {
        text: `UPDATE call_log_meetings SET
           answered_at = CASE WHEN answered_at IS NULL AND started_by <> $2 THEN $3 ELSE answered_at END,
           joined = CASE WHEN $2 = ANY(joined) THEN joined ELSE joined || $2 END
         WHERE meeting_id = $1`,
        values: [uuid(event, d.meetingId, 'meetingId'), uuid(event, d.userId, 'userId'), timestamp(event, d.joinedAt, 'joinedAt')],
      });
      return;
    }
    case 'InvitationDeclined': {
      const d = dataOf(event);
      await lastQuery(sql, options, {
        text: `UPDATE call_log_meetings SET declined = CASE WHEN $2 = ANY(declined) THEN declined ELSE declined || $2 END WHERE meeting_id = $1`,
        values: [uuid(event, d.meetingId, 'meetingId'), uuid(event, d.userId, 'userId')],
      });
      return;
    }
    case 'MeetingEnded': {
      const d = dataOf(event);
      const [meetingId, contactId, endedAt] = [
        uuid(event, d.meetingId, 'meetingId'),
        uuid(event, d.contactId, 'contactId'),
        timestamp(event, d.endedAt, 'endedAt'),
      ];
      const { rows } = await sql.query(`DELETE FROM call_log_meetings WHERE meeting_id = $1 RETURNING *`, [meetingId]);
      const meeting = rows[0];
      if (!meeting) return;
      const outcome = d.reason === 'declined' ? 'declined' : meeting.answered_at ? 'finished' : 'missed';
      const duration = meeting.answered_at ? Math.max(0, Math.round((Date.parse(endedAt) - meeting.answered_at.getTime()) / 1000)) : 0;
      const members: string[] = meeting.members;
      const starter: string = meeting.started_by;
      const group = members.length > 2 && meeting.answered_at !== null;
      const entries = members.map((userId) => {
        const outgoing = userId === starter;
        const own = !group
          ? outcome
          : meeting.joined.includes(userId)
            ? 'finished'
            : meeting.declined.includes(userId)
              ? 'declined'
              : 'missed';
        return {
          user_id: userId,
          peer_id: outgoing ? members.find((m) => m !== starter)! : starter,
          direction: outgoing ? 'outgoing' : 'incoming',
          outcome: own,
          duration_seconds: own === 'finished' ? duration : 0,
        };
      });
      // Every member's entry in one statement, the batch's last when the end is its last event.
      await lastQuery(sql, options, {
        text: `INSERT INTO call_log (user_id, meeting_id, contact_id, peer_id, direction, outcome, started_at, ended_at, duration_seconds)
           SELECT r.user_id, $2, $3, r.peer_id, r.direction, r.outcome, $4, $5, r.duration_seconds
           FROM json_to_recordset($1::json) AS r(user_id uuid, peer_id uuid, direction text, outcome text, duration_seconds integer)
           ON CONFLICT DO NOTHING`,
        values: [JSON.stringify(entries), meetingId, contactId, meeting.started_at, endedAt],
      });
      return;
    }
  }
}
