import { describe, expect, it } from 'vitest';
import { DerbelClient } from '../../../web/src/client/derbel-client.js';
import { memoryStore } from '../../../web/src/client/key-value-store.js';
import type { FeedEvent, Message } from '../../../web/src/client/types.js';
import { FakeRealtime } from './fake-realtime.js';
import { alice, contact, message, messageSent } from './fixtures.js';

/** A fake of the api's HTTP side: just enough routes, with a switch to go "offline". */
function fakeServer() {
  const feed: FeedEvent[] = [];
  const stored: Message[] = [message('m1', 'u-bob', 'hi')];
  const posts: string[] = [];
  const state = {
    online: true,
    authorized: true,
    feedPosition: 1 as number | undefined,
    /** While set, `GET /api/contacts` answers only once it resolves (a slow first load). */
    contactsAnswer: null as Promise<void> | null,
    removed: false,
    listReads: [] as Array<string | null>,
  };
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    if (!state.online) throw new TypeError('Failed to fetch');
    const url = new URL(String(input));
    const route = `${init?.method ?? 'GET'} ${url.pathname}`;
    if (!state.authorized) return json({ statusCode: 401, code: 'UNAUTHORIZED', message: 'Sign in' }, 401);
    switch (route) {
      case 'GET /api/me':
        return json({ user: alice, csrfToken: 'csrf-1', feedPosition: state.feedPosition });
      case 'GET /api/contacts':
        state.listReads.push(url.searchParams.get('minPosition'));
        await state.contactsAnswer;
        return json({ contacts: state.removed ? [] : [contact({ lastMessage: stored[0], unreadCount: 1 })], requests: [] });
      case 'DELETE /api/contacts/c1':
        state.removed = true;
        return json({ position: 2 });
      case 'GET /api/meetings':
        return json({ meetings: [] });
      case 'GET /api/contacts/c1/messages':
        return json({ messages: stored, hasMore: false });
      case 'GET /api/events': {
        const after = Number(url.searchParams.get('after'));
        return json({ events: feed.filter((event) => event.position > after), hasMore: false });
      }
      case 'POST /api/contacts/c1/messages': {
        const body = JSON.parse(String(init?.body)) as { id: string; text: string };
        posts.push(body.id);
        const existing = stored.find((m) => m.id === body.id);
        if (existing) return json({ message: existing, position: 0 }, 200);
        const created = { ...message(body.id, alice.id, body.text), sentAt: new Date().toISOString() };
        stored.push(created);
        return json({ message: created, position: feed.length + 2 }, 201);
      }
      default:
        return json({ statusCode: 404, code: 'NOT_FOUND', message: route }, 404);
    }
  };
  return { fetch, feed, stored, posts, state };
}

