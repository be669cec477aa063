import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected, eventually, recordEvents, type ApiResponse } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * The read side of a group end to end (issue 18, docs/groups.md): written through the group and message
 * routes, read through the list, the history, time travel, the audit trail, catch-up and the socket push.
 * A member who left gets nothing of their absence anywhere; one added later nothing from before they joined.
 */
describe('a group read end to end', () => {
  let t: TestServer;
  let ana: ApiClient, ben: ApiClient, eve: ApiClient, dan: ApiClient;
  let id: string;
  let position = 0;
  const sockets: Socket[] = [];
  let eveHears: ReturnType<typeof recordEvents>;
  let danHears: ReturnType<typeof recordEvents>;
  const at = (path = '') => `/api/conversations/${id}${path}`;
  const written = <R extends ApiResponse>(response: R) => {
    expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
    position = Math.max(position, response.body.position ?? 0);
    return response;
  };
  const send = async (by: ApiClient, text: string) => written(await by.post(at('/messages'), { text })).body.message.id as string;
  const read = (who: ApiClient, path: string) => who.get(`${path}${path.includes('?') ? '&' : '?'}minPosition=${position}`);
  const texts = async (who: ApiClient, query = '') => {
    const page = await read(who, at(`/messages${query}`));
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    return page.body.messages.map((m: { text: string }) => m.text);
  };
  const pushedTexts = (events: ReturnType<typeof recordEvents>) =>
    events.filter((e) => e.type === 'MessageSent' && e.data.contactId === id).map((e) => e.data.text);

  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestServer();
    [ana, ben, eve, dan] = await Promise.all(['ana', 'ben', 'eve', 'dan'].map((n) => new ApiClient(t.url).signUp(n)));
    await Promise.all([ana.addContact(ben), ana.addContact(eve), ana.addContact(dan)]);
    for (const client of [eve, dan]) sockets.push(await connected(client.connect()));
    [eveHears, danHears] = sockets.map(recordEvents);

    const created = written(await ana.post('/api/conversations', { title: 'Crew', memberIds: [ben.user!.id, eve.user!.id] }));
    id = created.body.conversation.id;
    ids.before = await send(ben, 'before');
    written(await eve.post(at('/leave')));
    ids.away = await send(ana, 'while eve is away');
    written(await ana.request('PATCH', at(`/messages/${ids.away}`), { text: 'while eve was away' }));
    written(await ana.post(at('/members'), { userIds: [eve.user!.id, dan.user!.id] }));
    written(await ben.request('PATCH', at(`/messages/${ids.before}`), { text: 'before, edited' }));
    ids.after = await send(dan, 'after');
    written(await eve.post(at('/read'), { messageId: ids.after }));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t?.close();
  });

  it('the list: each member’s last message, unread count and the others’ read marks within their periods', async () => {
    const item = async (who: ApiClient) =>
      (await read(who, '/api/conversations')).body.conversations.find((c: { id: string }) => c.id === id);
    expect(await item(ben)).toMatchObject({
      kind: 'group',
      title: 'Crew',
      lastMessage: { id: ids.after, text: 'after' },
      unreadCount: 2,
      readMarks: [{ userId: eve.user!.id, messageId: ids.after }],
    });
    expect((await item(ben)).members).toHaveLength(4);
    expect(await item(eve)).toMatchObject({ lastMessage: { id: ids.after }, unreadCount: 0, lastReadMessageId: ids.after });
    expect(await item(dan)).toMatchObject({ lastMessage: { id: ids.after }, unreadCount: 0 });
    expect((await read(dan, at())).body.conversation.joinedAt).toBe((await item(eve)).joinedAt);
  });

  it('the history, live and as of now: each member inside their periods', async () => {
    const all = ['before, edited', 'while eve was away', 'after'];
    expect(await texts(ben)).toEqual(all);
    expect(await texts(eve)).toEqual(['before, edited', 'after']);
    expect(await texts(dan)).toEqual(['after']);
    const now = new Date(Date.now() + 60_000).toISOString();
    expect(await texts(eve, `?asOf=${now}`)).toEqual(['before, edited', 'after']);
    expect(await texts(dan, `?asOf=${now}`)).toEqual(['after']);
    expect(await texts(ben, `?asOf=${now}`)).toEqual(all);
  });

  it('the audit trail: only the changes of messages the member could read', async () => {
    const changed = async (who: ApiClient) => {
      const audit = await read(who, `/api/contacts/${id}/audit`);
      expect(audit.status, JSON.stringify(audit.body)).toBe(200);
      return audit.body.changes.map((c: { messageId: string }) => c.messageId);
    };
    expect(await changed(ben)).toEqual([ids.away, ids.before]);
    expect(await changed(eve)).toEqual([ids.before]);
    expect(await changed(dan)).toEqual([]);
  });

  it('pushes and catch-up: nothing of eve’s absence, nothing of before dan joined', async () => {
    await eventually(() => pushedTexts(danHears).length === 1 && pushedTexts(eveHears).length === 2, { message: 'pushes' });
    expect(pushedTexts(eveHears)).toEqual(['before', 'after']);
    expect(pushedTexts(danHears)).toEqual(['after']);
    const types = (events: Array<{ type: string }>) => events.map((e) => e.type).filter((type) => type.startsWith('Group'));
    expect(types(eveHears)).toEqual(['GroupCreated', 'GroupMemberLeft', 'GroupMembersAdded']);
    expect(types(danHears)).toEqual(['GroupMembersAdded']);
    const caughtUp = await read(eve, '/api/events?after=0');
    expect(pushedTexts(caughtUp.body.events)).toEqual(['before', 'after']);
    const edits = caughtUp.body.events
      .filter((e: { type: string }) => e.type === 'MessageEdited')
      .map((e: { data: { messageId: string } }) => e.data.messageId);
    expect(edits, 'the edit of the message of her absence is not hers to see').toEqual([ids.before]);
  });

  it('a removed member: 404 on the conversation and its history, nothing in search, no more pushes', async () => {
    written(await ana.request('DELETE', at(`/members/${eve.user!.id}`)));
    await send(ana, 'eve is out again');
    for (const [path, code] of [
      [at(), 'CONVERSATION_NOT_FOUND'],
      [at('/messages'), 'CONVERSATION_NOT_FOUND'],
      [at(`/messages?asOf=${new Date().toISOString()}`), 'CONVERSATION_NOT_FOUND'],
      // The audit trail is under /api/contacts, which answers as it always has.
      [`/api/contacts/${id}/audit`, 'CONTACT_NOT_FOUND'],
    ]) {
      const answer = await read(eve, path);
      expect([answer.status, answer.body.code], path).toEqual([404, code]);
    }
    expect((await read(eve, '/api/conversations')).body.conversations.map((c: { id: string }) => c.id)).not.toContain(id);
    expect((await read(eve, '/api/search?q=before')).body.results).toEqual([]);
    await eventually(() => pushedTexts(danHears).includes('eve is out again'), { message: 'dan hears it' });
    expect(pushedTexts(eveHears)).toEqual(['before', 'after']);
  });
});
