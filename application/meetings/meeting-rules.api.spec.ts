import { describe, expect, it } from 'vitest';
import { streams } from '../../domain/events.js';
import {
  ApiSpecification,
  existingStream,
  expectError,
  expectNewEvents,
  expectNoNewEvents,
  expectResponse,
  specId,
  type ApiRequest,
  type Requests,
} from '../../test/support/api-specification.js';

/**
 * The meeting rules above the deciders, through the HTTP API on the in-memory event store: who may start,
 * decline and end, what a stranger learns (nothing), and the per-contact slot's claim and release. The
 * sockets, the read models and the real adapters are proven by test/meetings/*.int.spec.ts.
 */
describe('meeting rules over the HTTP API', () => {
  const given = ApiSpecification.for({ ringTimeoutMs: 30_000 });
  const [ana, ben, eve] = [
    'a0000000-0000-4000-8000-00000000000a',
    'b0000000-0000-4000-8000-00000000000b',
    'e0000000-0000-4000-8000-00000000000e',
  ];
  const contactId = 'c0000000-0000-4000-8000-0000000000ab';
  const meetingId = 'd0000000-0000-4000-8000-0000000000ab';
  const at = '2026-12-01T09:59:00.000Z';
  const ringUntil = '2026-12-01T10:00:30.000Z';

  const contact = existingStream(streams.contact(contactId), [
    { type: 'ContactAdded', data: { contactId, kind: 'direct', members: [ana, ben], addedBy: ana } },
  ]);
  const started = (id = meetingId) => ({
    type: 'MeetingStarted',
    data: { meetingId: id, contactId, startedBy: ana, members: [ana, ben], invitees: [ben], startedAt: at, ringUntil },
  });
  const ringing = existingStream(streams.meeting(meetingId), [started()]);
  const slotHeld = existingStream(streams.meetingSlot(contactId), [{ type: 'MeetingSlotClaimed', data: { meetingId, claimedAt: at } }]);
  const startIn = (id: string) => `/api/contacts/${id}/meetings`;

  it('starts a meeting: claims the contact’s slot, then rings the other member', () =>
    given(contact)
      .when((api) => api.as(ana).post(startIn(contactId)))
      .then(
        expectResponse(201, { meeting: { id: specId(1), contactId, state: 'ringing', startedBy: ana, invitees: [ben], participants: [] } }),
        expectNewEvents(streams.meetingSlot(contactId), [{ type: 'MeetingSlotClaimed', data: { meetingId: specId(1) } }]),
        expectNewEvents(streams.meeting(specId(1)), [
          { type: 'MeetingStarted', data: { startedBy: ana, invitees: [ben], ringUntil: '2026-12-01T10:00:30.000Z' } },
        ]),
      ));

  it('refuses a second meeting while one holds the slot, 409 with the running meeting’s id, whoever asks', async () => {
    for (const caller of [ana, ben]) {
      await given(contact, slotHeld, ringing)
        .when((api) => api.as(caller).post(startIn(contactId)))
        .then(expectError(409, 'MEETING_IN_PROGRESS', { meetingId }), expectNoNewEvents());
    }
  });

  it('releases the slot when the meeting ends, so the next start wins it', async () => {
    await given(contact, slotHeld, ringing)
      .when((api) => api.as(ana).post(`/api/meetings/${meetingId}/end`))
      .then(
        expectResponse(200),
        expectNewEvents(streams.meeting(meetingId), [{ type: 'MeetingEnded', data: { reason: 'ended', endedBy: ana } }]),
        expectNewEvents(streams.meetingSlot(contactId), [{ type: 'MeetingSlotReleased', data: { meetingId } }]),
      );
    const released = existingStream(streams.meetingSlot(contactId), [
      ...slotHeld.events,
      { type: 'MeetingSlotReleased', data: { meetingId } },
    ]);
    const ended = existingStream(streams.meeting(meetingId), [
      started(),
      { type: 'MeetingEnded', data: { meetingId, contactId, reason: 'ended', endedBy: ana, endedAt: at } },
    ]);
    await given(contact, released, ended)
      .when((api) => api.as(ben).post(startIn(contactId)))
      .then(
        expectResponse(201, { meeting: { startedBy: ben } }),
        expectNewEvents(streams.meetingSlot(contactId), [{ type: 'MeetingSlotClaimed' }]),
      );
  });

  it('releases the slot when the invitee declines (the meeting ends as declined); a second decline is 409', async () => {
    await given(contact, slotHeld, ringing)
      .when((api) => api.as(ben).post(`/api/meetings/${meetingId}/decline`))
      .then(
        expectResponse(200),
        expectNewEvents(streams.meeting(meetingId), [
          { type: 'InvitationDeclined', data: { userId: ben } },
          { type: 'MeetingEnded', data: { reason: 'declined', endedBy: ben } },
        ]),
        expectNewEvents(streams.meetingSlot(contactId), [{ type: 'MeetingSlotReleased', data: { meetingId } }]),
      );
    const declined = existingStream(streams.meeting(meetingId), [
      started(),
      { type: 'InvitationDeclined', data: { meetingId, contactId, userId: ben, declinedAt: at } },
      { type: 'MeetingEnded', data: { meetingId, contactId, reason: 'declined', endedBy: ben, endedAt: at } },
    ]);
    for (const caller of [ben, ana]) {
      await given(contact, declined)
        .when((api) => api.as(caller).post(`/api/meetings/${meetingId}/decline`))
        .then(expectError(409, 'MEETING_ENDED'), expectNoNewEvents());
    }
  });

  it('takes over the slot of a meeting that ended without releasing it (a crash between the two)', () =>
    given(
      contact,
      slotHeld,
      existingStream(streams.meeting(meetingId), [
        started(),
        { type: 'MeetingEnded', data: { meetingId, contactId, reason: 'ended', endedBy: ana, endedAt: at } },
      ]),
    )
      .when((api) => api.as(ana).post(startIn(contactId)))
      .then(
        expectResponse(201, { meeting: { id: specId(1) } }),
        expectNewEvents(streams.meetingSlot(contactId), [{ type: 'MeetingSlotClaimed', data: { meetingId: specId(1) } }]),
      ));

  it('lets only the invitee decline and only a participant (or the ringing caller) end', async () => {
    await given(contact, slotHeld, ringing)
      .when((api) => api.as(ana).post(`/api/meetings/${meetingId}/decline`))
      .then(expectError(403, 'NOT_INVITED'), expectNoNewEvents());
    await given(contact, slotHeld, ringing)
      .when((api) => api.as(ben).post(`/api/meetings/${meetingId}/end`))
      .then(expectError(403, 'NOT_A_PARTICIPANT'), expectNoNewEvents());
  });

  it('tells a stranger exactly what it tells anyone about a meeting or contact that does not exist', async () => {
    const elsewhere = specId(424_242);
    const attempts: Array<[string, (id: string) => string, 'get' | 'post']> = [
      ['MEETING_NOT_FOUND', (id) => `/api/meetings/${id}`, 'get'],
      ['MEETING_NOT_FOUND', (id) => `/api/meetings/${id}/decline`, 'post'],
      ['MEETING_NOT_FOUND', (id) => `/api/meetings/${id}/end`, 'post'],
    ];
    for (const [code, url, method] of attempts) {
      const answers: unknown[] = [];
      for (const id of [meetingId, elsewhere]) {
        await given(contact, slotHeld, ringing)
          .when((api) => api.as(eve)[method](url(id)))
          .then(expectError(404, code), expectNoNewEvents(), ({ response }) => void answers.push(response.json()));
      }
      expect(answers[0]).toEqual(answers[1]);
    }
    for (const id of [contactId, elsewhere]) {
      await given(contact, slotHeld, ringing)
        .when((api) => api.as(eve).post(startIn(id)))
        .then(expectError(404, 'CONTACT_NOT_FOUND'), expectNoNewEvents());
    }
  });

  it('answers a member with the meeting straight from its stream', () =>
    given(contact, slotHeld, ringing)
      .when((api) => api.as(ben).get(`/api/meetings/${meetingId}`))
      .then(
        expectResponse(200, { meeting: { id: meetingId, state: 'ringing', startedBy: ana, invitees: [ben], ringUntil } }),
        expectNoNewEvents(),
      ));

  it('answers malformed ids and no session with 4xx, never touching the log', async () => {
    const cases: Array<[ApiRequest, number, string]> = [
      [(api: Requests) => api.as(ana).get('/api/meetings/not-a-uuid'), 400, 'INVALID_ID'],
      [(api: Requests) => api.as(ana).post(startIn('not-a-uuid')), 400, 'INVALID_ID'],
      [(api: Requests) => api.anonymous.post(startIn(contactId)), 401, 'UNAUTHORIZED'],
    ];
    for (const [request, status, code] of cases) {
      await given(contact).when(request).then(expectError(status, code), expectNoNewEvents());
    }
  });
});

