import pg from 'pg';
import { ADVISORY_LOCKS } from '../../infrastructure/database/advisory-locks.js';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connected, eventually } from '../support/api-client.js';
import type { TestDatabase } from '../support/database.js';
import { startNodeProcess, type NodeProcess } from '../support/node-process.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { contactPair, createMeetingsDatabase, joinMeeting, meetingStream, MeetingsClient, record, sleep, type JoinAck } from './support.js';
import { endDeployment } from '../support/deployment-teardown.js';

const RING_TIMEOUT_MS = 3_000;
const GRACE_MS = 1_500;

/** Meetings across two api processes on one PostgreSQL and one Redis; node A starts first and leads the sweeper. */
describe('meetings across two api nodes', () => {
  let db: TestDatabase;
  let nodeA: NodeProcess;
  let nodeB: NodeProcess;
  let sql: pg.Client;
  let sockets: Socket[] = [];

  const connectTo = async (client: MeetingsClient, url: string) => {
    const socket = await connected(client.on(url).connect());
    sockets.push(socket);
    return socket;
  };
  const sweeperLeader = async () => {
    const { rows } = await sql.query(
      `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.classid = ${ADVISORY_LOCKS.meetingSweeper} AND l.granted
         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    return rows.map((r) => r.application_name as string);
  };

  beforeAll(async () => {
    db = await createMeetingsDatabase();
    sql = new pg.Client({ connectionString: db.url });
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      MEETING_RING_TIMEOUT_MS: String(RING_TIMEOUT_MS),
      MEETING_RECONNECT_GRACE_MS: String(GRACE_MS),
    };
    nodeA = await startNodeProcess({ ...env, NODE_ID: 'meetings-a' });
    await sql.connect();
    await eventually(async () => (await sweeperLeader()).includes('derbel-meeting-sweeper:meetings-a'), { timeoutMs: 10_000 });
    nodeB = await startNodeProcess({ ...env, NODE_ID: 'meetings-b' });
  }, 60_000);
  afterEach(() => {
    for (const socket of sockets) socket.disconnect();
    sockets = [];
  });
  afterAll(async () => {
    await sql?.end();
    await endDeployment([nodeA, nodeB], db);
  });

  it('relays offer, answer and candidates between participants on different nodes, and only between them', async () => {
    const { ada, bob, contactId } = await contactPair(nodeA.url);
    const adaSocket = await connectTo(ada, nodeA.url);
    const bobSocket = await connectTo(bob, nodeB.url);
    const adaSees = record(adaSocket);
    const bobSees = record(bobSocket);

    const { meeting } = (await ada.post(`/api/contacts/${contactId}/meetings`)).body;
    await bobSees.waitFor('MeetingStarted', (d) => d.meetingId === meeting.id);
    const adaJoin = await joinMeeting(adaSocket, meeting.id);
    const bobJoin = await joinMeeting(bobSocket, meeting.id);
    if (!adaJoin.ok || !bobJoin.ok) throw new Error('join refused');
    await adaSees.waitFor('ParticipantJoined', (d) => d.peerId === bobJoin.peerId);

    const offer = { link: 'ada-1', description: { type: 'offer', sdp: 'v=0 offer' } };
    const answer = { link: 'bob-1', description: { type: 'answer', sdp: 'v=0 answer' } };
    const candidates = [
      { link: 'ada-1', candidate: { candidate: 'candidate:1 1 udp 2122260223 10.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 } },
      { link: 'ada-1', candidate: null },
    ];
    const signal = (socket: Socket, to: string, data: object) => socket.emitWithAck('signal', { meetingId: meeting.id, to, data });
    expect(await signal(adaSocket, bobJoin.peerId, offer)).toEqual({ ok: true });
    expect(await signal(bobSocket, adaJoin.peerId, answer)).toEqual({ ok: true });
    for (const candidate of candidates) expect(await signal(adaSocket, bobJoin.peerId, candidate)).toEqual({ ok: true });

    await eventually(() => bobSees.signals.length === 3 && adaSees.signals.length === 1);
    expect(bobSees.signals).toEqual(
      [offer, ...candidates].map((data) => ({ meetingId: meeting.id, from: adaJoin.peerId, fromUserId: ada.user!.id, data })),
    );
    expect(adaSees.signals).toEqual([{ meetingId: meeting.id, from: bobJoin.peerId, fromUserId: bob.user!.id, data: answer }]);

    // Mute state crosses nodes as an ephemeral event.
    expect(await bobSocket.emitWithAck('meeting:media', { meetingId: meeting.id, audio: false, video: false })).toEqual({ ok: true });
    await adaSees.waitFor('ParticipantMediaChanged', (d) => d.userId === bob.user!.id && !d.audio && !d.video);

    // A stranger, and a member's socket that never joined, are refused and relay nothing.
    const eve = await new MeetingsClient(nodeB.url).signUp('eve');
    const eveSocket = await connectTo(eve, nodeB.url);
    expect((await eve.get(`/api/meetings/${meeting.id}`)).status).toBe(404);
    expect(await joinMeeting(eveSocket, meeting.id)).toMatchObject({ ok: false, code: 'MEETING_NOT_FOUND' });
    expect(await signal(eveSocket, bobJoin.peerId, offer)).toMatchObject({ ok: false, code: 'MEETING_NOT_FOUND' });
    const bobSecondTab = await connectTo(bob, nodeA.url);
    expect(await signal(bobSecondTab, adaJoin.peerId, offer)).toMatchObject({ ok: false, code: 'NOT_A_PARTICIPANT' });
    await sleep(200);
    expect(bobSees.signals).toHaveLength(3);
    expect(adaSees.signals).toHaveLength(1);

    // Signaling was relayed, never stored.
    const { rows } = await sql.query(`SELECT count(*)::int AS n FROM events WHERE data::text LIKE '%v=0 offer%'`);
    expect(rows[0].n).toBe(0);
    await ada.post(`/api/meetings/${meeting.id}/end`);
  });

  it('keeps the seat of a participant who comes back within the grace, and gives up the seat of one who does not', async () => {
    const { ada, bob, contactId } = await contactPair(nodeB.url);
    const adaSocket = await connectTo(ada, nodeA.url);
    const adaSees = record(adaSocket);
    let bobSocket = await connectTo(bob, nodeB.url);
    const { meeting } = (await ada.post(`/api/contacts/${contactId}/meetings`)).body;
    const adaJoin = await joinMeeting(adaSocket, meeting.id);
    const bobJoin = await joinMeeting(bobSocket, meeting.id);
    if (!adaJoin.ok || !bobJoin.ok) throw new Error('join refused');

    // A page reload: the socket drops, a new one (here on the other node) joins again at once.
    bobSocket.disconnect();
    await sleep(200);
    bobSocket = await connectTo(bob, nodeA.url);
    const rejoin = await joinMeeting(bobSocket, meeting.id);
    if (!rejoin.ok) throw new Error('rejoin refused');
    expect(rejoin.peerId).not.toBe(bobJoin.peerId);
    expect(rejoin.participants).toEqual([
      { userId: ada.user!.id, peerId: adaJoin.peerId },
      { userId: bob.user!.id, peerId: rejoin.peerId },
    ]);
    await adaSees.waitFor('ParticipantJoined', (d) => d.peerId === rejoin.peerId);

    await sleep(GRACE_MS + 1_000);
    expect((await ada.get(`/api/meetings/${meeting.id}`)).body.meeting).toMatchObject({
      state: 'active',
      participants: rejoin.participants,
    });
    expect(adaSees.find('ParticipantLeft')).toBeUndefined();
    // The rejoined seat signals under its new peer id.
    expect(
      await bobSocket.emitWithAck('signal', { meetingId: meeting.id, to: adaJoin.peerId, data: { link: 'b2', candidate: null } }),
    ).toEqual({ ok: true });
    await eventually(() => adaSees.signals.some((s) => s.from === rejoin.peerId));

    // Now Bob goes away for good.
    const goneAt = Date.now();
    bobSocket.disconnect();
    const left = await adaSees.waitFor('ParticipantLeft', (d) => d.userId === bob.user!.id, GRACE_MS + 5_000);
    expect(left.data).toMatchObject({ reason: 'disconnected', peerId: rejoin.peerId });
    expect(Date.parse(left.data.leftAt) - goneAt).toBeGreaterThanOrEqual(GRACE_MS - 100);
    const stream = await meetingStream(db.url, meeting.id);
    expect(stream.filter((e) => e.type === 'ParticipantLeft')).toHaveLength(1);
    expect(stream.at(-1)!.type).toBe('ParticipantLeft');
    expect((await ada.get(`/api/meetings/${meeting.id}`)).body.meeting).toMatchObject({
      state: 'active',
      participants: [{ userId: ada.user!.id }],
    });

    expect(await adaSocket.emitWithAck('meeting:leave', { meetingId: meeting.id })).toEqual({ ok: true });
    expect((await adaSees.waitFor('MeetingEnded', (d) => d.meetingId === meeting.id)).data.reason).toBe('empty');
  });

  it('in a group call across the nodes, a reload keeps its seat, one who goes for good leaves, and the call goes on', async () => {
    const [ada, bob, cy] = await Promise.all(['ada', 'bob', 'cy'].map((name) => new MeetingsClient(nodeB.url).signUp(name)));
    for (const other of [bob, cy]) await ada.addContact(other);
    const created = await ada.post('/api/conversations', { title: 'Three', memberIds: [bob.user!.id, cy.user!.id] });
    expect(created.status).toBe(201);
    const groupId = created.body.conversation.id as string;
    const adaSocket = await connectTo(ada, nodeA.url);
    const adaSees = record(adaSocket);
    let bobSocket = await connectTo(bob, nodeB.url);
    const cySocket = await connectTo(cy, nodeA.url);
    const { meeting } = (await ada.post(`/api/contacts/${groupId}/meetings`)).body;
    const joins = [
      await joinMeeting(adaSocket, meeting.id),
      await joinMeeting(bobSocket, meeting.id),
      await joinMeeting(cySocket, meeting.id),
    ];
    if (!joins.every((join) => join.ok)) throw new Error('join refused');
    const [adaJoin, , cyJoin] = joins as Array<JoinAck & { ok: true }>;

    // Bob reloads: his socket drops and a new one, on the other node, joins again within the grace.
    bobSocket.disconnect();
    await sleep(200);
    bobSocket = await connectTo(bob, nodeA.url);
    const rejoin = await joinMeeting(bobSocket, meeting.id);
    if (!rejoin.ok) throw new Error('rejoin refused');
    expect(new Set(rejoin.participants.map((p) => p.peerId))).toEqual(new Set([adaJoin.peerId, cyJoin.peerId, rejoin.peerId]));

    // Cy's tab dies and never comes back.
    cySocket.disconnect();
    const left = await adaSees.waitFor('ParticipantLeft', (d) => d.userId === cy.user!.id, GRACE_MS + 5_000);
    expect(left.data).toMatchObject({ reason: 'disconnected', peerId: cyJoin.peerId });
    expect(adaSees.find('ParticipantLeft', (d) => d.userId === bob.user!.id)).toBeUndefined();
    expect((await ada.get(`/api/meetings/${meeting.id}`)).body.meeting).toMatchObject({ state: 'active' });
    expect(
      new Set((await ada.get(`/api/meetings/${meeting.id}`)).body.meeting.participants.map((p: { userId: string }) => p.userId)),
    ).toEqual(new Set([ada.user!.id, bob.user!.id]));
    expect(
      await bobSocket.emitWithAck('signal', { meetingId: meeting.id, to: adaJoin.peerId, data: { link: 'g1', candidate: null } }),
    ).toEqual({ ok: true });
    await eventually(() => adaSees.signals.some((s) => s.from === rejoin.peerId));
    await ada.post(`/api/meetings/${meeting.id}/end`);
  });

  it('fires the ring timeout exactly once after the sweeping node is killed', async () => {
    expect(await sweeperLeader()).toEqual(['derbel-meeting-sweeper:meetings-a']);
    const { ada, bob, contactId } = await contactPair(nodeB.url);
    const bobSocket = await connectTo(bob, nodeB.url);
    const bobSees = record(bobSocket);
    const started = await ada.on(nodeA.url).post(`/api/contacts/${contactId}/meetings`);
    expect(started.status).toBe(201);
    const { meeting } = started.body;

    await nodeA.kill();
    const ended = await bobSees.waitFor('MeetingEnded', (d) => d.meetingId === meeting.id, RING_TIMEOUT_MS + 10_000);
    expect(ended.data).toMatchObject({ reason: 'missed', endedBy: null });
    expect(Date.parse(ended.data.endedAt)).toBeGreaterThanOrEqual(Date.parse(meeting.ringUntil));
    expect(await sweeperLeader()).toEqual(['derbel-meeting-sweeper:meetings-b']);

    await sleep(1_000);
    const stream = await meetingStream(db.url, meeting.id);
    expect(stream.map((e) => e.type)).toEqual(['MeetingStarted', 'MeetingEnded']);
    expect(bobSees.events.filter((e) => e.type === 'MeetingEnded' && e.data.meetingId === meeting.id)).toHaveLength(1);
    // The slot was released: the contact can call again.
    expect((await bob.post(`/api/contacts/${contactId}/meetings`)).status).toBe(201);
  });
});
