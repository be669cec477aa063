import { DomainError, type Decider } from '../decider.js';
import type {
  InvitationDeclined,
  MeetingEndReason,
  MeetingEnded,
  MeetingEvent,
  MeetingStarted,
  ParticipantJoined,
  ParticipantLeft,
  ParticipantLeftReason,
} from './events.js';

/**
 * The `meeting-<meetingId>` stream: one call between the members of a conversation (a direct contact or
 * a group, whose members at the start are the only ones who may take part). Ids and times come in with
 * the commands (`at` is the handler's clock), so the decider stays pure.
 */
export type StartMeeting = {
  type: 'StartMeeting';
  data: { meetingId: string; contactId: string; startedBy: string; members: readonly string[]; at: string; ringUntil: string };
};
export type JoinMeeting = {
  type: 'JoinMeeting';
  data: { meetingId: string; userId: string; peerId: string; at: string };
};
/** `peerId` names the seat being given up: a stale one (the user has since rejoined) changes nothing. */
export type LeaveMeeting = {
  type: 'LeaveMeeting';
  data: { meetingId: string; userId: string; reason: ParticipantLeftReason; peerId?: string; at: string };
};
export type DeclineMeeting = {
  type: 'DeclineMeeting';
  data: { meetingId: string; userId: string; at: string };
};
export type EndMeeting = {
  type: 'EndMeeting';
  data: { meetingId: string; userId: string; at: string };
};
/** Issued by the sweeper once `ringUntil` passed; a repeat, or one that comes too early, is a no-op. */
export type ExpireRing = {
  type: 'ExpireRing';
  data: { meetingId: string; at: string };
};
/** The contact between the members ended (removed or blocked): the meeting ends at once, whoever is in it. */
export type CloseMeeting = {
  type: 'CloseMeeting';
  data: { meetingId: string; userId: string; at: string };
};
/**
 * `userId` is no longer a member of the group (left or removed): out of its call — their seat given up, or
 * the ring for them stopped as if they had declined; the caller who never took a seat hangs up. The call
 * goes on for the others.
 */
export type DismissFromMeeting = {
  type: 'DismissFromMeeting';
  data: { meetingId: string; userId: string; at: string };
};
export type MeetingCommand =
  StartMeeting | JoinMeeting | LeaveMeeting | DeclineMeeting | EndMeeting | ExpireRing | CloseMeeting | DismissFromMeeting;

export type Participant = { userId: string; peerId: string };

/**
 * The most people in one call at once. Media goes peer to peer in a full mesh: each participant uploads
 * n−1 streams and the call needs n·(n−1)/2 connections, which a browser on an ordinary uplink carries
 * up to about six (docs/groups.md: an SFU would lift it).
 */
export const MAX_PARTICIPANTS = 6;

export class MeetingFullError extends DomainError {
  constructor() {
    super('MEETING_FULL', `This call is full: at most ${MAX_PARTICIPANTS} people can be in a call at once`);
  }
}

export type StartedMeeting = {
  status: 'ringing' | 'active' | 'ended';
  meetingId: string;
  contactId: string;
  startedBy: string;
  members: readonly string[];
  invitees: readonly string[];
  startedAt: string;
  ringUntil: string;
  /** One seat per user; a rejoin under a new peer id replaces the seat's peer id. */
  participants: readonly Participant[];
  declined: readonly string[];
  /** When the first invitee joined: the call was answered. */
  answeredAt: string | null;
  endReason: MeetingEndReason | null;
  endedAt: string | null;
};

export type MeetingState = { status: 'none' } | StartedMeeting;

export class MeetingNotFoundError extends DomainError {
  constructor() {
    super('MEETING_NOT_FOUND', 'No such meeting');
  }
}

