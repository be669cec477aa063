import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected, eventually } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type Missed = {
  after: unknown;
  events?: Array<{ type: string; position: number; data: any }>;
  hasMore?: boolean;
  error?: { code: string; message: string };
};

/**
 * Issue 21: a reconnecting client names its feed position in the handshake (`auth.feedAfter`) and is sent what it
 * missed on the socket (`feed:missed`), instead of asking `GET /api/events` itself: after a node dies, thousands of
 * clients did so on the survivor, most of them to learn that nothing was missed.
 */
describe('the feed a reconnecting client missed, sent on connect', () => {
  let t: TestServer;
  const sockets: Socket[] = [];
  /** Connects with `auth`, recording the `feed:missed` and `event` packets in the order they came. */
  const open = async (client: ApiClient, auth: Record<string, unknown>) => {
    const socket = io(t.url, { auth: { token: client.token, ...auth }, transports: ['websocket'], forceNew: true, reconnection: false });
    sockets.push(socket);
    const seen: Array<{ name: string; payload: any }> = [];
    socket.onAny((name, payload) => seen.push({ name, payload }));
    await connected(socket);
    const missed = () => seen.filter((p) => p.name === 'feed:missed').map((p) => p.payload as Missed);
    return { socket, seen, missed };
  };

  beforeAll(async () => {
    t = await startTestServer({ env: { RATE_LIMIT_MESSAGES: '1000/1s' } });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });
  afterAll(() => t.close());

  it('sends the entries after the named position, the same as GET /api/events, once', async () => {
    const [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => new ApiClient(t.url).signUp(n)));
    const contactId = await alice.addContact(bob);
    const first = await alice.post(`/api/contacts/${contactId}/messages`, { text: 'one' });
    await alice.post(`/api/contacts/${contactId}/messages`, { text: 'two' });
    const last = await alice.post(`/api/contacts/${contactId}/messages`, { text: 'three' });
    const feed = await eventually(async () => {
      const page = await bob.get(`/api/events?after=${first.body.position}&minPosition=${last.body.position}`);
      expect(page.body.events.at(-1)?.position).toBe(last.body.position);
      return page.body;
    });

    const { missed } = await open(bob, { feedAfter: first.body.position });
    await eventually(() => expect(missed()).toHaveLength(1));
    expect(missed()[0]).toEqual({ after: first.body.position, events: feed.events, hasMore: false });
    expect(missed()[0].events!.map((e) => e.data.text)).toEqual(['two', 'three']);

    // Up to date: told so (an empty page), without a request of its own.
    const upToDate = await open(bob, { feedAfter: last.body.position });
    await eventually(() => expect(upToDate.missed()).toEqual([{ after: last.body.position, events: [], hasMore: false }]));
  });

  it('sends only the connecting user’s own feed', async () => {
    const [alice, bob, eve] = await Promise.all(['alice', 'bob', 'eve'].map((n) => new ApiClient(t.url).signUp(n)));
    const contactId = await alice.addContact(bob);
    const sent = await alice.post(`/api/contacts/${contactId}/messages`, { text: 'for bob only' });
    await eventually(async () => expect((await bob.get(`/api/events?after=0&minPosition=${sent.body.position}`)).status).toBe(200));

    const { missed } = await open(eve, { feedAfter: 0 });
    await eventually(() => expect(missed()).toHaveLength(1));
    expect(JSON.stringify(missed()[0])).not.toContain('for bob only');
    expect(missed()[0].events!.every((e) => !String(e.type).startsWith('Message'))).toBe(true);
  });

  it('pages like GET /api/events: the first 200 and hasMore, the rest read with GET', async () => {
    const [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => new ApiClient(t.url).signUp(n)));
    const contactId = await alice.addContact(bob);
    let last = 0;
    for (let i = 0; i < 205; i++) last = (await alice.post(`/api/contacts/${contactId}/messages`, { text: `m${i}` })).body.position;
    await eventually(async () => expect((await bob.get(`/api/events?after=${last - 1}&minPosition=${last}`)).body.events).toHaveLength(1));

    const { missed } = await open(bob, { feedAfter: 0 });
    await eventually(() => expect(missed()).toHaveLength(1));
    expect(missed()[0].events).toHaveLength(200);
    expect(missed()[0].hasMore).toBe(true);
    const rest = await bob.get(`/api/events?after=${missed()[0].events!.at(-1)!.position}`);
    expect(rest.body.events.at(-1).position).toBe(last);
  });

  it('answers a position that is not one with VALIDATION_ERROR, and stays connected', async () => {
    const bob = await new ApiClient(t.url).signUp('bob');
    for (const feedAfter of [-1, 1.5, '12', null, { $gt: 0 }, Number.MAX_SAFE_INTEGER + 2]) {
      const { socket, missed } = await open(bob, { feedAfter });
      await eventually(() => expect(missed()).toHaveLength(1));
      expect(missed()[0].error).toEqual({ code: 'VALIDATION_ERROR', message: expect.stringContaining('feedAfter') });
      expect(missed()[0].events).toBeUndefined();
      expect(await socket.timeout(5_000).emitWithAck('probe', {})).toEqual({ ok: true });
    }
  });

  it('sends nothing to a handshake that does not name a position (a first connect, an older client)', async () => {
    const bob = await new ApiClient(t.url).signUp('bob');
    const { socket, seen } = await open(bob, {});
    // The probe's answer comes after anything the connect sent.
    expect(await socket.timeout(5_000).emitWithAck('probe', {})).toEqual({ ok: true });
    await new Promise((r) => setTimeout(r, 200));
    expect(seen.filter((p) => p.name === 'feed:missed')).toEqual([]);
  });
});
