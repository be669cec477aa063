import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { ApiClient, connected, eventually, recordEvents } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('real-time pushes over Socket.io (one node)', () => {
  let t: TestServer;
  const sockets: Socket[] = [];
  const open = async (client: ApiClient) => {
    const socket = client.connect();
    sockets.push(socket);
    return connected(socket);
  };

  beforeAll(async () => {
    t = await startTestServer({ env: { JWT_EXPIRES_IN: '3', PRESENCE_ONLINE_SETTLE_MS: '200', PRESENCE_OFFLINE_GRACE_MS: '500' } });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });
  afterAll(() => t.close());

  it('refuses a handshake without a valid token with UNAUTHORIZED', async () => {
    const anon = new ApiClient(t.url);
    await expect(connected(anon.connect())).rejects.toThrow('UNAUTHORIZED');
    anon.token = 'garbage';
    await expect(connected(anon.connect())).rejects.toThrow('UNAUTHORIZED');
  });

  it('pushes each committed event once, with its position, to both members only', async () => {
    const [alice, bob, eve] = await Promise.all(['alice', 'bob', 'eve'].map((n) => new ApiClient(t.url).signUp(n)));
    const [aliceSocket, bobSocket, eveSocket] = await Promise.all([open(alice), open(bob), open(eve)]);
    const [aliceEvents, bobEvents, eveEvents] = [recordEvents(aliceSocket), recordEvents(bobSocket), recordEvents(eveSocket)];
    const contactId = await alice.addContact(bob);
    const sent = await alice.post(`/api/contacts/${contactId}/messages`, { text: 'live!' });

    // A second message behind it, on the same path: once it is in, a repeat of the first would have been too.
    const marker = await alice.post(`/api/contacts/${contactId}/messages`, { text: 'marker' });
    const arrived = (events: typeof bobEvents) => events.some((e) => e.position === marker.body.position);
    await eventually(() => arrived(bobEvents) && arrived(aliceEvents));
    const bobStored = bobEvents.filter((e) => e.position !== undefined);
    expect(bobStored.map((e) => e.type)).toEqual(['ContactRequested', 'ContactAdded', 'MessageSent', 'MessageSent']);
    expect(aliceEvents.filter((e) => e.type === 'MessageSent').map((e) => e.position)).toEqual([sent.body.position, marker.body.position]);
    expect(bobStored[2]).toEqual({
      type: 'MessageSent',
      position: sent.body.position,
      data: expect.objectContaining({ contactId, text: 'live!', senderId: alice.user!.id, messageId: sent.body.message.id }),
    });
    expect(eveEvents.filter((e) => e.type === 'MessageSent' || e.type.startsWith('Contact'))).toEqual([]);

    // What was pushed is exactly what catch-up returns.
    const feed = await bob.get('/api/events?after=0');
    expect(feed.body.events).toEqual(bobStored);
  });

  it('relays typing to the peer only, ephemeral and validated', async () => {
    const [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => new ApiClient(t.url).signUp(n)));
    const contactId = await alice.addContact(bob);
    const [aliceSocket, bobSocket] = await Promise.all([open(alice), open(bob)]);
    const bobEvents = recordEvents(bobSocket);
    const aliceEvents = recordEvents(aliceSocket);
    const ack = await aliceSocket.emitWithAck('typing', { contactId });
    expect(ack).toEqual({ ok: true });
    await eventually(() => bobEvents.find((e) => e.type === 'Typing'));
    expect(bobEvents.find((e) => e.type === 'Typing')).toEqual({ type: 'Typing', data: { contactId, userId: alice.user!.id } });
    expect(aliceEvents.filter((e) => e.type === 'Typing')).toEqual([]);

    expect(await aliceSocket.emitWithAck('typing', { contactId: 'nope' })).toMatchObject({ ok: false, code: 'INVALID_ID' });
    expect(await aliceSocket.emitWithAck('typing', 'string payload')).toMatchObject({ ok: false, code: 'VALIDATION_ERROR' });
    const eve = await new ApiClient(t.url).signUp('eve');
    const eveSocket = await open(eve);
    expect(await eveSocket.emitWithAck('typing', { contactId })).toMatchObject({ ok: false, code: 'CONTACT_NOT_FOUND' });
  });

  it('tells contacts when a peer comes online and goes offline', async () => {
    const [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => new ApiClient(t.url).signUp(n)));
    const contactId = await alice.addContact(bob);
    await eventually(async () => (await alice.get('/api/contacts')).body.contacts.length === 1);
    const aliceSocket = await open(alice);
    const aliceEvents = recordEvents(aliceSocket);
    const bobSocket = await open(bob);
    await eventually(() => aliceEvents.find((e) => e.type === 'PresenceChanged' && e.data.online));
    expect((await alice.get('/api/contacts')).body.contacts.find((c: any) => c.id === contactId).peerOnline).toBe(true);
    bobSocket.disconnect();
    await eventually(() => aliceEvents.find((e) => e.type === 'PresenceChanged' && !e.data.online));
    expect(aliceEvents.filter((e) => e.type === 'PresenceChanged').map((e) => e.data)).toEqual([
      { userId: bob.user!.id, online: true },
      { userId: bob.user!.id, online: false },
    ]);
    expect((await alice.get('/api/contacts')).body.contacts[0].peerOnline).toBe(false);
  });

  it('disconnects a socket with SESSION_EXPIRED when its user signs out', async () => {
    const alice = await new ApiClient(t.url).signUp('alice');
    const socket = await open(alice);
    const expired = new Promise((resolve) => socket.on('session:expired', resolve));
    const disconnected = new Promise((resolve) => socket.on('disconnect', resolve));
    expect((await alice.request('DELETE', '/api/sessions')).status).toBe(204);
    expect(await expired).toEqual({ reason: 'SESSION_EXPIRED' });
    expect(await disconnected).toBe('io server disconnect');
    await expect(connected(alice.connect())).rejects.toThrow('UNAUTHORIZED');
  });

  it('disconnects a socket with SESSION_EXPIRED when its token expires', async () => {
    const alice = await new ApiClient(t.url).signUp('alice');
    const socket = await open(alice);
    const expired = await new Promise((resolve) => socket.on('session:expired', resolve));
    expect(expired).toEqual({ reason: 'SESSION_EXPIRED' });
    await eventually(() => !socket.connected);
    await expect(connected(alice.connect())).rejects.toThrow('UNAUTHORIZED');
  });
});
