import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected, eventually, recordEvents } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const u = () => randomUUID();
const BAD_IDS: Array<[string, unknown]> = [
  ['urn:uuid: prefix', `urn:uuid:${u()}`],
  ['braces', `{${u()}}`],
  ['no hyphens', u().replaceAll('-', '')],
  ['37 characters', `${u()}0`],
  ['padded with spaces', ` ${u()} `],
  ['a number', 42],
  ['null', null],
  ['an empty string', ''],
];

/** Every client → server socket event and a valid payload for it; `ids` are the fields that hold ids. */
const EVENTS: Record<string, { payload: () => Record<string, unknown>; ids: string[] }> = {
  typing: { payload: () => ({ contactId: u() }), ids: ['contactId'] },
  'meeting:join': { payload: () => ({ meetingId: u() }), ids: ['meetingId'] },
  'meeting:leave': { payload: () => ({ meetingId: u() }), ids: ['meetingId'] },
  signal: { payload: () => ({ meetingId: u(), to: u(), data: {} }), ids: ['meetingId', 'to'] },
  'meeting:media': { payload: () => ({ meetingId: u(), audio: true, video: false }), ids: ['meetingId'] },
  // Carries a session token, no id.
  'session:renew': { payload: () => ({ token: 'not-a-token' }), ids: [] },
  // Carries nothing.
  probe: { payload: () => ({}), ids: [] },
};

describe('canonical ids in socket event payloads', () => {
  let t: TestServer;
  let ana: ApiClient;
  let ben: ApiClient;
  let contactId: string;
  let anaSocket: Socket;
  let benSocket: Socket;

  beforeAll(async () => {
    t = await startTestServer();
    [ana, ben] = await Promise.all(['ana', 'ben'].map((n) => new ApiClient(t.url).signUp(n)));
    contactId = await ana.addContact(ben);
    [anaSocket, benSocket] = await Promise.all([connected(ana.connect()), connected(ben.connect())]);
  });
  afterAll(async () => {
    anaSocket?.disconnect();
    benSocket?.disconnect();
    await t.close();
  });

  it('checks every event the server listens to', async () => {
    const reserved = new Set(['disconnect', 'disconnecting', 'error', 'newListener', 'removeListener']);
    const serverSockets = [...t.server.gateway.io.of('/').sockets.values()];
    expect(serverSockets.length).toBeGreaterThan(0);
    for (const socket of serverSockets) {
      const listened = socket.eventNames().filter((name): name is string => typeof name === 'string' && !reserved.has(name));
      expect(listened.sort()).toEqual(Object.keys(EVENTS).sort());
    }
  });

  it('refuses every non-canonical id in every event with {ok: false, code: INVALID_ID} naming the field', async () => {
    const failures: string[] = [];
    for (const [event, { payload, ids }] of Object.entries(EVENTS)) {
      for (const field of ids) {
        for (const [name, value] of BAD_IDS) {
          const ack = await anaSocket.timeout(5_000).emitWithAck(event, { ...payload(), [field]: value });
          if (ack?.ok !== false || ack.code !== 'INVALID_ID' || !String(ack.message).includes(field))
            failures.push(`${event} ${field} with ${name}: ${JSON.stringify(ack)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('lower-cases an upper-case contact id in typing', async () => {
    const benSees = recordEvents(benSocket);
    expect(await anaSocket.timeout(5_000).emitWithAck('typing', { contactId: contactId.toUpperCase() })).toEqual({ ok: true });
    const typing = (await eventually(() => benSees.find((e) => e.type === 'Typing')))!;
    expect(typing.data).toEqual({ contactId, userId: ana.user!.id });
  });

  it('lower-cases upper-case meeting and peer ids in meeting:join, meeting:media, signal and meeting:leave', async () => {
    const started = await ana.post(`/api/contacts/${contactId.toUpperCase()}/meetings`);
    expect(started.status).toBe(201);
    const meetingId: string = started.body.meeting.id;
    const upper = meetingId.toUpperCase();
    const anaJoin = await anaSocket.timeout(5_000).emitWithAck('meeting:join', { meetingId: upper });
    expect(anaJoin).toMatchObject({ ok: true, peerId: expect.any(String) });
    const benJoin = await benSocket.timeout(5_000).emitWithAck('meeting:join', { meetingId: upper });
    expect(benJoin).toMatchObject({ ok: true });
    expect((await ana.get(`/api/meetings/${upper}`)).body.meeting.participants).toHaveLength(2);

    const benSees = recordEvents(benSocket);
    expect(await anaSocket.timeout(5_000).emitWithAck('meeting:media', { meetingId: upper, audio: false, video: true })).toEqual({
      ok: true,
    });
    const media = (await eventually(() => benSees.find((e) => e.type === 'ParticipantMediaChanged')))!;
    expect(media.data).toMatchObject({ meetingId, userId: ana.user!.id });

    const signals: any[] = [];
    benSocket.on('signal', (s) => signals.push(s));
    const sent = await anaSocket
      .timeout(5_000)
      .emitWithAck('signal', { meetingId: upper, to: benJoin.peerId.toUpperCase(), data: { sdp: 'offer' } });
    expect(sent).toEqual({ ok: true });
    const signal = await eventually(() => signals[0]);
    expect(signal).toMatchObject({ meetingId, from: anaJoin.peerId, data: { sdp: 'offer' } });

    expect(await benSocket.timeout(5_000).emitWithAck('meeting:leave', { meetingId: upper })).toEqual({ ok: true });
    expect(await anaSocket.timeout(5_000).emitWithAck('meeting:leave', { meetingId: upper })).toEqual({ ok: true });
    await eventually(async () => (await ana.get(`/api/meetings/${meetingId}`)).body.meeting.state === 'ended');
  });
});
