import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directContactId } from '../../application/contacts/contact-id.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { createPool } from '../../infrastructure/database/pool.js';
import { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import type { Socket } from 'socket.io-client';
import { ApiClient, connected, eventually, recordEvents, type ApiResponse } from '../support/api-client.js';
import { acked, expectAckedAsAbsent, expectAnsweredAsAbsent } from '../support/no-oracle.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Issue 13, finding 5: a contact's id is a uuid v5 of its two members' ids (public in the directory), so
 * a stranger can compute it. What a stranger is told about a contact between two others must be exactly
 * what they are told about a pair who are not contacts.
 */
describe('a stranger learns nothing about who talks to whom', () => {
  let t: TestServer;
  let alice: ApiClient;
  let bob: ApiClient;
  let carol: ApiClient;
  let eve: ApiClient;
  let existing: string;
  let absent: string;

  beforeAll(async () => {
    t = await startTestServer();
    [alice, bob, carol, eve] = await Promise.all(['alice', 'bob', 'carol', 'eve'].map((n) => new ApiClient(t.url).signUp(n)));
    existing = await alice.addContact(bob);
    absent = directContactId(alice.user!.id, carol.user!.id);
    await alice.post(`/api/contacts/${existing}/messages`, { text: 'between us' });
  });
  afterAll(() => t.close());

  const message = randomUUID();
  it.each([
    ['send', (c: string) => eve.post(`/api/contacts/${c}/messages`, { text: 'hello?' })],
    ['send a text that is not allowed', (c: string) => eve.post(`/api/contacts/${c}/messages`, { text: '   ' })],
    ['edit', (c: string) => eve.request('PATCH', `/api/contacts/${c}/messages/${message}`, { text: 'x' })],
    ['delete', (c: string) => eve.request('DELETE', `/api/contacts/${c}/messages/${message}`)],
    ['mark read', (c: string) => eve.post(`/api/contacts/${c}/read`, { messageId: message })],
    ['read history', (c: string) => eve.get(`/api/contacts/${c}/messages`)],
    ['read the audit trail', (c: string) => eve.get(`/api/contacts/${c}/audit`)],
    ['start a meeting', (c: string) => eve.post(`/api/contacts/${c}/meetings`, {})],
  ])('%s: the same status, code and message whether the two are contacts or not', async (what, act) => {
    expectAnsweredAsAbsent(what, await act(existing), await act(absent));
  });

  it('typing on the socket: the same answer for both', async () => {
    const { connected } = await import('../support/api-client.js');
    const socket = await connected(eve.connect());
    try {
      const ack = (contactId: string) => socket.timeout(2_000).emitWithAck('typing', { contactId });
      expect(await ack(existing)).toEqual(await ack(absent));
    } finally {
      socket.disconnect();
    }
  });

  it("costs a stranger's probe the same whether the contact exists, and whatever its length: at most one event read", async () => {
    // A second node on the same database, whose caches have never seen the contact, counting what it reads.
    let eventsRead = 0;
    const cold = await startTestServer({
      db: t.db,
      overrides: {
        async createEventStore(config) {
          const store: EventStore = new PostgresEventStore(createPool(config.databaseUrl!), config.databaseUrl!);
          const read = store.readStream.bind(store);
          store.readStream = async (stream, options) => {
            const events = await read(stream, options);
            if (stream.startsWith('contact-')) eventsRead += events.length;
            return events;
          };
          return store;
        },
      },
    });
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => bob.post(`/api/contacts/${existing}/messages`, { text: `filler ${i}` })));
      const strangerThere = Object.assign(new ApiClient(cold.url), { token: eve.token, user: eve.user });
      for (const [what, probe] of [
        ['send', (c: string) => strangerThere.post(`/api/contacts/${c}/messages`, { text: 'hello?' })],
        ['history', (c: string) => strangerThere.get(`/api/contacts/${c}/messages`)],
      ] as const) {
        eventsRead = 0;
        expect((await probe(existing)).status, what).toBe(404);
        expect(eventsRead, what).toBeLessThanOrEqual(1);
      }
    } finally {
      await cold.server.close();
    }
  });
});