export const meetingDecider: Decider<MeetingState, MeetingCommand, MeetingEvent> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state) {
    if (command.type === 'StartMeeting') return startMeeting(command, state);
    if (state.status === 'none') {
      if (command.type === 'ExpireRing') return [];
      throw new MeetingNotFoundError();
    }
    switch (command.type) {
      case 'JoinMeeting':
        return joinMeeting(command, state);
      case 'LeaveMeeting':
        return leaveMeeting(command, state);
      case 'DeclineMeeting':
        return declineMeeting(command, state);
      case 'EndMeeting':
        return endMeeting(command, state);
      case 'ExpireRing':
        return expireRing(command, state);
      case 'CloseMeeting':
        return closeMeeting(command, state);
      case 'DismissFromMeeting':
        return dismissFromMeeting(command, state);
    }
  },

  evolve(state, event) {
    if (event.type === 'MeetingStarted') {
      const d = event.data;
      return {
        status: 'ringing',
        meetingId: d.meetingId,
        contactId: d.contactId,
        startedBy: d.startedBy,
        members: d.members,
        invitees: d.invitees,
        startedAt: d.startedAt,
        ringUntil: d.ringUntil,
        participants: [],
        declined: [],
        answeredAt: null,
        endReason: null,
        endedAt: null,
      };
    }
    if (state.status === 'none') return state;
    switch (event.type) {
      case 'ParticipantJoined': {
        const { userId, peerId, joinedAt } = event.data;
        const answered = state.answeredAt === null && state.invitees.includes(userId);
        return {
          ...state,
          status: answered ? 'active' : state.status,
          answeredAt: answered ? joinedAt : state.answeredAt,
          participants: [...state.participants.filter((p) => p.userId !== userId), { userId, peerId }],
        };
      }
      case 'ParticipantLeft':
        return { ...state, participants: state.participants.filter((p) => p.peerId !== event.data.peerId) };
      case 'InvitationDeclined':
        return { ...state, declined: [...state.declined, event.data.userId] };
      case 'MeetingEnded':
        return { ...state, status: 'ended', endReason: event.data.reason, endedAt: event.data.endedAt };
    }
  },
};

/** Whether the meeting is still waiting for its first invitee at `at`. */
export function isRinging(state: StartedMeeting, at: string): boolean {
  return state.status === 'ringing' && Date.parse(at) < Date.parse(state.ringUntil);
}

export function participantOf(state: StartedMeeting, userId: string): Participant | undefined {
  return state.participants.find((p) => p.userId === userId);
}

function startMeeting({ data }: StartMeeting, state: MeetingState): MeetingEvent[] {
  if (state.status !== 'none') throw new DomainError('MEETING_ALREADY_STARTED', `Meeting ${data.meetingId} already exists`);
  if (!data.members.includes(data.startedBy)) throw new DomainError('NOT_A_MEMBER', 'Only a member of the contact may start a meeting');
  const invitees = data.members.filter((m) => m !== data.startedBy);
  if (invitees.length === 0) throw new DomainError('INVALID_MEMBERS', 'A meeting needs someone to call');
  if (Date.parse(data.ringUntil) <= Date.parse(data.at)) throw new DomainError('INVALID_RING_TIMEOUT', 'ringUntil must be after the start');
  const started: MeetingStarted = {
    type: 'MeetingStarted',
    data: {
      meetingId: data.meetingId,
      contactId: data.contactId,
      startedBy: data.startedBy,
      members: [...data.members],
      invitees,
      startedAt: data.at,
      ringUntil: data.ringUntil,
    },
  };
  return [started];
}

function member(state: StartedMeeting, userId: string) {
  if (!state.members.includes(userId)) throw new DomainError('NOT_A_MEMBER', 'Only members of the contact may take part');
}

function notEnded(state: StartedMeeting) {
  if (state.status === 'ended') throw new DomainError('MEETING_ENDED', 'This meeting has ended');
}

function joinMeeting({ data }: JoinMeeting, state: StartedMeeting): MeetingEvent[] {
  member(state, data.userId);
  notEnded(state);
  // The ring is over but the sweeper has not written it yet: nobody can answer a missed call.
  if (state.status === 'ringing' && !isRinging(state, data.at)) throw new DomainError('MEETING_ENDED', 'Nobody answered in time');
  const seat = participantOf(state, data.userId);
  if (seat?.peerId === data.peerId) return [];
  // A rejoin keeps its seat; only a newcomer needs a free one.
  if (!seat && state.participants.length >= MAX_PARTICIPANTS) throw new MeetingFullError();
  const joined: ParticipantJoined = {
    type: 'ParticipantJoined',
    data: { meetingId: state.meetingId, contactId: state.contactId, userId: data.userId, peerId: data.peerId, joinedAt: data.at },
  };
  return [joined];
}

