import { describe, it } from 'vitest';
import { DeciderSpecification } from '../../test/support/decider-specification.js';
import type { MeetingEndReason, MeetingEvent, ParticipantLeftReason } from './events.js';
import { meetingDecider, type MeetingCommand } from './meeting.js';

const spec = DeciderSpecification.for(meetingDecider);

const meetingId = 'meeting-1';
const contactId = 'contact-1';
const ada = 'ada';
const bob = 'bob';
const eve = 'eve';
const T0 = '2030-01-01T10:00:00.000Z';
const RING_UNTIL = '2030-01-01T10:00:45.000Z';
const during = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();

const start = (members = [ada, bob], startedBy = ada): MeetingCommand => ({
  type: 'StartMeeting',
  data: { meetingId, contactId, startedBy, members, at: T0, ringUntil: RING_UNTIL },
});
const join = (userId: string, peerId: string, at = during(1)): MeetingCommand => ({
  type: 'JoinMeeting',
  data: { meetingId, userId, peerId, at },
});
const leave = (userId: string, at = during(60), reason: ParticipantLeftReason = 'left', peerId?: string): MeetingCommand => ({
  type: 'LeaveMeeting',
  data: { meetingId, userId, reason, peerId, at },
});
const decline = (userId: string, at = during(2)): MeetingCommand => ({ type: 'DeclineMeeting', data: { meetingId, userId, at } });
const end = (userId: string, at = during(90)): MeetingCommand => ({ type: 'EndMeeting', data: { meetingId, userId, at } });
const expire = (at: string): MeetingCommand => ({ type: 'ExpireRing', data: { meetingId, at } });

const started = (members = [ada, bob], startedBy = ada): MeetingEvent => ({
  type: 'MeetingStarted',
  data: {
    meetingId,
    contactId,
    startedBy,
    members,
    invitees: members.filter((m) => m !== startedBy),
    startedAt: T0,
    ringUntil: RING_UNTIL,
  },
});
const joined = (userId: string, peerId: string, at = during(1)): MeetingEvent => ({
  type: 'ParticipantJoined',
  data: { meetingId, contactId, userId, peerId, joinedAt: at },
});
const left = (userId: string, peerId: string, at = during(60), reason: ParticipantLeftReason = 'left'): MeetingEvent => ({
  type: 'ParticipantLeft',
  data: { meetingId, contactId, userId, peerId, reason, leftAt: at },
});
const declined = (userId: string, at = during(2)): MeetingEvent => ({
  type: 'InvitationDeclined',
  data: { meetingId, contactId, userId, declinedAt: at },
});
const ended = (reason: MeetingEndReason, endedBy: string | null, at: string): MeetingEvent => ({
  type: 'MeetingEnded',
  data: { meetingId, contactId, reason, endedBy, endedAt: at },
});

describe('starting a meeting', () => {
  it('rings every other member of the contact', () => {
    spec.given([]).when(start()).then([started()]);
  });

  it('refuses a starter who is not a member', () => {
    spec
      .given([])
      .when(start([ada, bob], eve))
      .thenThrows('NOT_A_MEMBER');
  });

  it('refuses a meeting with nobody to call', () => {
    spec
      .given([])
      .when(start([ada]))
      .thenThrows('INVALID_MEMBERS');
  });

  it('refuses to start the same meeting twice', () => {
    spec.given([started()]).when(start()).thenThrows('MEETING_ALREADY_STARTED');
  });
});

