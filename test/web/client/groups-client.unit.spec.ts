import { describe, expect, it } from 'vitest';
import { DerbelClient } from '../../../web/src/client/derbel-client.js';
import type { ConversationListItem } from '../../../web/src/client/group-wire.js';
import { memoryStore, type KeyValueStore } from '../../../web/src/client/key-value-store.js';
import type { FeedEvent, Message, User } from '../../../web/src/client/types.js';
import { eventually } from '../../support/eventually.js';
import { FakeRealtime } from './fake-realtime.js';
import { alice, bob, message } from './fixtures.js';

const dana: User = { id: 'u-dana', username: 'dana', displayName: 'Dana' };

const group = (): ConversationListItem => ({
  id: 'g1',
  kind: 'group',
  title: 'Trip',
  peer: null,
  members: [
    { ...alice, role: 'admin' },
    { ...bob, role: 'member' },
    { ...dana, role: 'member' },
  ],
  membersMayAdd: false,
  joinedAt: '2024-05-01T09:00:00.000Z',
  lastMessage: null,
  unreadCount: 0,
  lastActivityAt: '2024-05-01T09:00:00.000Z',
  lastReadMessageId: null,
  readMarks: [],
  peerLastReadMessageId: null,
  activeMeeting: null,
});

/** The api's HTTP side for one group `g1` that Alice is in (`member`) or not; the read model can lag (`lagging` 404s). */
function fakeServer() {
  const state = { member: true, lagging: 0, requests: [] as string[] };
  const stored: Message[] = [{ ...message('m1', bob.id, 'in the group'), contactId: 'g1' }];
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const notFound = () => json({ statusCode: 404, code: 'CONVERSATION_NOT_FOUND', message: 'No such conversation' }, 404);
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const route = `${init?.method ?? 'GET'} ${url.pathname}`;
    state.requests.push(route);
    switch (route) {
      case 'GET /api/me':
        return json({ user: alice, csrfToken: 'csrf', feedPosition: 1 });
      case 'GET /api/contacts':
        return json({ contacts: [], requests: [] });
      case 'GET /api/conversations':
        return json({ conversations: state.member ? [group()] : [] });
      case 'GET /api/conversations/g1':
        if (state.lagging-- > 0 || !state.member) return notFound();
        return json({ conversation: group() });
      case 'GET /api/conversations/g1/messages':
        return state.member ? json({ messages: stored.map(({ contactId: _, ...rest }) => rest), hasMore: false }) : notFound();
      case 'POST /api/conversations/g1/messages': {
        const body = JSON.parse(String(init?.body)) as { id: string; text: string };
        const created = { ...message(body.id, alice.id, body.text), contactId: 'g1', sentAt: new Date().toISOString() };
        stored.push(created);
        return json({ message: created, position: 5 }, 201);
      }
      case 'GET /api/meetings':
        return json({ meetings: [] });
      default:
        return json({ statusCode: 404, code: 'NOT_FOUND', message: route }, 404);
    }
  };
  return { fetch, state, stored };
}

async function signedIn(server: ReturnType<typeof fakeServer>, local: KeyValueStore = memoryStore()) {
  const realtime = new FakeRealtime();
  const client = new DerbelClient({ server: 'http://api.test', fetch: server.fetch, local, tab: memoryStore(), realtime: () => realtime });
  await client.restore();
  const push = (event: FeedEvent) => realtime.push('event', event);
  return { client, realtime, push };
}