function leaveMeeting({ data }: LeaveMeeting, state: StartedMeeting): MeetingEvent[] {
  member(state, data.userId);
  const seat = participantOf(state, data.userId);
  if (data.reason === 'disconnected' && (state.status === 'ended' || !seat || seat.peerId !== data.peerId)) return [];
  notEnded(state);
  if (!seat || (data.peerId !== undefined && seat.peerId !== data.peerId)) return [];
  const left: ParticipantLeft = {
    type: 'ParticipantLeft',
    data: {
      meetingId: state.meetingId,
      contactId: state.contactId,
      userId: data.userId,
      peerId: seat.peerId,
      reason: data.reason,
      leftAt: data.at,
    },
  };
  if (state.participants.length > 1) return [left];
  // The last one out: a call that was answered is over; one nobody answered yet was given up.
  const reason: MeetingEndReason = state.answeredAt !== null ? 'empty' : 'missed';
  return [left, ended(state, reason, data.reason === 'left' ? data.userId : null, data.at)];
}

function declineMeeting({ data }: DeclineMeeting, state: StartedMeeting): MeetingEvent[] {
  member(state, data.userId);
  notEnded(state);
  if (!state.invitees.includes(data.userId)) throw new DomainError('NOT_INVITED', 'Only an invitee can decline');
  if (state.declined.includes(data.userId)) return [];
  if (participantOf(state, data.userId)) throw new DomainError('ALREADY_JOINED', 'You are in this meeting; leave it instead');
  const declined: InvitationDeclined = {
    type: 'InvitationDeclined',
    data: { meetingId: state.meetingId, contactId: state.contactId, userId: data.userId, declinedAt: data.at },
  };
  // Once someone answered, the call goes on whoever else declines.
  const everyoneDeclined = state.answeredAt === null && state.invitees.every((i) => i === data.userId || state.declined.includes(i));
  return everyoneDeclined ? [declined, ended(state, 'declined', data.userId, data.at)] : [declined];
}

function endMeeting({ data }: EndMeeting, state: StartedMeeting): MeetingEvent[] {
  member(state, data.userId);
  notEnded(state);
  // The caller may hang up before joining over a socket; anyone else must be in the call.
  const mayEnd = participantOf(state, data.userId) || (data.userId === state.startedBy && state.status === 'ringing');
  if (!mayEnd) throw new DomainError('NOT_A_PARTICIPANT', 'Only a participant can end the meeting');
  return [ended(state, 'ended', data.userId, data.at)];
}

function closeMeeting({ data }: CloseMeeting, state: StartedMeeting): MeetingEvent[] {
  member(state, data.userId);
  if (state.status === 'ended') return [];
  return [ended(state, 'ended', data.userId, data.at)];
}

function dismissFromMeeting({ data }: DismissFromMeeting, state: StartedMeeting): MeetingEvent[] {
  member(state, data.userId);
  if (state.status === 'ended') return [];
  const seat = participantOf(state, data.userId);
  if (seat) return leaveMeeting({ type: 'LeaveMeeting', data: { ...data, reason: 'left', peerId: seat.peerId } }, state);
  if (data.userId === state.startedBy) {
    // The caller hangs up a call nobody is in yet; once anyone is in it, it goes on without them.
    return state.participants.length === 0 && state.answeredAt === null ? [ended(state, 'ended', data.userId, data.at)] : [];
  }
  const stillRingsThem = !state.declined.includes(data.userId) && Date.parse(data.at) < Date.parse(state.ringUntil);
  return stillRingsThem ? declineMeeting({ type: 'DeclineMeeting', data }, state) : [];
}

function expireRing({ data }: ExpireRing, state: StartedMeeting): MeetingEvent[] {
  if (state.status !== 'ringing' || isRinging(state, data.at)) return [];
  return [ended(state, 'missed', null, data.at)];
}

function ended(state: StartedMeeting, reason: MeetingEndReason, endedBy: string | null, at: string): MeetingEnded {
  return { type: 'MeetingEnded', data: { meetingId: state.meetingId, contactId: state.contactId, reason, endedBy, endedAt: at } };
}
