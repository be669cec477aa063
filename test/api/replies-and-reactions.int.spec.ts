import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected, eventually, recordEvents } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const THUMBS = encodeURIComponent('👍');
const HEART = encodeURIComponent('❤️');

/** Issue 20: replies and reactions over REST, on a direct conversation and a group, with real PostgreSQL. */
describe('replies and reactions', () => {
  let t: TestServer;
  let ana: ApiClient, ben: ApiClient, cyd: ApiClient, zed: ApiClient;
  let direct: string;
  let benSocket: Socket;
  let benHeard: ReturnType<typeof recordEvents>;

  const history = async (who: ApiClient, conversation: string, position: number) => {
    const page = await who.get(`/api/contacts/${conversation}/messages?minPosition=${position}`);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    return page.body.messages as Array<Record<string, any>>;
  };
  const send = async (who: ApiClient, conversation: string, text: string, replyTo?: string) => {
    const sent = await who.post(`/api/contacts/${conversation}/messages`, { text, ...(replyTo ? { replyTo } : {}) });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    return sent.body as { message: Record<string, any>; position: number };
  };
  const reaction = (who: ApiClient, method: 'PUT' | 'DELETE', conversation: string, messageId: string, emoji = THUMBS) =>
    who.request(method, `/api/contacts/${conversation}/messages/${messageId}/reactions/${emoji}`);

  beforeAll(async () => {
    t = await startTestServer();
    [ana, ben, cyd, zed] = await Promise.all(['ana', 'ben', 'cyd', 'zed'].map((n) => new ApiClient(t.url).signUp(n)));
    direct = await ana.addContact(ben);
    await ana.addContact(cyd);
    benSocket = await connected(ben.connect());
    benHeard = recordEvents(benSocket);
  });
  afterAll(async () => {
    benSocket?.disconnect();
    await t?.close();
  });

  it('a reply carries the quote of its original, which follows an edit and a deletion', async () => {
    const original = await send(ana, direct, 'first line of the original\nsecond line');
    const answer = await send(ben, direct, 'I agree', original.message.id);
    expect(answer.message.replyTo).toEqual({
      id: original.message.id,
      senderId: ana.user!.id,
      text: 'first line of the original',
      deleted: false,
    });
    let shown = (await history(ana, direct, answer.position)).find((m) => m.id === answer.message.id)!;
    expect(shown.replyTo).toEqual(answer.message.replyTo);
    expect(shown.reactions).toEqual([]);
    await eventually(() =>
      expect(benHeard.find((e) => e.type === 'MessageSent' && e.data.messageId === answer.message.id)?.data.replyToId).toBe(
        original.message.id,
      ),
    );

    const deleted = await ana.request('DELETE', `/api/contacts/${direct}/messages/${original.message.id}`);
    shown = (await history(ben, direct, deleted.body.position)).find((m) => m.id === answer.message.id)!;
    expect(shown.replyTo).toEqual({ id: original.message.id, senderId: ana.user!.id, text: null, deleted: true });
    // A deleted message may still be answered: the quote says it was deleted.
    const again = await send(ana, direct, 'sorry, deleted it', original.message.id);
    expect(again.message.replyTo).toMatchObject({ deleted: true, text: null });
  });

  it('the quote is the first line, at most 140 characters', async () => {
    const long = await send(ana, direct, `${'é'.repeat(200)}\nnext`);
    const answer = await send(ben, direct, 'long indeed', long.message.id);
    expect(answer.message.replyTo.text).toBe('é'.repeat(140));
  });

  it('refuses with one code a target that does not exist and one of another conversation', async () => {
    const elsewhere = await send(ana, await ana.addContact(zed), 'not for ben');
    const unknown = await ben.post(`/api/contacts/${direct}/messages`, { text: 'hm', replyTo: randomUUID() });
    const foreign = await ben.post(`/api/contacts/${direct}/messages`, { text: 'hm', replyTo: elsewhere.message.id });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('REPLY_TARGET_NOT_FOUND');
    expect({ status: foreign.status, code: foreign.body.code }).toEqual({ status: unknown.status, code: unknown.body.code });
    expect((await ben.post(`/api/contacts/${direct}/messages`, { text: 'hm', replyTo: 'nope' })).status).toBe(400);
  });

  it('reactions are idempotent, counted per emoji with who reacted, pushed, and leave unread counts alone', async () => {
    const message = await send(ana, direct, 'react to me');
    const unreadBefore = await unreadOf(ben, direct, message.position);

    const first = await reaction(ben, 'PUT', direct, message.message.id);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(typeof first.body.position).toBe('number');
    const repeat = await reaction(ben, 'PUT', direct, message.message.id);
    expect(repeat.status).toBe(200);
    await reaction(ana, 'PUT', direct, message.message.id);
    const heart = await reaction(ana, 'PUT', direct, message.message.id, HEART);
    let shown = (await history(ana, direct, heart.body.position)).find((m) => m.id === message.message.id)!;
    expect(shown.reactions).toEqual([
      { emoji: '👍', count: 2, userIds: [ben.user!.id, ana.user!.id] },
      { emoji: '❤️', count: 1, userIds: [ana.user!.id] },
    ]);
    expect(await unreadOf(ben, direct, heart.body.position)).toBe(unreadBefore);
    await eventually(() =>
      expect(
        benHeard.find((e) => e.type === 'ReactionAdded' && e.data.messageId === message.message.id && e.data.emoji === '❤️')?.data,
      ).toMatchObject({
        contactId: direct,
        userId: ana.user!.id,
      }),
    );

    const removed = await reaction(ben, 'DELETE', direct, message.message.id);
    expect(removed.status).toBe(200);
    const removedAgain = await reaction(ben, 'DELETE', direct, message.message.id);
    expect(removedAgain.status).toBe(200);
    shown = (await history(ben, direct, removed.body.position)).find((m) => m.id === message.message.id)!;
    expect(shown.reactions).toEqual([
      { emoji: '👍', count: 1, userIds: [ana.user!.id] },
      { emoji: '❤️', count: 1, userIds: [ana.user!.id] },
    ]);
    await eventually(() =>
      expect(benHeard.some((e) => e.type === 'ReactionRemoved' && e.data.messageId === message.message.id)).toBe(true),
    );
  });

  it('refuses what is not one emoji, and a deleted message', async () => {
    const message = await send(ana, direct, 'soon gone');
    for (const emoji of ['a', encodeURIComponent('👍👍'), 'x'.repeat(40), encodeURIComponent(' ')]) {
      const refused = await reaction(ben, 'PUT', direct, message.message.id, emoji);
      expect(refused.status, emoji).toBe(400);
    }
    await ana.request('DELETE', `/api/contacts/${direct}/messages/${message.message.id}`);
    const late = await reaction(ben, 'PUT', direct, message.message.id);
    expect({ status: late.status, code: late.body.code }).toEqual({ status: 409, code: 'MESSAGE_DELETED' });
  });

  it('a stranger is answered as for a conversation that does not exist', async () => {
    const message = await send(ana, direct, 'private');
    for (const method of ['PUT', 'DELETE'] as const) {
      const real = await reaction(zed, method, direct, message.message.id);
      const none = await reaction(zed, method, randomUUID(), randomUUID());
      expect({ status: real.status, body: real.body }).toEqual({ status: none.status, body: none.body });
      expect(real.status).toBe(404);
    }
    const reply = await zed.post(`/api/contacts/${direct}/messages`, { text: 'me too', replyTo: message.message.id });
    const none = await zed.post(`/api/contacts/${randomUUID()}/messages`, { text: 'me too', replyTo: message.message.id });
    expect({ status: reply.status, body: reply.body }).toEqual({ status: none.status, body: none.body });
  });

  it('in a group, a member who joined later can neither answer nor react to what came before', async () => {
    const created = await ana.post('/api/conversations', { title: 'Crew', memberIds: [ben.user!.id, cyd.user!.id] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const group = created.body.conversation.id as string;
    await ana.addContact(zed).catch(() => undefined);
    const early = (await ana.post(`/api/conversations/${group}/messages`, { text: 'before zed' })).body.message.id;
    const added = await ana.post(`/api/conversations/${group}/members`, { userIds: [zed.user!.id] });
    expect(added.status, JSON.stringify(added.body)).toBeLessThan(300);
    const late = (await ana.post(`/api/conversations/${group}/messages`, { text: 'after zed' })).body.message.id;

    const refused = await zed.post(`/api/conversations/${group}/messages`, { text: 're', replyTo: early });
    const unknown = await zed.post(`/api/conversations/${group}/messages`, { text: 're', replyTo: randomUUID() });
    expect({ status: refused.status, body: refused.body }).toEqual({ status: unknown.status, body: unknown.body });
    const noReaction = await zed.request('PUT', `/api/conversations/${group}/messages/${early}/reactions/${THUMBS}`);
    expect(noReaction.body.code).toBe('MESSAGE_NOT_FOUND');

    expect((await zed.post(`/api/conversations/${group}/messages`, { text: 're', replyTo: late })).status).toBe(201);
    expect((await zed.request('PUT', `/api/conversations/${group}/messages/${late}/reactions/${THUMBS}`)).status).toBe(200);
  });
});

async function unreadOf(who: ApiClient, conversation: string, position: number): Promise<number> {
  const list = await who.get(`/api/contacts?minPosition=${position}`);
  return list.body.contacts.find((c: { id: string }) => c.id === conversation).unreadCount;
}