describe('DerbelClient with groups', () => {
  it('lists groups from GET /api/conversations and sends and reads their messages through /api/conversations/:id', async () => {
    const server = fakeServer();
    const { client } = await signedIn(server);
    expect(client.group('g1')).toMatchObject({ title: 'Trip', members: [{ id: alice.id }, { id: bob.id }, { id: dana.id }] });
    await client.conversations.load('g1');
    client.send('g1', 'hello group');
    await eventually(() => server.stored.some((m) => m.text === 'hello group'));
    expect(server.state.requests).toEqual(
      expect.arrayContaining(['GET /api/conversations/g1/messages', 'POST /api/conversations/g1/messages']),
    );
    expect(
      server.state.requests.filter((route) => route.startsWith('GET /api/contacts/') || route.startsWith('POST /api/contacts/')),
    ).toEqual([]);
  });

  it('a group message left in the outbox by a reload waits for the list, then takes the group route', async () => {
    const server = fakeServer();
    const local = memoryStore();
    let online = true;
    const fetch: typeof server.fetch = (input, init) =>
      online ? server.fetch(input, init) : Promise.reject(new TypeError('Failed to fetch'));
    const first = new DerbelClient({ server: 'http://api.test', fetch, local, tab: memoryStore(), realtime: () => new FakeRealtime() });
    await first.restore();
    online = false;
    first.send('g1', 'written offline');
    await eventually(() => first.outboxEntries.value.length === 1);
    online = true;

    let releaseList = () => {};
    let listAsked = false;
    const listed = new Promise<void>((resolve) => (releaseList = resolve));
    const gated: typeof server.fetch = async (input, init) => {
      if (new URL(String(input)).pathname === '/api/contacts') {
        listAsked = true;
        await listed;
      }
      return server.fetch(input, init);
    };
    const realtime = new FakeRealtime();
    const reloaded = new DerbelClient({ server: 'http://api.test', fetch: gated, local, tab: memoryStore(), realtime: () => realtime });
    const restoring = reloaded.restore();
    await eventually(() => listAsked);
    realtime.push('connected', { reconnect: false });
    releaseList();
    await restoring;
    await eventually(() => server.stored.some((m) => m.text === 'written offline'));
    expect(server.state.requests).not.toContain('POST /api/contacts/g1/messages');
  });

  it('a group the feed announces is read from the server, asked again while the read model lags', async () => {
    const server = fakeServer();
    server.state.member = false;
    const { client, push } = await signedIn(server);
    server.state.member = true;
    server.state.lagging = 2;
    push({
      type: 'GroupCreated',
      position: 2,
      data: {
        contactId: 'g1',
        kind: 'group',
        title: 'Trip',
        members: [bob.id, alice.id, dana.id],
        admins: [bob.id],
        createdBy: bob.id,
        membersMayAdd: false,
        createdAt: '2024-05-01T09:00:00.000Z',
      },
    });
    expect(client.group('g1')).toMatchObject({ title: 'Trip', partial: true });
    await eventually(() => client.group('g1')?.partial === false);
    expect(client.group('g1')!.members.find((m) => m.id === dana.id)?.displayName).toBe('Dana');
    expect(server.state.requests.filter((route) => route === 'GET /api/conversations/g1')).toHaveLength(3);
  });

  it('a group the user was removed from stays readable after a reload, from the device, until they are added again', async () => {
    const server = fakeServer();
    const local = memoryStore();
    const first = await signedIn(server, local);
    await first.client.conversations.load('g1');
    first.push({
      type: 'GroupMemberRemoved',
      position: 2,
      data: { contactId: 'g1', userId: alice.id, removedBy: bob.id, removedAt: '2024-05-01T10:00:00.000Z' },
    });
    expect(first.client.group('g1')?.left).toEqual({ at: '2024-05-01T10:00:00.000Z', removedBy: bob.id });
    server.state.member = false;

    const reloaded = await signedIn(server, local);
    expect(reloaded.client.group('g1')).toMatchObject({ title: 'Trip', left: { removedBy: bob.id } });
    expect(reloaded.client.conversations.of('g1').value.messages.map((m) => m.text)).toEqual(['in the group']);

    server.state.member = true;
    reloaded.push({
      type: 'GroupMembersAdded',
      position: 3,
      data: { contactId: 'g1', userIds: [alice.id], addedBy: bob.id, addedAt: '2024-05-01T11:00:00.000Z' },
    });
    await eventually(() => reloaded.client.group('g1')?.left === null && reloaded.client.group('g1')?.partial === false);
    server.state.member = false;
    const again = await signedIn(server, local);
    expect(again.client.group('g1')).toBeNull();
  });

  it('membership lines survive a reload (they are not in the history the server pages)', async () => {
    const server = fakeServer();
    const local = memoryStore();
    const first = await signedIn(server, local);
    first.push({
      type: 'GroupRenamed',
      position: 2,
      data: { contactId: 'g1', title: 'Trip 2', renamedBy: bob.id, renamedAt: '2024-05-01T10:00:00.000Z' },
    });
    expect(first.client.group('g1')!.notes).toHaveLength(1);
    const reloaded = await signedIn(server, local);
    expect(reloaded.client.group('g1')!.notes).toEqual(first.client.group('g1')!.notes);
  });

  it('a left group can be taken off the list, and its history off the device', async () => {
    const server = fakeServer();
    const local = memoryStore();
    const { client, push } = await signedIn(server, local);
    push({ type: 'GroupMemberLeft', position: 2, data: { contactId: 'g1', userId: alice.id, leftAt: '2024-05-01T10:00:00.000Z' } });
    client.dismissGroup('g1');
    expect(client.group('g1')).toBeNull();
    server.state.member = false;
    expect((await signedIn(server, local)).client.group('g1')).toBeNull();
  });
});
