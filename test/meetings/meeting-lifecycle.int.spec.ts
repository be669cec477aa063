import { createHmac, randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MeetingService } from '../../application/meetings/meeting-service.js';
import { randomIds } from '../../application/shared/clock.js';
import { MeetingSweeper } from '../../infrastructure/meetings/meeting-sweeper.js';
import { PostgresMeetingSeats } from '../../infrastructure/meetings/postgres-meeting-seats.js';
import { SIGNAL_BURST, SIGNALS_PER_SECOND } from '../../infrastructure/realtime/meeting-socket-events.js';
import { eventually } from '../support/api-client.js';
import type { TestDatabase } from '../support/database.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import {
  contactPair,
  createMeetingsDatabase,
  joinMeeting,
  meetingStream,
  MeetingsClient,
  record,
  sleep,
  socketOf,
  type Pair,
} from './support.js';

const RING_TIMEOUT_MS = 2_500;
const TURN_SECRET = 'lifecycle-turn-secret';

/** Whole meeting lifecycles over the real HTTP API and sockets, on one node with PostgreSQL and Redis. */
describe('meetings over the API and sockets', () => {
  let db: TestDatabase;
  let server: TestServer;
  let sockets: Socket[] = [];

  const connect = async (client: MeetingsClient) => {
    const socket = await socketOf(client);
    sockets.push(socket);
    return socket;
  };
  const start = (client: MeetingsClient, contactId: string) => client.post(`/api/contacts/${contactId}/meetings`);
  const calls = async (client: MeetingsClient, query = '') => (await client.get(`/api/calls?limit=50${query}`)).body;

  /** A pair with a socket each, and a meeting Ada started. */
  async function ringing(): Promise<
    Pair & {
      meetingId: string;
      adaSocket: Socket;
      bobSocket: Socket;
      adaSees: ReturnType<typeof record>;
      bobSees: ReturnType<typeof record>;
    }
  > {
    const pair = await contactPair(server.url);
    const [adaSocket, bobSocket] = await Promise.all([connect(pair.ada), connect(pair.bob)]);
    const adaSees = record(adaSocket);
    const bobSees = record(bobSocket);
    const started = await start(pair.ada, pair.contactId);
    expect(started.status).toBe(201);
    return { ...pair, meetingId: started.body.meeting.id, adaSocket, bobSocket, adaSees, bobSees };
  }

  beforeAll(async () => {
    db = await createMeetingsDatabase();
    server = await startTestServer({
      db,
      env: {
        REDIS_URL: TEST_REDIS_URL,
        MEETING_RING_TIMEOUT_MS: String(RING_TIMEOUT_MS),
        MEETING_RECONNECT_GRACE_MS: '1000',
        STUN_URLS: 'stun:stun.example.com:3478',
        TURN_URLS: 'turn:turn.example.com:3478?transport=udp',
        TURN_SECRET,
        TURN_TTL_SECONDS: '600',
      },
    });
  });
  afterEach(() => {
    for (const socket of sockets) socket.disconnect();
    sockets = [];
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('rings, both join, one leaves, the last one out ends it as empty', async () => {
    const { ada, bob, contactId } = await contactPair(server.url);
    const [adaSocket, bobSocket] = await Promise.all([connect(ada), connect(bob)]);
    const adaSees = record(adaSocket);
    const bobSees = record(bobSocket);

    const started = await start(ada, contactId);
    expect(started.status).toBe(201);
    const { meeting, position } = started.body;
    expect(meeting).toMatchObject({ contactId, state: 'ringing', startedBy: ada.user!.id, invitees: [bob.user!.id], participants: [] });
    expect(Date.parse(meeting.ringUntil) - Date.parse(meeting.startedAt)).toBe(RING_TIMEOUT_MS);
    expect(position).toBeGreaterThan(0);

    const ring = await bobSees.waitFor('MeetingStarted', (d) => d.meetingId === meeting.id);
    expect(ring.data).toMatchObject({ contactId, startedBy: ada.user!.id, invitees: [bob.user!.id], ringUntil: meeting.ringUntil });
    const listed = await bob.get(`/api/meetings?minPosition=${position}`);
    expect(listed.body.meetings).toEqual([{ ...meeting }]);

    const adaJoin = await joinMeeting(adaSocket, meeting.id);
    expect(adaJoin).toMatchObject({ ok: true, participants: [{ userId: ada.user!.id }] });
    const bobJoin = await joinMeeting(bobSocket, meeting.id);
    if (!adaJoin.ok || !bobJoin.ok) throw new Error('join refused');
    expect(bobJoin.participants).toEqual([
      { userId: ada.user!.id, peerId: adaJoin.peerId },
      { userId: bob.user!.id, peerId: bobJoin.peerId },
    ]);
    await adaSees.waitFor('ParticipantJoined', (d) => d.userId === bob.user!.id && d.peerId === bobJoin.peerId);

    const active = await eventually(async () => {
      const { meetings } = (await ada.get('/api/meetings')).body;
      return meetings[0]?.state === 'active' && meetings[0];
    });
    expect(active.participants).toHaveLength(2);
    await eventually(async () => (await bob.get('/api/contacts')).body.contacts[0].activeMeeting?.state === 'active');
    expect((await bob.get('/api/contacts')).body.contacts[0].activeMeeting).toMatchObject({ id: meeting.id, state: 'active' });

    // Media state reaches the other participant, unstored.
    expect(await adaSocket.emitWithAck('meeting:media', { meetingId: meeting.id, audio: false, video: true })).toEqual({ ok: true });
    await bobSees.waitFor('ParticipantMediaChanged', (d) => d.userId === ada.user!.id && d.audio === false && d.video === true);
    // Who shares the screen, under which seat, so a group's clients let one share at a time.
    expect(await adaSocket.emitWithAck('meeting:media', { meetingId: meeting.id, audio: false, video: true, sharing: true })).toEqual({
      ok: true,
    });
    const sharing = await bobSees.waitFor('ParticipantMediaChanged', (d) => d.sharing === true);
    expect(sharing.data).toEqual({
      meetingId: meeting.id,
      userId: ada.user!.id,
      peerId: adaJoin.peerId,
      audio: false,
      video: true,
      sharing: true,
    });

    expect(await adaSocket.emitWithAck('meeting:leave', { meetingId: meeting.id })).toEqual({ ok: true });
    await bobSees.waitFor('ParticipantLeft', (d) => d.userId === ada.user!.id && d.reason === 'left');
    expect(await bobSocket.emitWithAck('meeting:leave', { meetingId: meeting.id })).toEqual({ ok: true });
    const ended = await adaSees.waitFor('MeetingEnded', (d) => d.meetingId === meeting.id);
    expect(ended.data).toMatchObject({ reason: 'empty', endedBy: bob.user!.id, contactId });

    expect((await meetingStream(db.url, meeting.id)).map((e) => e.type)).toEqual([
      'MeetingStarted',
      'ParticipantJoined',
      'ParticipantJoined',
      'ParticipantLeft',
      'ParticipantLeft',
      'MeetingEnded',
    ]);
    expect((await ada.get(`/api/meetings?minPosition=${ended.position}`)).body.meetings).toEqual([]);
    expect((await ada.get(`/api/meetings/${meeting.id}`)).body.meeting).toMatchObject({
      state: 'ended',
      endReason: 'empty',
      participants: [],
    });
    expect((await bob.get(`/api/contacts?minPosition=${ended.position}`)).body.contacts[0].activeMeeting).toBeNull();

    const adaCalls = await calls(ada, `&minPosition=${ended.position}`);
    expect(adaCalls).toEqual({
      calls: [
        {
          meetingId: meeting.id,
          contactId,
          peer: bob.user,
          direction: 'outgoing',
          outcome: 'finished',
          startedAt: meeting.startedAt,
          endedAt: ended.data.endedAt,
          durationSeconds: expect.any(Number),
        },
      ],
      hasMore: false,
    });
    expect((await calls(bob)).calls[0]).toMatchObject({ peer: ada.user, direction: 'incoming', outcome: 'finished' });

    // Both members' feeds hold the whole meeting, for a client that reconnects.
    const feed = (await bob.get('/api/events?after=0')).body.events.filter((e: any) => e.data.meetingId === meeting.id);
    expect(feed.map((e: any) => e.type)).toEqual([
      'MeetingStarted',
      'ParticipantJoined',
      'ParticipantJoined',
      'ParticipantLeft',
      'ParticipantLeft',
      'MeetingEnded',
    ]);
  });

  it('ends a meeting nobody answered as missed once the ring times out', async () => {
    const { ada, bob, meetingId, adaSocket, bobSocket, bobSees } = await ringing();
    expect(await joinMeeting(adaSocket, meetingId)).toMatchObject({ ok: true });
    const { meeting } = (await ada.get(`/api/meetings/${meetingId}`)).body;

    const ended = await bobSees.waitFor('MeetingEnded', (d) => d.meetingId === meetingId, RING_TIMEOUT_MS + 5_000);
    expect(ended.data).toMatchObject({ reason: 'missed', endedBy: null });
    expect(Date.parse(ended.data.endedAt)).toBeGreaterThanOrEqual(Date.parse(meeting.ringUntil));
    expect((await meetingStream(db.url, meetingId)).filter((e) => e.type === 'MeetingEnded')).toHaveLength(1);

    // Too late to answer.
    expect(await joinMeeting(bobSocket, meetingId)).toMatchObject({ ok: false, code: 'MEETING_ENDED' });
    const bobCalls = await calls(bob, `&minPosition=${ended.position}`);
    expect(bobCalls.calls[0]).toMatchObject({ meetingId, peer: ada.user, direction: 'incoming', outcome: 'missed', durationSeconds: 0 });
    expect((await calls(ada)).calls[0]).toMatchObject({ direction: 'outgoing', outcome: 'missed' });
  });

  it('ends a meeting the invitee declined as declined', async () => {
    const { ada, bob, meetingId, adaSees } = await ringing();
    const declined = await bob.post(`/api/meetings/${meetingId}/decline`);
    expect(declined.status).toBe(200);
    expect(declined.body.position).toBeGreaterThan(0);
    await adaSees.waitFor('InvitationDeclined', (d) => d.userId === bob.user!.id);
    const ended = await adaSees.waitFor('MeetingEnded', (d) => d.meetingId === meetingId);
    expect(ended.data).toMatchObject({ reason: 'declined', endedBy: bob.user!.id });
    expect((await calls(ada, `&minPosition=${ended.position}`)).calls[0]).toMatchObject({
      meetingId,
      outcome: 'declined',
      direction: 'outgoing',
    });
  });

  it('ends a due ring once even when two nodes sweep it at the same moment', async () => {
    const { meetingId } = await ringing();
    const { ctx } = server.server;
    await eventually(async () => (await ctx.pool.query('SELECT 1 FROM active_meetings WHERE meeting_id = $1', [meetingId])).rowCount === 1);
    // Two more "nodes" (own services, own caches) whose clocks already passed the ring's end.
    const later = { now: () => new Date(Date.now() + RING_TIMEOUT_MS) };
    const sweepers = ['x', 'y'].map(
      (nodeId) =>
        new MeetingSweeper({
          connectionString: db.url,
          pool: ctx.pool,
          meetings: new MeetingService(ctx.store, ctx.contacts, { clock: later, ids: randomIds, ringTimeoutMs: RING_TIMEOUT_MS }),
          seats: new PostgresMeetingSeats(ctx.pool, nodeId),
          clock: later,
          reconnectGraceMs: 1_000,
          intervalMs: 50,
          nodeId,
        }),
    );
    await Promise.all([...sweepers, ...sweepers].map((sweeper) => sweeper.sweepOnce()));
    const ends = (await meetingStream(db.url, meetingId)).filter((e) => e.type === 'MeetingEnded');
    expect(ends).toHaveLength(1);
    expect(ends[0].data).toMatchObject({ reason: 'missed', endedBy: null });
  });

  it('ends the meeting for everyone when one participant ends it', async () => {
    const { bob, meetingId, adaSocket, bobSocket, adaSees, bobSees } = await ringing();
    const adaJoin = await joinMeeting(adaSocket, meetingId);
    const bobJoin = await joinMeeting(bobSocket, meetingId);
    if (!adaJoin.ok || !bobJoin.ok) throw new Error('join refused');

    const ended = await bob.post(`/api/meetings/${meetingId}/end`);
    expect(ended.status).toBe(200);
    for (const sees of [adaSees, bobSees]) {
      expect((await sees.waitFor('MeetingEnded', (d) => d.meetingId === meetingId)).data).toMatchObject({
        reason: 'ended',
        endedBy: bob.user!.id,
      });
    }
    // An ended meeting accepts nothing: no join, no signal, no second end.
    expect(await joinMeeting(adaSocket, meetingId)).toMatchObject({ ok: false, code: 'MEETING_ENDED' });
    expect(await adaSocket.emitWithAck('signal', { meetingId, to: bobJoin.peerId, data: { link: 'x', candidate: null } })).toMatchObject({
      ok: false,
      code: 'MEETING_ENDED',
    });
    expect((await bob.post(`/api/meetings/${meetingId}/end`)).body.code).toBe('MEETING_ENDED');
    expect(bobSees.signals).toEqual([]);
    const {
      calls: [call],
    } = await calls(bob, `&minPosition=${ended.body.position}`);
    expect(call).toMatchObject({ meetingId, outcome: 'finished', direction: 'incoming' });
  });

  it('lets exactly one of two simultaneous starts win', async () => {
    const { ada, bob, contactId } = await contactPair(server.url);
    const results = await Promise.all([start(ada, contactId), start(bob, contactId), start(ada, contactId), start(bob, contactId)]);
    const won = results.filter((r) => r.status === 201);
    expect(won).toHaveLength(1);
    for (const lost of results.filter((r) => r.status !== 201)) {
      expect(lost.status).toBe(409);
      expect(lost.body.meetingId).toBe(won[0].body.meeting.id);
    }
  });

  it('keeps a seat with the connection that took it: another tab of the same user cannot leave it', async () => {
    const { bob, meetingId, adaSocket, bobSocket, adaSees } = await ringing();
    const [adaJoin, bobJoin] = [await joinMeeting(adaSocket, meetingId), await joinMeeting(bobSocket, meetingId)];
    if (!adaJoin.ok || !bobJoin.ok) throw new Error('join refused');
    const bobOtherTab = await connect(bob);

    expect(await bobOtherTab.timeout(5_000).emitWithAck('meeting:leave', { meetingId })).toMatchObject({
      ok: false,
      code: 'NOT_A_PARTICIPANT',
    });

    // Bob's seat still belongs to his first tab: it signals, and no one left.
    expect(await bobSocket.timeout(5_000).emitWithAck('signal', { meetingId, to: adaJoin.peerId, data: { sdp: 'offer' } })).toEqual({
      ok: true,
    });
    await eventually(() => adaSees.signals.find((s) => s.from === bobJoin.peerId));
    expect((await meetingStream(db.url, meetingId)).map((e) => e.type)).toEqual([
      'MeetingStarted',
      'ParticipantJoined',
      'ParticipantJoined',
    ]);
    expect((await bob.get(`/api/meetings/${meetingId}`)).body.meeting.participants).toHaveLength(2);
  });

  it('hides a meeting from strangers and refuses their join and signal', async () => {
    const { meetingId, adaSocket, bobSees } = await ringing();
    const adaJoin = await joinMeeting(adaSocket, meetingId);
    if (!adaJoin.ok) throw new Error('join refused');
    const eve = await new MeetingsClient(server.url).signUp('eve');
    const eveSocket = await connect(eve);

    // Her HTTP requests are specified in application/meetings/meeting-rules.api.spec.ts; here, the read model and sockets.
    expect((await eve.get('/api/meetings')).body.meetings).toEqual([]);
    expect(await joinMeeting(eveSocket, meetingId)).toMatchObject({ ok: false, code: 'MEETING_NOT_FOUND' });
    expect(await eveSocket.emitWithAck('signal', { meetingId, to: adaJoin.peerId, data: { link: 'x', candidate: null } })).toMatchObject({
      ok: false,
      code: 'MEETING_NOT_FOUND',
    });
    expect(await eveSocket.emitWithAck('meeting:leave', { meetingId })).toMatchObject({ ok: false, code: 'MEETING_NOT_FOUND' });
    expect((await meetingStream(db.url, meetingId)).map((e) => e.type)).toEqual(['MeetingStarted', 'ParticipantJoined']);
    expect(bobSees.signals).toEqual([]);
  });

  it('answers bad input with a clear 4xx or error ack and changes nothing', async () => {
    const { ada, meetingId, adaSocket, bobSocket, bobSees } = await ringing();
    const adaJoin = await joinMeeting(adaSocket, meetingId);
    if (!adaJoin.ok) throw new Error('join refused');

    // Bad meeting requests over HTTP are specified in application/meetings/meeting-rules.api.spec.ts; the call log reads a read model.
    expect((await ada.get('/api/calls?limit=0')).status).toBe(400);
    expect((await ada.get(`/api/calls?before=${randomUUID()}`)).body.code).toBe('UNKNOWN_CURSOR');

    expect(await adaSocket.emitWithAck('meeting:join', { meetingId: 42 })).toMatchObject({ ok: false, code: 'INVALID_ID' });
    expect(await adaSocket.emitWithAck('meeting:join', {})).toMatchObject({ ok: false, code: 'VALIDATION_ERROR' });
    expect(await joinMeeting(adaSocket, randomUUID())).toMatchObject({ ok: false, code: 'MEETING_NOT_FOUND' });
    expect(await adaSocket.emitWithAck('signal', { meetingId, to: 'nobody', data: {} })).toMatchObject({ ok: false, code: 'INVALID_ID' });
    expect(await adaSocket.emitWithAck('signal', { meetingId, to: randomUUID(), data: 'offer' })).toMatchObject({
      ok: false,
      code: 'VALIDATION_ERROR',
    });
    expect(await adaSocket.emitWithAck('meeting:media', { meetingId, audio: 'yes', video: true })).toMatchObject({
      ok: false,
      code: 'VALIDATION_ERROR',
    });
    // Bob has not joined: nobody to signal to, and Bob himself may not signal.
    expect(await adaSocket.emitWithAck('signal', { meetingId, to: randomUUID(), data: { link: 'x', candidate: null } })).toMatchObject({
      ok: false,
      code: 'PEER_NOT_IN_MEETING',
    });
    expect(await adaSocket.emitWithAck('signal', { meetingId, to: adaJoin.peerId, data: { link: 'x', candidate: null } })).toMatchObject({
      ok: false,
      code: 'PEER_NOT_IN_MEETING',
    });
    expect(await bobSocket.emitWithAck('signal', { meetingId, to: adaJoin.peerId, data: { link: 'x', candidate: null } })).toMatchObject({
      ok: false,
      code: 'NOT_A_PARTICIPANT',
    });

    const bobJoin = await joinMeeting(bobSocket, meetingId);
    if (!bobJoin.ok) throw new Error('join refused');
    const oversized = { link: 'x', description: { type: 'offer', sdp: 'a'.repeat(64 * 1024) } };
    expect(await adaSocket.emitWithAck('signal', { meetingId, to: bobJoin.peerId, data: oversized })).toMatchObject({
      ok: false,
      code: 'PAYLOAD_TOO_LARGE',
    });
    // Just under the cap goes through.
    const large = { link: 'x', description: { type: 'offer', sdp: 'a'.repeat(60 * 1024) } };
    expect(await adaSocket.emitWithAck('signal', { meetingId, to: bobJoin.peerId, data: large })).toEqual({ ok: true });
    await eventually(() => bobSees.signals.length === 1);
    expect(bobSees.signals[0]).toMatchObject({ meetingId, from: adaJoin.peerId, fromUserId: ada.user!.id, data: large });
    expect((await meetingStream(db.url, meetingId)).map((e) => e.type)).toEqual([
      'MeetingStarted',
      'ParticipantJoined',
      'ParticipantJoined',
    ]);
  });

  it('refuses a flood of signals past the burst with RATE_LIMITED and relays none of the refused', async () => {
    const { meetingId, adaSocket, bobSocket, adaSees, bobSees } = await ringing();
    const [adaJoin, bobJoin] = [await joinMeeting(adaSocket, meetingId), await joinMeeting(bobSocket, meetingId)];
    if (!adaJoin.ok || !bobJoin.ok) throw new Error('join refused');
    type SignalAck = { ok: true } | { ok: false; code: string; message: string; retryAfterMs: number };
    const signal = (socket: Socket, to: string, data: object): Promise<SignalAck> => socket.emitWithAck('signal', { meetingId, to, data });

    // Sent all at once, as a flooding client would; the server counts them in the order they arrive.
    const FLOOD = SIGNAL_BURST * 4;
    const floodStarted = performance.now();
    const acks = await Promise.all(Array.from({ length: FLOOD }, (_, seq) => signal(adaSocket, bobJoin.peerId, { link: 'flood', seq })));
    const floodSeconds = (performance.now() - floodStarted) / 1000;

    const accepted = acks.flatMap((ack, seq) => (ack.ok ? [seq] : []));
    const refused = acks.filter((ack) => !ack.ok);
    // The whole burst goes through, then no more than the rate gave back while the flood lasted.
    expect(accepted.slice(0, SIGNAL_BURST)).toEqual(Array.from({ length: SIGNAL_BURST }, (_, seq) => seq));
    expect(accepted.length).toBeLessThanOrEqual(SIGNAL_BURST + Math.floor(floodSeconds * SIGNALS_PER_SECOND));
    expect(refused.length).toBeGreaterThan(0);
    expect(accepted.length + refused.length).toBe(FLOOD);
    // Refused by the signal bucket, or, past 100, by the bucket every event of a socket draws from.
    for (const ack of refused)
      expect(ack).toEqual({
        ok: false,
        code: 'RATE_LIMITED',
        message: expect.stringMatching(/^Too many (signals|events)/),
        retryAfterMs: expect.any(Number),
      });

    // Bob gets exactly the accepted ones, in order; that nothing more comes is shown by the signal after them, below.
    await eventually(() => bobSees.signals.length >= accepted.length);
    expect(bobSees.signals.map((s) => s.data.seq)).toEqual(accepted);

    // The limit is a rate, not a ban: a moment later Ada may signal again. Bob's socket has its own bucket.
    await sleep(2 * (1000 / SIGNALS_PER_SECOND));
    expect(await signal(adaSocket, bobJoin.peerId, { link: 'after', candidate: null })).toEqual({ ok: true });
    expect(await signal(bobSocket, adaJoin.peerId, { link: 'back', candidate: null })).toEqual({ ok: true });
    await eventually(() => bobSees.signals.at(-1)?.data.link === 'after' && adaSees.signals.at(-1)?.data.link === 'back');
    expect(bobSees.signals.map((s) => s.data.seq ?? s.data.link)).toEqual([...accepted, 'after']);
  });

  it('pages the call log newest first', async () => {
    const { ada, bob, contactId } = await contactPair(server.url);
    const ids: string[] = [];
    let position = 0;
    for (let i = 0; i < 3; i++) {
      const started = await start(ada, contactId);
      ids.push(started.body.meeting.id);
      position = (await bob.post(`/api/meetings/${started.body.meeting.id}/decline`)).body.position;
    }
    const first = (await ada.get(`/api/calls?limit=2&minPosition=${position}`)).body;
    expect(first.calls.map((c: any) => c.meetingId)).toEqual([ids[2], ids[1]]);
    expect(first.hasMore).toBe(true);
    const second = (await ada.get(`/api/calls?limit=2&before=${ids[1]}`)).body;
    expect(second).toMatchObject({ calls: [{ meetingId: ids[0] }], hasMore: false });
  });

  it('hands out STUN and TURN servers with coturn REST-API credentials', async () => {
    const { ada } = await contactPair(server.url);
    const before = Math.floor(Date.now() / 1000);
    const { status, body, headers } = await ada.get('/api/ice-servers');
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toContain('no-store');
    expect(body.ttl).toBe(600);
    expect(body.iceServers[0]).toEqual({ urls: ['stun:stun.example.com:3478'] });
    const turn = body.iceServers[1];
    expect(turn.urls).toEqual(['turn:turn.example.com:3478?transport=udp']);
    const [expiry, userId] = turn.username.split(':');
    expect(userId).toBe(ada.user!.id);
    expect(Number(expiry) - before).toBeGreaterThanOrEqual(600);
    expect(Number(expiry) - before).toBeLessThanOrEqual(602);
    expect(turn.credential).toBe(createHmac('sha1', TURN_SECRET).update(turn.username).digest('base64'));
    expect((await new MeetingsClient(server.url).get('/api/ice-servers')).status).toBe(401);
  });
});
