import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streams } from '../../domain/events.js';
import { ApiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * `GET /api/conversations`, `GET /api/conversations/:id` and `GET /api/conversations/:id/messages` (issue 18,
 * docs/groups.md): each member sees a group within their membership periods; a former member and a stranger
 * get 404 CONVERSATION_NOT_FOUND. The group's events are appended to the log as its decider writes them.
 */
describe('conversation reads', () => {
  let t: TestServer;
  let position = 0;
  let ana: ApiClient, ben: ApiClient, eve: ApiClient, dan: ApiClient, stranger: ApiClient;
  const groupId = randomUUID();
  const ids = { before: randomUUID(), away: randomUUID(), after: randomUUID() };

  /** Appends events of the group's stream as `by` would (one append each, in order). */
  async function append(by: ApiClient, type: string, data: Record<string, unknown>) {
    const appended = await t.server.ctx.store.appendToStream(streams.contact(groupId), [
      {
        id: randomUUID(),
        type,
        data: { contactId: groupId, ...data },
        metadata: {
          userId: by.user!.id,
          correlationId: randomUUID(),
          causationId: null,
          timestamp: new Date().toISOString(),
          schemaVersion: 1,
        } as never,
      },
    ]);
    position = appended.position;
  }
  const send = (by: ApiClient, messageId: string, text: string) => append(by, 'MessageSent', { messageId, senderId: by.user!.id, text });
  const get = (who: ApiClient, path: string) => who.get(`${path}${path.includes('?') ? '&' : '?'}minPosition=${position}`);
  const texts = async (who: ApiClient, query = '') => {
    const page = await get(who, `/api/conversations/${groupId}/messages${query}`);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    return page.body.messages.map((m: { text: string }) => m.text);
  };

  beforeAll(async () => {
    t = await startTestServer();
    [ana, ben, eve, dan, stranger] = await Promise.all(['ana', 'ben', 'eve', 'dan', 'zed'].map((n) => new ApiClient(t.url).signUp(n)));
    const [a, b, e] = [ana, ben, eve].map((c) => c.user!.id);
    await append(ana, 'GroupCreated', {
      kind: 'group',
      title: 'Crew',
      members: [a, b, e],
      admins: [a],
      createdBy: a,
      membersMayAdd: false,
    });
    await send(ben, ids.before, 'before');
    await append(eve, 'GroupMemberLeft', { userId: e });
    await send(ana, ids.away, 'while eve is away');
    await append(ana, 'GroupMembersAdded', { userIds: [e, dan.user!.id], addedBy: a });
    await send(dan, ids.after, 'after');
  });
  afterAll(() => t.close());

  it('lists the group with its members, title and last message, newest activity first among direct contacts', async () => {
    const directId = await ana.addContact(stranger);
    position = await t.server.ctx.store.headPosition();
    const list = await get(ana, '/api/conversations');
    expect(list.status).toBe(200);
    expect(list.body.conversations.map((c: { id: string }) => c.id)).toEqual([directId, groupId]);
    const [direct, group] = list.body.conversations;
    expect(direct).toMatchObject({ kind: 'direct', title: null, peer: { id: stranger.user!.id }, membersMayAdd: false });
    expect(group).toMatchObject({
      kind: 'group',
      title: 'Crew',
      peer: null,
      membersMayAdd: false,
      lastMessage: { id: ids.after, text: 'after', senderId: dan.user!.id },
      unreadCount: 2, // ben's and dan's: ana's own is never unread
      peerLastReadMessageId: null,
    });
    expect(group.members.map((m: { id: string; role: string }) => [m.id, m.role]).sort()).toEqual(
      [
        [ana.user!.id, 'admin'],
        [ben.user!.id, 'member'],
        [eve.user!.id, 'member'],
        [dan.user!.id, 'member'],
      ].sort(),
    );
    const one = await get(ana, `/api/conversations/${groupId}`);
    expect(one.body).toEqual({ conversation: group });
    const contacts = await get(ana, '/api/contacts');
    expect(
      contacts.body.contacts.map((c: { id: string }) => c.id),
      'GET /api/contacts: direct contacts only',
    ).toEqual([directId]);
  });

  it('each member reads the history inside their periods, with the same paging as a direct history', async () => {
    expect(await texts(ben)).toEqual(['before', 'while eve is away', 'after']);
    expect(await texts(eve), 'nothing of what was said while eve was away').toEqual(['before', 'after']);
    expect(await texts(dan), 'nothing from before dan joined').toEqual(['after']);
    expect(await texts(eve, `?before=${ids.after}&limit=1`)).toEqual(['before']);
    const page = await get(eve, `/api/conversations/${groupId}/messages?limit=1`);
    expect(page.body).toMatchObject({ hasMore: true, messages: [{ id: ids.after }] });
    const outside = await get(eve, `/api/conversations/${groupId}/messages?after=${ids.away}`);
    expect(outside.status, 'a cursor outside the periods is unknown').toBe(400);
    expect(outside.body.code).toBe('UNKNOWN_CURSOR');
    expect((await get(eve, '/api/conversations')).body.conversations[0]).toMatchObject({ lastMessage: { id: ids.after }, unreadCount: 2 });
    expect((await get(dan, '/api/conversations')).body.conversations[0]).toMatchObject({ lastMessage: { id: ids.after }, unreadCount: 0 });
  });

  it('search finds a group’s messages only inside the caller’s periods', async () => {
    const found = async (who: ApiClient) =>
      (await get(who, `/api/search?q=away`)).body.results.map((r: { message: { id: string } }) => r.message.id);
    expect(await found(ben)).toEqual([ids.away]);
    expect(await found(eve)).toEqual([]);
    expect(await found(dan)).toEqual([]);
  });

  it('catch-up gives a member who left nothing of the time they were out', async () => {
    const events = await get(eve, '/api/events?after=0');
    const sent = events.body.events
      .filter((e: { type: string }) => e.type === 'MessageSent')
      .map((e: { data: { text: string } }) => e.data.text);
    expect(sent).toEqual(['before', 'after']);
  });

  it('a stranger, a removed member and anyone asking for an unknown id get 404 CONVERSATION_NOT_FOUND', async () => {
    await append(ana, 'GroupMemberRemoved', { userId: ben.user!.id, removedBy: ana.user!.id });
    await send(ana, randomUUID(), 'ben is gone');
    for (const [who, id] of [
      [stranger, groupId],
      [ben, groupId],
      [ana, randomUUID()],
    ] as const) {
      for (const path of [`/api/conversations/${id}`, `/api/conversations/${id}/messages`]) {
        const answer = await get(who, path);
        expect([answer.status, answer.body.code], `${who.user!.username} ${path}`).toEqual([404, 'CONVERSATION_NOT_FOUND']);
      }
    }
    expect((await get(ben, '/api/conversations')).body.conversations).toEqual([]);
    expect((await get(ben, '/api/search?q=gone')).body.results).toEqual([]);
    expect(await texts(ana)).toEqual(['before', 'while eve is away', 'after', 'ben is gone']);
  });

  it('a direct conversation reads the same through both routes', async () => {
    const directId = await dan.addContact(stranger);
    const sent = await dan.post(`/api/contacts/${directId}/messages`, { text: 'hello' });
    position = sent.body.position;
    const viaContacts = await get(dan, `/api/contacts/${directId}/messages`);
    const viaConversations = await get(stranger, `/api/conversations/${directId}/messages`);
    expect(viaConversations.status).toBe(200);
    expect(viaConversations.body).toEqual(viaContacts.body);
    expect(viaConversations.body.messages.map((m: { text: string }) => m.text)).toEqual(['hello']);
    expect((await get(eve, `/api/conversations/${directId}/messages`)).status).toBe(404);
  });
});