async function signedIn(server = fakeServer(), local = memoryStore()) {
  const realtime = new FakeRealtime();
  const client = new DerbelClient({ server: 'http://api.test', fetch: server.fetch, local, tab: memoryStore(), realtime: () => realtime });
  await client.restore();
  return { client, realtime, server };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('DerbelClient', () => {
  it('restores the session, loads the contacts and keeps the CSRF token for writes', async () => {
    const { client } = await signedIn();
    expect(client.session.value).toEqual({ status: 'signed-in', user: alice });
    expect(client.contacts.value.contacts.map((c) => c.id)).toEqual(['c1']);
    expect(client.api.csrfToken).toBe('csrf-1');
  });

  it('catches up after a reconnect from the last position, and a repeated push changes nothing', async () => {
    const { client, realtime, server } = await signedIn();
    await client.conversations.load('c1');
    realtime.push('event', messageSent(2, 'm2', 'u-bob'));
    // Offline for a while: these reach the feed but not the socket.
    server.feed.push(messageSent(2, 'm2', 'u-bob'), messageSent(3, 'm3', 'u-bob'), messageSent(4, 'm4', 'u-bob'));
    realtime.push('connected', { reconnect: true });
    realtime.push('event', messageSent(4, 'm4', 'u-bob'));
    await settle();
    realtime.push('event', messageSent(3, 'm3', 'u-bob'));

    expect(client.conversations.of('c1').value.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(client.contacts.value.contacts[0]).toMatchObject({ unreadCount: 4, lastMessage: { id: 'm4' } });
  });

  it('catches up what was pushed before the socket first joined: between the first load and the first connection', async () => {
    const { client, realtime, server } = await signedIn();
    await client.conversations.load('c1');
    // Written after the list was read, before the socket was in its rooms: pushed to nobody.
    server.feed.push(messageSent(2, 'm2', 'u-bob'));
    realtime.push('connected', { reconnect: false });
    await settle();
    expect(client.conversations.of('c1').value.messages.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(client.contacts.value.contacts[0]).toMatchObject({ lastMessage: { id: 'm2' } });
  });

  it('a first connection while the first load is still under way catches up once the load is in', async () => {
    const server = fakeServer();
    let answer!: () => void;
    server.state.contactsAnswer = new Promise((resolve) => (answer = resolve));
    const realtime = new FakeRealtime();
    const client = new DerbelClient({
      server: 'http://api.test',
      fetch: server.fetch,
      local: memoryStore(),
      tab: memoryStore(),
      realtime: () => realtime,
    });
    const restored = client.restore();
    await settle();
    realtime.push('connected', { reconnect: false });
    server.feed.push(messageSent(2, 'm2', 'u-bob'));
    await settle();
    expect(client.contactsLoaded.value).toBe(false);
    answer();
    await restored;
    await settle();
    expect(client.contacts.value.contacts[0]).toMatchObject({ lastMessage: { id: 'm2' } });
  });

  it('catches up when the server says pushes were lost (FeedResync), without a reconnect', async () => {
    const { client, realtime, server } = await signedIn();
    await client.conversations.load('c1');
    server.feed.push(messageSent(2, 'm2', 'u-bob'), messageSent(3, 'm3', 'u-bob'));
    realtime.push('event', { type: 'FeedResync', data: { reason: 'leader-changed' } });
    realtime.push('event', messageSent(4, 'm4', 'u-bob'));
    await settle();
    expect(client.conversations.of('c1').value.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it('delivers a message written while offline exactly once after reconnecting', async () => {
    const { client, realtime, server } = await signedIn();
    await client.conversations.load('c1');
    server.state.online = false;
    const entry = client.send('c1', 'sent while offline');
    await settle();
    expect(client.outboxEntries.value).toEqual([expect.objectContaining({ id: entry.id, status: 'pending' })]);

    server.state.online = true;
    realtime.push('connected', { reconnect: true });
    await settle();
    // The server's own push of that message arrives too.
    realtime.push('event', messageSent(2, entry.id, alice.id));
    await settle();

    expect(server.stored.filter((m) => m.text === 'sent while offline')).toHaveLength(1);
    expect(client.outboxEntries.value).toEqual([]);
    expect(client.conversations.of('c1').value.messages.map((m) => m.id)).toEqual(['m1', entry.id]);
  });

  it('sends after a reload what an earlier page left in the outbox', async () => {
    const server = fakeServer();
    const local = memoryStore();
    const first = await signedIn(server, local);
    server.state.online = false;
    const entry = first.client.send('c1', 'left behind');
    await settle();

    server.state.online = true;
    await signedIn(server, local);
    await settle();
    expect(server.posts.filter((id) => id === entry.id).length).toBeGreaterThanOrEqual(1);
    expect(server.stored.filter((m) => m.id === entry.id)).toHaveLength(1);
  });

  it('reloads the snapshot instead of the feed when no feed position is known', async () => {
    const server = fakeServer();
    server.state.feedPosition = undefined;
    const { client, realtime } = await signedIn(server);
    await client.conversations.load('c1');
    server.stored.push(message('m7', 'u-bob', 'while away'));
    realtime.push('connected', { reconnect: true });
    await settle();
    expect(client.conversations.of('c1').value.messages.map((m) => m.id)).toEqual(['m1', 'm7']);
  });

  it('shows the peer typing for a few seconds, and no longer once their message arrives', async () => {
    const { client, realtime } = await signedIn();
    realtime.push('event', { type: 'Typing', data: { contactId: 'c1', userId: 'u-bob' } });
    expect(Object.keys(client.typing.value)).toEqual(['c1']);
    realtime.push('event', messageSent(2, 'm2', 'u-bob'));
    expect(client.typing.value).toEqual({});
  });

  it('takes a batch of presence changes as each of them (a reconnect storm is announced in batches)', async () => {
    const { client, realtime } = await signedIn();
    realtime.push('event', { type: 'PresenceChanged', data: { userId: 'u-bob', online: true } });
    expect(client.contacts.value.presence).toEqual({ 'u-bob': true });
    realtime.push('event', {
      type: 'PresenceChanges',
      data: {
        changes: [
          { userId: 'u-bob', online: false },
          { userId: 'u-carol', online: true },
        ],
      },
    });
    expect(client.contacts.value.presence).toEqual({ 'u-bob': false, 'u-carol': true });
  });

  it('signs out, saying why, when the server ends the session', async () => {
    const { client, realtime, server } = await signedIn();
    server.state.authorized = false;
    realtime.push('unauthorized', { reason: 'SESSION_EXPIRED' });
    await settle();
    expect(client.session.value).toEqual({ status: 'signed-out', reason: 'expired' });
    expect(realtime.state.value).toBe('closed');
    expect(client.contacts.value.contacts).toEqual([]);
  });

  it('a contact the peer removed leaves the list at once, closes with its unsent messages, and the list is read again', async () => {
    const { client, realtime, server } = await signedIn();
    await client.conversations.load('c1');
    const ended: Array<{ contactId: string; byMe: boolean }> = [];
    client.events.on('contact-ended', ({ contact: gone, byMe }) => ended.push({ contactId: gone.id, byMe }));
    server.state.online = false;
    client.send('c1', 'never delivered');
    await settle();
    server.state.online = true;
    server.state.removed = true;

    realtime.push('event', { type: 'ContactRemoved', position: 2, data: { contactId: 'c1', removedAt: '2024-05-01T11:00:00.000Z' } });
    expect(client.contacts.value.contacts).toEqual([]);
    expect(ended).toEqual([{ contactId: 'c1', byMe: false }]);
    expect(client.outboxEntries.value).toEqual([]);
    expect(client.conversations.of('c1').value.loaded).toBe(false);
    await settle();
    expect(server.state.listReads.at(-1)).toBe('2');
  });

  it('removing a contact oneself says so to whoever closes its conversation', async () => {
    const { client, realtime } = await signedIn();
    const ended: boolean[] = [];
    client.events.on('contact-ended', ({ byMe }) => ended.push(byMe));
    await client.removeContact('c1');
    // The server's push of the same removal changes nothing more.
    realtime.push('event', { type: 'ContactRemoved', position: 2, data: { contactId: 'c1', removedAt: '2024-05-01T11:00:00.000Z' } });
    expect(ended).toEqual([true]);
    expect(client.contacts.value.contacts).toEqual([]);
  });
});