/**
 * Issue 18: who is out of a group is out of its call — not the whole call, just them: a seat given up, or
 * the ring for them stopped as if they had declined (the way a removed direct contact's call is closed).
 */
describe('a member out of a group is out of its call', () => {
  const given = ApiSpecification.for({ ringTimeoutMs: 30_000 });
  const [ana, ben, cat] = [
    'a0000000-0000-4000-8000-00000000000a',
    'b0000000-0000-4000-8000-00000000000b',
    'c0000000-0000-4000-8000-00000000000c',
  ];
  const groupId = 'f0000000-0000-4000-8000-0000000000f0';
  const meetingId = 'd0000000-0000-4000-8000-0000000000f0';
  const at = '2026-12-01T09:59:50.000Z';
  const ringUntil = '2026-12-01T10:00:20.000Z';
  const members = [ana, ben, cat];

  const group = existingStream(streams.contact(groupId), [
    {
      type: 'GroupCreated',
      data: { contactId: groupId, kind: 'group', title: 'Crew', members, admins: [ana], createdBy: ana, membersMayAdd: true },
    },
  ]);
  const slot = existingStream(streams.meetingSlot(groupId), [{ type: 'MeetingSlotClaimed', data: { meetingId, claimedAt: at } }]);
  const meeting = (...events: Array<{ type: string; data: object }>) =>
    existingStream(streams.meeting(meetingId), [
      {
        type: 'MeetingStarted',
        data: { meetingId, contactId: groupId, startedBy: ana, members, invitees: [ben, cat], startedAt: at, ringUntil },
      },
      ...events,
    ]);
  const joined = (userId: string, peerId: string) => ({
    type: 'ParticipantJoined',
    data: { meetingId, contactId: groupId, userId, peerId, joinedAt: at },
  });
  const slotUntouched = ({ newEvents }: { newEvents: Array<{ streamId: string }> }) =>
    expect(newEvents.filter((e) => e.streamId === streams.meetingSlot(groupId))).toEqual([]);
  const removeCat = (api: Requests) => api.as(ana).delete(`/api/conversations/${groupId}/members/${cat}`);

  it('a removed member in the call gives up their seat; the others stay in it', () =>
    given(group, slot, meeting(joined(ana, 'p-ana'), joined(cat, 'p-cat')))
      .when(removeCat)
      .then(
        expectResponse(200),
        expectNewEvents(streams.meeting(meetingId), [{ type: 'ParticipantLeft', data: { userId: cat, peerId: 'p-cat', reason: 'left' } }]),
        slotUntouched,
      ));

  it('a member who leaves while it rings them stops being rung; the call rings the rest', () =>
    given(group, slot, meeting(joined(ana, 'p-ana')))
      .when((api) => api.as(cat).post(`/api/conversations/${groupId}/leave`))
      .then(
        expectResponse(200),
        expectNewEvents(streams.meeting(meetingId), [{ type: 'InvitationDeclined', data: { userId: cat } }]),
        slotUntouched,
      ));

  it('with nobody else left to ring, an unanswered call ends as declined and frees the slot', () =>
    given(
      group,
      slot,
      meeting(joined(ana, 'p-ana'), { type: 'InvitationDeclined', data: { meetingId, contactId: groupId, userId: ben, declinedAt: at } }),
    )
      .when(removeCat)
      .then(
        expectResponse(200),
        expectNewEvents(streams.meeting(meetingId), [
          { type: 'InvitationDeclined', data: { userId: cat } },
          { type: 'MeetingEnded', data: { reason: 'declined', endedBy: cat } },
        ]),
        expectNewEvents(streams.meetingSlot(groupId), [{ type: 'MeetingSlotReleased', data: { meetingId } }]),
      ));
});
