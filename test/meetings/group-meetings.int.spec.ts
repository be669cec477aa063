import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PARTICIPANTS } from '../../domain/meetings/meeting.js';
import type { TestDatabase } from '../support/database.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { createMeetingsDatabase, joinMeeting, MeetingsClient, record, socketOf } from './support.js';

/** Calls in a group conversation over the real HTTP API and sockets: the mesh's six seats, fan-out, relay. */
describe('group calls over the API and sockets', () => {
  let db: TestDatabase;
  let server: TestServer;
  let sockets: Socket[] = [];

  beforeAll(async () => {
    db = await createMeetingsDatabase();
    server = await startTestServer({ db, env: { REDIS_URL: TEST_REDIS_URL, MEETING_RING_TIMEOUT_MS: '30000' } });
  });
  afterEach(() => {
    for (const socket of sockets) socket.disconnect();
    sockets = [];
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  /** A group of `size` made by the first, whose contacts the others are; each with a socket. */
  async function group(size: number) {
    const people = await Promise.all(Array.from({ length: size }, (_, i) => new MeetingsClient(server.url).signUp(`grp${i}`)));
    const [creator, ...others] = people;
    for (const other of others) await creator.addContact(other);
    const created = await creator.post('/api/conversations', { title: 'Mesh', memberIds: others.map((o) => o.user!.id) });
    expect(created.status).toBe(201);
    const socketsOf = await Promise.all(people.map((person) => socketOf(person)));
    sockets.push(...socketsOf);
    return { people, sockets: socketsOf, seen: socketsOf.map(record), groupId: created.body.conversation.id as string };
  }

  it(`seats at most ${MAX_PARTICIPANTS}: a seventh is refused with MEETING_FULL until someone leaves`, async () => {
    const { people, sockets, seen, groupId } = await group(MAX_PARTICIPANTS + 2);
    const [caller] = people;
    const started = await caller.post(`/api/contacts/${groupId}/meetings`);
    expect(started.status).toBe(201);
    const meetingId: string = started.body.meeting.id;
    expect(started.body.meeting.invitees).toHaveLength(MAX_PARTICIPANTS + 1);
    // Every member's devices ring.
    await Promise.all(seen.slice(1).map((s) => s.waitFor('MeetingStarted', (d) => d.meetingId === meetingId)));

    const acks = [];
    for (const socket of sockets.slice(0, MAX_PARTICIPANTS)) acks.push(await joinMeeting(socket, meetingId));
    expect(acks.every((ack) => ack.ok)).toBe(true);
    const seventh = await joinMeeting(sockets[MAX_PARTICIPANTS], meetingId);
    expect(seventh).toEqual({ ok: false, code: 'MEETING_FULL', message: expect.stringMatching(/at most 6 people/) });

    // The one who is not in the call still hears who joined (to show the call and its count).
    const outside = seen[MAX_PARTICIPANTS + 1];
    await outside.waitFor('ParticipantJoined', (d) => d.userId === people[MAX_PARTICIPANTS - 1].user!.id);

    expect(await sockets[1].timeout(5_000).emitWithAck('meeting:leave', { meetingId })).toEqual({ ok: true });
    const nowIn = await joinMeeting(sockets[MAX_PARTICIPANTS], meetingId);
    expect(nowIn).toMatchObject({ ok: true });
    if (!nowIn.ok) throw new Error('join refused');
    expect(nowIn.participants).toHaveLength(MAX_PARTICIPANTS);
  });

  it('relays signals between any two participants by peer id, and goes on when the caller leaves', async () => {
    const { people, sockets, seen, groupId } = await group(3);
    const [, bob, cat] = people;
    const meetingId: string = (await people[0].post(`/api/contacts/${groupId}/meetings`)).body.meeting.id;
    const [adaJoin, bobJoin, catJoin] = [
      await joinMeeting(sockets[0], meetingId),
      await joinMeeting(sockets[1], meetingId),
      await joinMeeting(sockets[2], meetingId),
    ];
    if (!adaJoin.ok || !bobJoin.ok || !catJoin.ok) throw new Error('join refused');
    expect(catJoin.participants.map((p) => p.peerId)).toEqual([adaJoin.peerId, bobJoin.peerId, catJoin.peerId]);

    const offer = { link: 'l-cat', description: { type: 'offer', sdp: 'v=0' } };
    expect(await sockets[2].timeout(5_000).emitWithAck('signal', { meetingId, to: bobJoin.peerId, data: offer })).toEqual({ ok: true });
    await expect.poll(() => seen[1].signals).toEqual([{ meetingId, from: catJoin.peerId, fromUserId: cat.user!.id, data: offer }]);
    expect(seen[0].signals).toEqual([]);

    expect(await sockets[0].timeout(5_000).emitWithAck('meeting:leave', { meetingId })).toEqual({ ok: true });
    expect(await sockets[1].timeout(5_000).emitWithAck('signal', { meetingId, to: catJoin.peerId, data: offer })).toEqual({ ok: true });
    await expect.poll(() => seen[2].signals.length).toBe(1);
    const meeting = (await bob.get(`/api/meetings/${meetingId}`)).body.meeting;
    expect(meeting).toMatchObject({ state: 'active', participants: [{ peerId: bobJoin.peerId }, { peerId: catJoin.peerId }] });

    expect(await sockets[1].timeout(5_000).emitWithAck('meeting:leave', { meetingId })).toEqual({ ok: true });
    expect(await sockets[2].timeout(5_000).emitWithAck('meeting:leave', { meetingId })).toEqual({ ok: true });
    const ended = await seen[0].waitFor('MeetingEnded', (d) => d.meetingId === meetingId);
    expect(ended.data).toMatchObject({ reason: 'empty', endedBy: cat.user!.id });
  });

  it('a member removed from the group, or who leaves it, is out of its call too, and cannot come back in', async () => {
    const { people, sockets, seen, groupId } = await group(4);
    const [ada, bob, cat] = people;
    const meetingId: string = (await ada.post(`/api/contacts/${groupId}/meetings`)).body.meeting.id;
    const joins = [];
    for (const socket of sockets.slice(0, 3)) joins.push(await joinMeeting(socket, meetingId));
    if (!joins.every((join) => join.ok)) throw new Error('join refused');

    expect((await ada.request('DELETE', `/api/conversations/${groupId}/members/${cat.user!.id}`)).status).toBe(200);
    await seen[1].waitFor('ParticipantLeft', (d) => d.userId === cat.user!.id && d.reason === 'left');
    expect(await joinMeeting(sockets[2], meetingId)).toMatchObject({ ok: false, code: 'MEETING_NOT_FOUND' });

    expect((await bob.post(`/api/conversations/${groupId}/leave`)).status).toBe(200);
    await seen[0].waitFor('ParticipantLeft', (d) => d.userId === bob.user!.id);
    const meeting = (await ada.get(`/api/meetings/${meetingId}`)).body.meeting;
    expect(meeting).toMatchObject({ state: 'active', participants: [{ userId: ada.user!.id }] });
  });

  it('stops ringing a member removed while it rang them, and no signal passes to or from a removed participant', async () => {
    const { people, sockets, seen, groupId } = await group(4);
    const [ada, bob, cat, dan] = people;
    const meetingId: string = (await ada.post(`/api/contacts/${groupId}/meetings`)).body.meeting.id;
    const [adaJoin, bobJoin] = [await joinMeeting(sockets[0], meetingId), await joinMeeting(sockets[1], meetingId)];
    if (!adaJoin.ok || !bobJoin.ok) throw new Error('join refused');

    const catRemoved = await ada.request('DELETE', `/api/conversations/${groupId}/members/${cat.user!.id}`);
    expect(catRemoved.status).toBe(200);
    await seen[0].waitFor('InvitationDeclined', (d) => d.meetingId === meetingId && d.userId === cat.user!.id);
    const calls = (await cat.get(`/api/meetings?minPosition=${catRemoved.body.position}`)).body.meetings;
    expect(calls.filter((m: { id: string }) => m.id === meetingId)).toEqual([]);
    expect((await ada.get(`/api/meetings/${meetingId}`)).body.meeting).toMatchObject({
      invitees: [bob.user!.id, cat.user!.id, dan.user!.id],
    });

    expect((await ada.request('DELETE', `/api/conversations/${groupId}/members/${bob.user!.id}`)).status).toBe(200);
    await seen[0].waitFor('ParticipantLeft', (d) => d.userId === bob.user!.id);
    const signal = (socket: Socket, to: string) => socket.timeout(5_000).emitWithAck('signal', { meetingId, to, data: { sdp: 'x' } });
    expect(await signal(sockets[0], bobJoin.peerId)).toMatchObject({ ok: false, code: 'PEER_NOT_IN_MEETING' });
    expect(await signal(sockets[1], adaJoin.peerId)).toMatchObject({ ok: false, code: 'MEETING_NOT_FOUND' });
    expect(seen[1].signals).toEqual([]);

    // The call goes on for who is still in the group: dan may still answer.
    expect(await joinMeeting(sockets[3], meetingId)).toMatchObject({ ok: true });
  });
});