describe('joining', () => {
  it('lets the starter join while it rings', () => {
    spec
      .given([started()])
      .when(join(ada, 'p-ada'))
      .then([joined(ada, 'p-ada')]);
  });

  it('lets the invitee answer', () => {
    spec
      .given([started(), joined(ada, 'p-ada')])
      .when(join(bob, 'p-bob', during(5)))
      .then([joined(bob, 'p-bob', during(5))]);
  });

  it('is a no-op for the same seat twice', () => {
    spec
      .given([started(), joined(ada, 'p-ada')])
      .when(join(ada, 'p-ada', during(3)))
      .then([]);
  });

  it('gives a rejoining participant a new peer id in the same seat', () => {
    spec
      .given([started(), joined(ada, 'p-ada')])
      .when(join(ada, 'p-ada-2', during(3)))
      .then([joined(ada, 'p-ada-2', during(3))]);
  });

  it('refuses a non-member', () => {
    spec.given([started()]).when(join(eve, 'p-eve')).thenThrows('NOT_A_MEMBER');
  });

  it('refuses an unknown meeting', () => {
    spec.given([]).when(join(ada, 'p-ada')).thenThrows('MEETING_NOT_FOUND');
  });

  it('refuses an ended meeting', () => {
    spec
      .given([started(), ended('ended', ada, during(3))])
      .when(join(bob, 'p-bob', during(4)))
      .thenThrows('MEETING_ENDED');
  });

  it('refuses to answer once the ring is over, even before the sweeper ended it', () => {
    spec
      .given([started()])
      .when(join(bob, 'p-bob', RING_UNTIL))
      .thenThrows('MEETING_ENDED');
  });

  it('lets the starter back in after the ring once the call was answered', () => {
    spec
      .given([started(), joined(ada, 'p-ada'), joined(bob, 'p-bob', during(5))])
      .when(join(ada, 'p-ada-2', during(120)))
      .then([joined(ada, 'p-ada-2', during(120))]);
  });
});

describe('leaving', () => {
  const inCall = [started(), joined(ada, 'p-ada'), joined(bob, 'p-bob', during(5))];

  it('lets one participant leave while the other stays', () => {
    spec
      .given(inCall)
      .when(leave(ada))
      .then([left(ada, 'p-ada')]);
  });

  it('ends an answered call as empty when the last participant leaves', () => {
    spec
      .given([...inCall, left(ada, 'p-ada')])
      .when(leave(bob, during(70)))
      .then([left(bob, 'p-bob', during(70)), ended('empty', bob, during(70))]);
  });

  it('ends an unanswered call as missed when the caller hangs up', () => {
    spec
      .given([started(), joined(ada, 'p-ada')])
      .when(leave(ada, during(10)))
      .then([left(ada, 'p-ada', during(10)), ended('missed', ada, during(10))]);
  });

  it('is a no-op for a member who is not in the call', () => {
    spec
      .given([started(), joined(ada, 'p-ada')])
      .when(leave(bob))
      .then([]);
  });

  it('refuses an ended meeting', () => {
    spec
      .given([...inCall, ended('ended', ada, during(30))])
      .when(leave(bob))
      .thenThrows('MEETING_ENDED');
  });

  it('refuses a non-member', () => {
    spec.given(inCall).when(leave(eve)).thenThrows('NOT_A_MEMBER');
  });

  describe('after a disconnect', () => {
    it('gives up the seat the disconnect names', () => {
      spec
        .given(inCall)
        .when(leave(bob, during(80), 'disconnected', 'p-bob'))
        .then([left(bob, 'p-bob', during(80), 'disconnected')]);
    });

    it('keeps a seat taken again under a new peer id', () => {
      spec
        .given([...inCall, joined(bob, 'p-bob-2', during(70))])
        .when(leave(bob, during(80), 'disconnected', 'p-bob'))
        .then([]);
    });

    it('is a no-op once the meeting ended (a repeat from the sweeper)', () => {
      spec
        .given([...inCall, ended('ended', ada, during(30))])
        .when(leave(bob, during(80), 'disconnected', 'p-bob'))
        .then([]);
    });

    it('ends the call as empty when it was the last seat, with nobody to blame', () => {
      spec
        .given([...inCall, left(ada, 'p-ada')])
        .when(leave(bob, during(80), 'disconnected', 'p-bob'))
        .then([left(bob, 'p-bob', during(80), 'disconnected'), ended('empty', null, during(80))]);
    });
  });
});

