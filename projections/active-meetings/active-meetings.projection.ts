import { dataOf, text, timestamp, uuid, uuids } from '../event-fields.js';
import { PROJECTIONS } from '../names.js';
import { lastQuery, type ApplyOptions, type Projection, type Sql } from '../projection.js';
import { sqlPerEvent } from '../sql-per-event.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';

/**
 * Meetings that ring or go on, with who is seated under which peer id. The sweeper reads `ring_until` here
 * to end unanswered meetings; `GET /api/meetings` lists a user's rows.
 */
export const activeMeetingsProjection: Projection = sqlPerEvent(PROJECTIONS.activeMeetings, ['active_meetings'], applyEvent, [
  'MeetingStarted',
  'ParticipantJoined',
  'ParticipantLeft',
  'MeetingEnded',
]);

/** One statement per event, each the last of its batch when its event is. */
async function applyEvent(sql: Sql, event: RecordedDerbelEvent, options: ApplyOptions): Promise<void> {
  switch (event.type) {
    case 'MeetingStarted': {
      const d = dataOf(event);
      await lastQuery(sql, options, {
        text: `INSERT INTO active_meetings (meeting_id, contact_id, state, started_by, members, invitees, ring_until, started_at)
         VALUES ($1, $2, 'ringing', $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
        values: [
          uuid(event, d.meetingId, 'meetingId'),
          uuid(event, d.contactId, 'contactId'),
          uuid(event, d.startedBy, 'startedBy'),
          uuids(event, d.members, 'members'),
          uuids(event, d.invitees, 'invitees'),
          timestamp(event, d.ringUntil, 'ringUntil'),
          timestamp(event, d.startedAt, 'startedAt'),
        ],
      });
      return;
    }
    case 'ParticipantJoined': {
      const d = dataOf(event);
      // One seat per user: a rejoin under a new peer id replaces the old entry.
      await lastQuery(sql, options, {
        text: `UPDATE active_meetings SET
           participants = coalesce((SELECT jsonb_agg(p) FROM jsonb_array_elements(participants) p WHERE p->>'userId' <> $2::text), '[]'::jsonb)
                          || jsonb_build_array(jsonb_build_object('userId', $2::text, 'peerId', $3::text)),
           state = CASE WHEN $2::uuid = ANY(invitees) THEN 'active' ELSE state END
         WHERE meeting_id = $1`,
        values: [uuid(event, d.meetingId, 'meetingId'), uuid(event, d.userId, 'userId'), text(event, d.peerId, 'peerId')],
      });
      return;
    }
    case 'ParticipantLeft': {
      const d = dataOf(event);
      await lastQuery(sql, options, {
        text: `UPDATE active_meetings SET
           participants = coalesce((SELECT jsonb_agg(p) FROM jsonb_array_elements(participants) p WHERE p->>'peerId' <> $2::text), '[]'::jsonb)
         WHERE meeting_id = $1`,
        values: [uuid(event, d.meetingId, 'meetingId'), text(event, d.peerId, 'peerId')],
      });
      return;
    }
    case 'MeetingEnded': {
      await lastQuery(sql, options, {
        text: 'DELETE FROM active_meetings WHERE meeting_id = $1',
        values: [uuid(event, dataOf(event).meetingId, 'meetingId')],
      });
      return;
    }
  }
}
