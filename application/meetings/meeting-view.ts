import type { MeetingEndReason } from '../../domain/meetings/events.js';
import type { Participant, StartedMeeting } from '../../domain/meetings/meeting.js';

/** A meeting as the API shows it: the shape of `GET /api/meetings` entries, plus how it ended once it has. */
export interface MeetingView {
  id: string;
  contactId: string;
  state: 'ringing' | 'active' | 'ended';
  startedBy: string;
  invitees: string[];
  participants: Participant[];
  ringUntil: string;
  startedAt: string;
  endedAt?: string;
  endReason?: MeetingEndReason;
}

export function toMeetingView(state: StartedMeeting): MeetingView {
  return {
    id: state.meetingId,
    contactId: state.contactId,
    state: state.status,
    startedBy: state.startedBy,
    invitees: [...state.invitees],
    participants: state.participants.map((p) => ({ userId: p.userId, peerId: p.peerId })),
    ringUntil: state.ringUntil,
    startedAt: state.startedAt,
    ...(state.status === 'ended' ? { endedAt: state.endedAt!, endReason: state.endReason! } : {}),
  };
}