describe('declining', () => {
  it('ends a direct call as declined', () => {
    spec
      .given([started()])
      .when(decline(bob))
      .then([declined(bob), ended('declined', bob, during(2))]);
  });

  it('keeps ringing the others of a group until all declined', () => {
    const group = [ada, bob, eve];
    spec
      .given([started(group)])
      .when(decline(bob))
      .then([declined(bob)]);
    spec
      .given([started(group), declined(bob)])
      .when(decline(eve, during(3)))
      .then([declined(eve, during(3)), ended('declined', eve, during(3))]);
  });

  it('is a no-op when declined twice', () => {
    spec
      .given([started([ada, bob, eve]), declined(bob)])
      .when(decline(bob))
      .then([]);
  });

  it('refuses the starter', () => {
    spec.given([started()]).when(decline(ada)).thenThrows('NOT_INVITED');
  });

  it('refuses an invitee already in the call', () => {
    spec
      .given([started(), joined(bob, 'p-bob')])
      .when(decline(bob))
      .thenThrows('ALREADY_JOINED');
  });

  it('refuses an ended meeting and a stranger', () => {
    spec
      .given([started(), ended('missed', null, RING_UNTIL)])
      .when(decline(bob))
      .thenThrows('MEETING_ENDED');
    spec.given([started()]).when(decline(eve)).thenThrows('NOT_A_MEMBER');
  });
});

describe('ending for everyone', () => {
  it('lets any participant end it', () => {
    spec
      .given([started(), joined(ada, 'p-ada'), joined(bob, 'p-bob')])
      .when(end(bob))
      .then([ended('ended', bob, during(90))]);
  });

  it('lets the caller cancel the ring before joining over a socket', () => {
    spec
      .given([started()])
      .when(end(ada, during(3)))
      .then([ended('ended', ada, during(3))]);
  });

  it('refuses a member who is not in the call', () => {
    spec
      .given([started(), joined(ada, 'p-ada')])
      .when(end(bob))
      .thenThrows('NOT_A_PARTICIPANT');
  });

  it('refuses an ended meeting', () => {
    spec
      .given([started(), ended('ended', ada, during(3))])
      .when(end(ada))
      .thenThrows('MEETING_ENDED');
  });
});

describe('the ring timeout', () => {
  it('ends an unanswered meeting as missed', () => {
    spec
      .given([started(), joined(ada, 'p-ada')])
      .when(expire(RING_UNTIL))
      .then([ended('missed', null, RING_UNTIL)]);
  });

  it('does nothing before the deadline', () => {
    spec
      .given([started()])
      .when(expire(during(44)))
      .then([]);
  });

  it('does nothing once someone answered', () => {
    spec
      .given([started(), joined(bob, 'p-bob')])
      .when(expire(during(50)))
      .then([]);
  });

  it('fires once: a repeat from another node is a no-op', () => {
    spec
      .given([started(), ended('missed', null, RING_UNTIL)])
      .when(expire(during(46)))
      .then([]);
  });

  it('ignores a meeting it does not know', () => {
    spec
      .given([])
      .when(expire(during(46)))
      .then([]);
  });
});

describe('a group call', () => {
  const [cat, dan, fay, gus, hal] = ['cat', 'dan', 'fay', 'gus', 'hal'];
  const group = [ada, bob, cat, dan, fay, gus, hal];
  const inCall = (...users: string[]) => users.map((u, i) => joined(u, `p-${u}`, during(i + 1)));

  it('rings every member at the start but the caller', () => {
    spec
      .given([])
      .when(start(group))
      .then([started(group)]);
  });

  it('lets members join mid-call, after the ring, once someone answered', () => {
    spec
      .given([started(group), ...inCall(ada, bob)])
      .when(join(cat, 'p-cat', during(300)))
      .then([joined(cat, 'p-cat', during(300))]);
  });

  it('goes on when the caller leaves while others are in it', () => {
    spec
      .given([started(group), ...inCall(ada, bob, cat)])
      .when(leave(ada))
      .then([left(ada, 'p-ada')]);
  });

  it('ends as empty when the last one leaves', () => {
    spec
      .given([started(group), ...inCall(ada, bob, cat), left(ada, 'p-ada'), left(cat, 'p-cat', during(61))])
      .when(leave(bob, during(62)))
      .then([left(bob, 'p-bob', during(62)), ended('empty', bob, during(62))]);
  });

  it('ends as missed when the ring is over and only the caller came', () => {
    spec
      .given([started(group), ...inCall(ada)])
      .when(expire(during(46)))
      .then([ended('missed', null, during(46))]);
  });

  it('ends as declined only when every invitee declined', () => {
    const trio = [ada, bob, cat];
    spec
      .given([started(trio), ...inCall(ada), declined(bob)])
      .when(decline(cat, during(3)))
      .then([declined(cat, during(3)), ended('declined', cat, during(3))]);
  });

  it('goes on when the rest decline after someone answered', () => {
    const trio = [ada, bob, cat];
    spec
      .given([started(trio), ...inCall(ada, bob), left(bob, 'p-bob'), declined(cat)])
      .when(decline(bob, during(61)))
      .then([declined(bob, during(61))]);
  });

  it('lets a member who declined join later', () => {
    spec
      .given([started(group), ...inCall(ada, bob), declined(cat)])
      .when(join(cat, 'p-cat', during(30)))
      .then([joined(cat, 'p-cat', during(30))]);
  });

  it(`refuses a seventh participant as MEETING_FULL`, () => {
    spec
      .given([started(group), ...inCall(ada, bob, cat, dan, fay, gus)])
      .when(join(hal, 'p-hal', during(10)))
      .thenThrows('MEETING_FULL');
  });

  it('lets one of six rejoin under a new peer id, and a newcomer in once a seat is free', () => {
    const six = [started(group), ...inCall(ada, bob, cat, dan, fay, gus)];
    spec
      .given(six)
      .when(join(bob, 'p-bob-2', during(10)))
      .then([joined(bob, 'p-bob-2', during(10))]);
    spec
      .given([...six, left(dan, 'p-dan', during(20))])
      .when(join(hal, 'p-hal', during(21)))
      .then([joined(hal, 'p-hal', during(21))]);
  });

  it('refuses someone who was not a member when the call started', () => {
    spec
      .given([started([ada, bob, cat]), ...inCall(ada, bob)])
      .when(join(dan, 'p-dan', during(10)))
      .thenThrows('NOT_A_MEMBER');
  });
});

