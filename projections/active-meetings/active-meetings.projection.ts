import type { MeetingEnded, MeetingStarted, ParticipantJoined, ParticipantLeft } from '../../domain/meetings/events.js';
import type { Projection } from '../projection.js';

/**
 * Meetings that ring or go on, with who is seated under which peer id. The sweeper reads `ring_until` here
 * to end unanswered meetings; `GET /api/meetings` lists a user's rows.
 */
export const activeMeetingsProjection: Projection = {
  name: 'active_meetings',
  tables: ['active_meetings'],
  async apply(sql, event) {
    switch (event.type) {
      case 'MeetingStarted': {
        const d = event.data as MeetingStarted['data'];
        await sql.query(
          `INSERT INTO active_meetings (meeting_id, contact_id, state, started_by, members, invitees, ring_until, started_at)
           VALUES ($1, $2, 'ringing', $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
          [d.meetingId, d.contactId, d.startedBy, d.members, d.invitees, d.ringUntil, d.startedAt],
        );
        return;
      }
      case 'ParticipantJoined': {
        const d = event.data as ParticipantJoined['data'];
        // One seat per user: a rejoin under a new peer id replaces the old entry.
        await sql.query(
          `UPDATE active_meetings SET
             participants = coalesce((SELECT jsonb_agg(p) FROM jsonb_array_elements(participants) p WHERE p->>'userId' <> $2::text), '[]'::jsonb)
                            || jsonb_build_array(jsonb_build_object('userId', $2::text, 'peerId', $3::text)),
             state = CASE WHEN $2::uuid = ANY(invitees) THEN 'active' ELSE state END
           WHERE meeting_id = $1`,
          [d.meetingId, d.userId, d.peerId],
        );
        return;
      }
      case 'ParticipantLeft': {
        const d = event.data as ParticipantLeft['data'];
        await sql.query(
          `UPDATE active_meetings SET
             participants = coalesce((SELECT jsonb_agg(p) FROM jsonb_array_elements(participants) p WHERE p->>'peerId' <> $2::text), '[]'::jsonb)
           WHERE meeting_id = $1`,
          [d.meetingId, d.peerId],
        );
        return;
      }
      case 'MeetingEnded': {
        const d = event.data as MeetingEnded['data'];
        await sql.query('DELETE FROM active_meetings WHERE meeting_id = $1', [d.meetingId]);
        return;
      }
    }
  },
};