/**
 * Issue 17: only accepted contacts talk. A pair with a pending, declined, removed or blocked contact between
 * them is answered, on every route and socket event that names their contact or a meeting of it, exactly as
 * a pair with nothing between them (no oracle), from both sides; and no presence flows between them.
 */
describe('a pair without an accepted contact is answered as if there were no contact', () => {
  let t: TestServer;
  let ana: ApiClient;
  let witness: ApiClient;
  const pairs: Array<{ state: string; other: ApiClient; contactId: string; messageId: string; meetingId: string; legit: string[] }> = [];

  beforeAll(async () => {
    t = await startTestServer();
    const [a, w, pen, dec, rem, blk] = await Promise.all(
      ['ana', 'wit', 'pen', 'dec', 'rem', 'blk'].map((n) => new ApiClient(t.url).signUp(n)),
    );
    [ana, witness] = [a, w];
    for (const other of [ana, pen, dec, rem, blk]) await witness.addContact(other);

    // pending: ana asked pen; pen may accept, decline or block it, ana may cancel it.
    const pending = await ana.requestContact(pen, 'hello?');
    pairs.push({
      state: 'pending',
      other: pen,
      contactId: pending,
      messageId: randomUUID(),
      meetingId: randomUUID(),
      legit: ['accept by other', 'decline by other', 'remove by ana'],
    });
    // declined: dec declined ana's request; ana (not told) may still cancel it.
    const declined = await ana.requestContact(dec);
    expect((await dec.post(`/api/contacts/${declined}/decline`)).status).toBe(200);
    pairs.push({
      state: 'declined',
      other: dec,
      contactId: declined,
      messageId: randomUUID(),
      meetingId: randomUUID(),
      legit: ['remove by ana'],
    });
    // removed and blocked: they were contacts, talked and were ringing when it ended.
    for (const [state, other] of [
      ['removed', rem],
      ['blocked', blk],
    ] as const) {
      const contactId = await ana.addContact(other);
      const sent = await ana.post(`/api/contacts/${contactId}/messages`, { text: 'while it lasted' });
      const ring = await other.post(`/api/contacts/${contactId}/meetings`, {});
      expect(ring.status).toBe(201);
      const ended =
        state === 'removed'
          ? await other.request('DELETE', `/api/contacts/${contactId}`)
          : await other.post('/api/blocks', { userId: ana.user!.id });
      expect(ended.status).toBeLessThan(300);
      expect((await other.get(`/api/meetings/${ring.body.meeting.id}`)).body.code).toBe('MEETING_NOT_FOUND');
      pairs.push({ state, other, contactId, messageId: sent.body.message.id, meetingId: ring.body.meeting.id, legit: [] });
    }
  });
  afterAll(() => t.close());

  const rest: Array<[string, (c: ApiClient, contactId: string, messageId: string, meetingId: string) => Promise<ApiResponse>]> = [
    ['send', (c, id) => c.post(`/api/contacts/${id}/messages`, { text: 'hello?' })],
    ['send a text that is not allowed', (c, id) => c.post(`/api/contacts/${id}/messages`, { text: '   ' })],
    ['edit', (c, id, m) => c.request('PATCH', `/api/contacts/${id}/messages/${m}`, { text: 'x' })],
    ['delete', (c, id, m) => c.request('DELETE', `/api/contacts/${id}/messages/${m}`)],
    ['mark read', (c, id, m) => c.post(`/api/contacts/${id}/read`, { messageId: m })],
    ['read history', (c, id) => c.get(`/api/contacts/${id}/messages`)],
    ['read the audit trail', (c, id) => c.get(`/api/contacts/${id}/audit`)],
    ['start a meeting', (c, id) => c.post(`/api/contacts/${id}/meetings`, {})],
    ['accept', (c, id) => c.post(`/api/contacts/${id}/accept`)],
    ['decline', (c, id) => c.post(`/api/contacts/${id}/decline`)],
    ['remove', (c, id) => c.request('DELETE', `/api/contacts/${id}`)],
    ['view the meeting', (c, _id, _m, meeting) => c.get(`/api/meetings/${meeting}`)],
    ['decline the meeting', (c, _id, _m, meeting) => c.post(`/api/meetings/${meeting}/decline`)],
    ['end the meeting', (c, _id, _m, meeting) => c.post(`/api/meetings/${meeting}/end`)],
  ];

  for (const state of ['pending', 'declined', 'removed', 'blocked']) {
    for (const side of ['ana', 'other'] as const) {
      it(`${state}, from ${side === 'ana' ? 'the one who asked / was ended' : 'the other side'}: every REST route answers as for no contact`, async () => {
        const pair = pairs.find((p) => p.state === state)!;
        const actor = side === 'ana' ? ana : pair.other;
        // Each route against a pair with nothing between them (a fresh one each time: no rate limit shared).
        for (const [name, act] of rest) {
          if (pair.legit.includes(`${name} by ${side}`)) continue;
          const nobody = randomUUID();
          const [toPair, toNobody] = [
            await act(actor, pair.contactId, pair.messageId, pair.meetingId),
            await act(actor, directContactId(actor.user!.id, nobody), randomUUID(), randomUUID()),
          ];
          expectAnsweredAsAbsent(name, toPair, toNobody);
        }
      });

      it(`${state}, from ${side === 'ana' ? 'the one who asked / was ended' : 'the other side'}: every socket event answers as for no contact`, async () => {
        const pair = pairs.find((p) => p.state === state)!;
        const actor = side === 'ana' ? ana : pair.other;
        const socket = await connected(actor.connect());
        try {
          const nobodys: { contactId: string; meetingId: string } = {
            contactId: directContactId(actor.user!.id, randomUUID()),
            meetingId: randomUUID(),
          };
          for (const [event, payload] of [
            ['typing', (ids: typeof nobodys) => ({ contactId: ids.contactId })],
            ['meeting:join', (ids: typeof nobodys) => ({ meetingId: ids.meetingId })],
            ['meeting:leave', (ids: typeof nobodys) => ({ meetingId: ids.meetingId })],
            ['signal', (ids: typeof nobodys) => ({ meetingId: ids.meetingId, to: randomUUID(), data: { sdp: 'x' } })],
            ['meeting:media', (ids: typeof nobodys) => ({ meetingId: ids.meetingId, audio: true, video: false })],
          ] as const) {
            const [toPair, toNobody] = [await acked(socket, event, payload(pair)), await acked(socket, event, payload(nobodys))];
            expectAckedAsAbsent(event, toPair, toNobody);
          }
        } finally {
          socket.disconnect();
        }
      });
    }
  }

  it('no presence flows between them: neither PresenceChanged nor peerOnline, while it does with an accepted contact', async () => {
    // One change is pushed as `PresenceChanged`, several at once as `PresenceChanges`.
    const presence = (events: Array<{ type: string; data: any }>) =>
      events.flatMap((e) => (e.type === 'PresenceChanged' ? [e.data] : e.type === 'PresenceChanges' ? e.data.changes : [])) as Array<{
        userId: string;
        online: boolean;
      }>;
    const heard = (events: Array<{ type: string; data: any }>, userId: string) =>
      presence(events).some((p) => p.userId === userId && p.online);
    const witnessSocket = await connected(witness.connect());
    const witnessSees = recordEvents(witnessSocket);
    const anaSocket = await connected(ana.connect());
    const anaSees = recordEvents(anaSocket);
    const others: Socket[] = [];
    try {
      await eventually(() => heard(witnessSees, ana.user!.id));
      for (const { other } of pairs) {
        others.push(await connected(other.connect()));
        // The witness is everyone's contact: once it hears of them, the announcement has been made.
        await eventually(() => heard(witnessSees, other.user!.id));
      }
      // A round trip on ana's socket: anything emitted to it before has arrived.
      await anaSocket.timeout(5_000).emitWithAck('typing', { contactId: directContactId(ana.user!.id, witness.user!.id) });
      const strangers = new Set(pairs.map((p) => p.other.user!.id));
      expect(presence(anaSees).filter((p) => strangers.has(p.userId))).toEqual([]);
      const listed = (await ana.get('/api/contacts')).body.contacts;
      expect(listed.map((c: { peer: { id: string }; peerOnline: boolean }) => [c.peer.id, c.peerOnline])).toEqual([
        [witness.user!.id, true],
      ]);
    } finally {
      for (const socket of [witnessSocket, anaSocket, ...others]) socket.disconnect();
    }
  });
});
