/** Events of a `meeting-<meetingId>` stream. Signaling is never stored. */
export type MeetingEndReason = 'ended' | 'empty' | 'missed' | 'declined';
export type ParticipantLeftReason = 'left' | 'disconnected';

export type MeetingStarted = {
  type: 'MeetingStarted';
  data: {
    meetingId: string;
    contactId: string;
    startedBy: string;
    members: string[];
    invitees: string[];
    startedAt: string;
    ringUntil: string;
  };
};

export type ParticipantJoined = {
  type: 'ParticipantJoined';
  data: { meetingId: string; contactId: string; userId: string; peerId: string; joinedAt: string };
};

export type ParticipantLeft = {
  type: 'ParticipantLeft';
  data: { meetingId: string; contactId: string; userId: string; peerId: string; reason: ParticipantLeftReason; leftAt: string };
};

export type InvitationDeclined = {
  type: 'InvitationDeclined';
  data: { meetingId: string; contactId: string; userId: string; declinedAt: string };
};

export type MeetingEnded = {
  type: 'MeetingEnded';
  data: { meetingId: string; contactId: string; reason: MeetingEndReason; endedBy: string | null; endedAt: string };
};

export type MeetingEvent = MeetingStarted | ParticipantJoined | ParticipantLeft | InvitationDeclined | MeetingEnded;

/**
 * Events of a `meeting-slot-<contactId>` stream: which meeting holds the contact's single meeting slot.
 * They carry no `contactId` on purpose: they are bookkeeping, not something to show in anyone's feed.
 */
export type MeetingSlotClaimed = {
  type: 'MeetingSlotClaimed';
  data: { meetingId: string; claimedAt: string };
};

export type MeetingSlotReleased = {
  type: 'MeetingSlotReleased';
  data: { meetingId: string };
};

export type MeetingSlotEvent = MeetingSlotClaimed | MeetingSlotReleased;