describe('dismissing someone who is no longer a member of the group', () => {
  const cat = 'cat';
  const trio = [ada, bob, cat];
  const dismiss = (userId: string, at = during(10)): MeetingCommand => ({ type: 'DismissFromMeeting', data: { meetingId, userId, at } });

  it('gives up their seat; the call goes on for the others', () => {
    spec
      .given([started(trio), joined(ada, 'p-ada'), joined(cat, 'p-cat', during(2))])
      .when(dismiss(cat))
      .then([left(cat, 'p-cat', during(10))]);
  });

  it('ends the call as empty when theirs was the last seat', () => {
    spec
      .given([started(trio), joined(ada, 'p-ada'), joined(cat, 'p-cat', during(2)), left(ada, 'p-ada', during(5))])
      .when(dismiss(cat))
      .then([left(cat, 'p-cat', during(10)), ended('empty', cat, during(10))]);
  });

  it('stops ringing them as if they had declined, while it rings the others', () => {
    spec
      .given([started(trio), joined(ada, 'p-ada')])
      .when(dismiss(cat))
      .then([declined(cat, during(10))]);
    spec
      .given([started(trio), joined(ada, 'p-ada'), joined(bob, 'p-bob', during(2))])
      .when(dismiss(cat))
      .then([declined(cat, during(10))]);
  });

  it('ends an unanswered call as declined when nobody else is left to ring', () => {
    spec
      .given([started(trio), joined(ada, 'p-ada'), declined(bob)])
      .when(dismiss(cat))
      .then([declined(cat, during(10)), ended('declined', cat, during(10))]);
  });

  it('hangs up for a caller who never took a seat, and leaves a call others are in without them', () => {
    spec
      .given([started(trio)])
      .when(dismiss(ada))
      .then([ended('ended', ada, during(10))]);
    spec
      .given([started(trio), joined(bob, 'p-bob', during(2))])
      .when(dismiss(ada))
      .then([]);
  });

  it('changes nothing once the ring for them is over, after they declined, or once the call ended', () => {
    spec
      .given([started(trio), joined(ada, 'p-ada'), joined(bob, 'p-bob', during(2))])
      .when(dismiss(cat, during(46)))
      .then([]);
    spec
      .given([started(trio), joined(ada, 'p-ada'), declined(cat)])
      .when(dismiss(cat))
      .then([]);
    spec
      .given([started(trio), joined(ada, 'p-ada'), ended('ended', ada, during(5))])
      .when(dismiss(cat))
      .then([]);
  });

  it('refuses someone who was not a member when the call started', () => {
    spec
      .given([started(trio)])
      .when(dismiss(eve))
      .thenThrows('NOT_A_MEMBER');
  });
});
