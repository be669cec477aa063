import type { FeedEvent, Meeting } from '../types.js';

/** The meetings the user is part of (ringing or active), kept current by feed events. */
export type MeetingsState = {
  meetings: Record<string, Meeting>;
  /** Meetings this user declined (they may still ring for a moment until the server ends them). */
  declined: Record<string, true>;
};

export const emptyMeetings: MeetingsState = { meetings: {}, declined: {} };

export function withMeetings(state: MeetingsState, meetings: Meeting[]): MeetingsState {
  return { ...state, meetings: Object.fromEntries(meetings.map((meeting) => [meeting.id, meeting])) };
}

export function withMeeting(state: MeetingsState, meeting: Meeting): MeetingsState {
  return { ...state, meetings: { ...state.meetings, [meeting.id]: meeting } };
}

/** `me`: the signed-in user, whom the server may take out of a call (a ring stopped, a group left). */
export function applyToMeetings(state: MeetingsState, event: FeedEvent, me?: string): MeetingsState {
  const change = (meetingId: string, update: (meeting: Meeting) => Meeting | null): MeetingsState => {
    const meeting = state.meetings[meetingId];
    if (!meeting) return state;
    const updated = update(meeting);
    const meetings = { ...state.meetings };
    if (updated) meetings[meetingId] = updated;
    else delete meetings[meetingId];
    return { ...state, meetings };
  };
  switch (event.type) {
    case 'MeetingStarted': {
      const { meetingId, contactId, startedBy, invitees, ringUntil } = event.data;
      if (state.meetings[meetingId]) return state;
      return withMeeting(state, { id: meetingId, contactId, state: 'ringing', startedBy, invitees, participants: [], ringUntil });
    }
    case 'ParticipantJoined':
      return change(event.data.meetingId, (meeting) => ({
        ...meeting,
        state: meeting.state === 'active' || event.data.userId !== meeting.startedBy ? 'active' : 'ringing',
        participants: [
          ...meeting.participants.filter((participant) => participant.peerId !== event.data.peerId),
          { userId: event.data.userId, peerId: event.data.peerId },
        ],
        joinedOnce: [...new Set([...(meeting.joinedOnce ?? []), event.data.userId])],
      }));
    case 'ParticipantLeft':
      return change(event.data.meetingId, (meeting) => ({
        ...meeting,
        participants: meeting.participants.filter((participant) => participant.peerId !== event.data.peerId),
      }));
    case 'InvitationDeclined':
      // Declined here, on another device, or by the server for a member who left the group: it stops ringing.
      return event.data.userId === me && state.meetings[event.data.meetingId] ? markDeclined(state, event.data.meetingId) : state;
    case 'GroupMemberRemoved':
    case 'GroupMemberLeft': {
      if (event.data.userId !== me) return state;
      // Out of the group: its calls are no longer this user's (the server sends nothing more of them).
      const meetings = Object.fromEntries(
        Object.entries(state.meetings).filter(([, meeting]) => meeting.contactId !== event.data.contactId),
      );
      return { ...state, meetings };
    }
    case 'MeetingEnded': {
      const next = change(event.data.meetingId, () => null);
      const declined = { ...next.declined };
      delete declined[event.data.meetingId];
      return { ...next, declined };
    }
    default:
      return state;
  }
}

export function markDeclined(state: MeetingsState, meetingId: string): MeetingsState {
  return { ...state, declined: { ...state.declined, [meetingId]: true } };
}

/**
 * The meeting ringing for this user right now, if any: the incoming-call panel shows it. The ring
 * timeout is the server's to enforce (it ends the meeting as `missed`); local clocks may be skewed.
 */
/**
 * The call ringing for `userId`, if any. A direct call rings until it is answered; a group call rings
 * each member who has not joined or declined until its ring deadline, also once others are talking.
 */
export function ringingFor(state: MeetingsState, userId: string, exceptMeetingId?: string | null, now = new Date()): Meeting | null {
  for (const meeting of Object.values(state.meetings)) {
    if (meeting.id === exceptMeetingId || state.declined[meeting.id]) continue;
    const stillRings =
      meeting.state === 'ringing' || (isGroupCall(meeting) && meeting.state === 'active' && now.getTime() < Date.parse(meeting.ringUntil));
    if (!stillRings) continue;
    if (meeting.startedBy === userId || !meeting.invitees.includes(userId)) continue;
    // Someone who was in it and left is not called back into it.
    if (meeting.participants.some((participant) => participant.userId === userId) || meeting.joinedOnce?.includes(userId)) continue;
    return meeting;
  }
  return null;
}

/** More than one person was called: a group's call. */
export const isGroupCall = (meeting: Meeting) => meeting.invitees.length > 1;

/** When the next group call stops ringing on its own (nothing on the feed says so): to look again then. */
export function nextRingDeadline(state: MeetingsState, now = new Date()): number | null {
  const deadlines = Object.values(state.meetings)
    .filter(isGroupCall)
    .map((meeting) => Date.parse(meeting.ringUntil))
    .filter((deadline) => deadline > now.getTime());
  return deadlines.length > 0 ? Math.min(...deadlines) : null;
}
