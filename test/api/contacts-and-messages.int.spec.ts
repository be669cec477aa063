import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('contacts and messages over the HTTP API', () => {
  let t: TestServer;
  let alice: ApiClient;
  let bob: ApiClient;
  let eve: ApiClient;
  let contactId: string;

  beforeAll(async () => {
    t = await startTestServer();
    [alice, bob, eve] = await Promise.all(['alice', 'bob', 'eve'].map((n) => new ApiClient(t.url).signUp(n)));
    contactId = await alice.addContact(bob);
  });
  afterAll(() => t.close());

  const send = (from: ApiClient, text: string, id?: string, to = contactId) =>
    from.post(`/api/contacts/${to}/messages`, id ? { id, text } : { text });

  it('adds a contact once per pair, whoever adds first', async () => {
    const again = await bob.post('/api/contacts', { username: alice.user!.username });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ALREADY_CONTACTS');
    expect((await alice.post('/api/contacts', { username: alice.user!.username })).body.code).toBe('CANNOT_ADD_SELF');
    const missing = await alice.post('/api/contacts', { username: 'no_such_user_x' });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('USER_NOT_FOUND');
  });

  it('lists contacts with peer, last message, unread count and activity, newest first', async () => {
    const carol = await new ApiClient(t.url).signUp('carol');
    const carolContact = await alice.addContact(carol);
    const sent = await send(bob, 'hi alice');
    const list = await alice.get(`/api/contacts?minPosition=${sent.body.position}`);
    expect(list.status).toBe(200);
    const ids = list.body.contacts.map((c: any) => c.id);
    expect(ids).toEqual([contactId, carolContact]);
    const withBob = list.body.contacts[0];
    expect(withBob.peer).toEqual(bob.user);
    expect(withBob.lastMessage).toMatchObject({ text: 'hi alice', senderId: bob.user!.id });
    expect(withBob.unreadCount).toBeGreaterThanOrEqual(1);
    expect(withBob.lastActivityAt).toBe(sent.body.message.sentAt);
  });

  it('sends, pages history oldest-first with keyset cursors, and reads your own writes', async () => {
    const dm = await new ApiClient(t.url).signUp('dave');
    const other = await new ApiClient(t.url).signUp('erin');
    const c = await dm.addContact(other);
    const texts = Array.from({ length: 7 }, (_, i) => `message ${i}`);
    let last: any;
    for (const text of texts) last = await send(i(text) ? dm : other, text, undefined, c);
    function i(text: string) {
      return Number(text.split(' ')[1]) % 2 === 0;
    }
    expect(last.status).toBe(201);
    const newest = await dm.get(`/api/contacts/${c}/messages?limit=3&minPosition=${last.body.position}`);
    expect(newest.body.messages.map((m: any) => m.text)).toEqual(['message 4', 'message 5', 'message 6']);
    expect(newest.body.hasMore).toBe(true);
    const older = await dm.get(`/api/contacts/${c}/messages?limit=3&before=${newest.body.messages[0].id}`);
    expect(older.body.messages.map((m: any) => m.text)).toEqual(['message 1', 'message 2', 'message 3']);
    const oldest = await dm.get(`/api/contacts/${c}/messages?limit=3&before=${older.body.messages[0].id}`);
    expect(oldest.body).toMatchObject({ hasMore: false });
    expect(oldest.body.messages.map((m: any) => m.text)).toEqual(['message 0']);
    const newer = await dm.get(`/api/contacts/${c}/messages?limit=2&after=${older.body.messages[2].id}`);
    expect(newer.body.messages.map((m: any) => m.text)).toEqual(['message 4', 'message 5']);
    expect(newer.body.hasMore).toBe(true);
    // The page's contact is in its URL: its messages do not repeat it (issue 21).
    expect(newest.body.messages[0]).toEqual({
      id: expect.any(String),
      senderId: dm.user!.id,
      text: 'message 4',
      sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      editedAt: null,
      deleted: false,
      attachments: [],
      replyTo: null,
      reactions: [],
    });
  });

  it('stores a retried send with the same client id once and answers with the original', async () => {
    const id = randomUUID();
    const first = await send(alice, 'only once', id);
    const retry = await send(alice, 'only once', id);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(200);
    expect(retry.body.message).toEqual(first.body.message);
    const history = await alice.get(`/api/contacts/${contactId}/messages?limit=100&minPosition=${first.body.position}`);
    expect(history.body.messages.filter((m: any) => m.id === id)).toHaveLength(1);
    const hijack = await send(bob, 'same id, other sender', id);
    expect(hijack.status).toBe(409);
    expect(hijack.body.code).toBe('MESSAGE_ID_CONFLICT');
  });

  it('keeps one sender’s messages in the order their POSTs were answered, under concurrency', async () => {
    const results = [];
    for (let i = 0; i < 20; i++) results.push(await send(alice, `seq ${i}`));
    // Bob sends concurrently into the same conversation while Alice's sequence is going on.
    await Promise.all(Array.from({ length: 10 }, (_, i) => send(bob, `bob ${i}`)));
    const lastPosition = Math.max(...results.map((r) => r.body.position));
    const history = await alice.get(`/api/contacts/${contactId}/messages?limit=100&minPosition=${lastPosition}`);
    const mine = history.body.messages.filter((m: any) => m.text.startsWith('seq ')).map((m: any) => m.text);
    expect(mine).toEqual(Array.from({ length: 20 }, (_, i) => `seq ${i}`));
  });

  it('edits and deletes only the sender’s own messages; a deleted message stays as a tombstone', async () => {
    const sent = await send(alice, 'typo heer');
    const messageId = sent.body.message.id;
    expect((await bob.request('PATCH', `/api/contacts/${contactId}/messages/${messageId}`, { text: 'hacked' })).body.code).toBe(
      'NOT_MESSAGE_SENDER',
    );
    const edited = await alice.request('PATCH', `/api/contacts/${contactId}/messages/${messageId}`, { text: 'typo here' });
    expect(edited.status).toBe(200);
    const afterEdit = await alice.get(`/api/contacts/${contactId}/messages?limit=100&minPosition=${edited.body.position}`);
    const editedMessage = afterEdit.body.messages.find((m: any) => m.id === messageId);
    expect(editedMessage.text).toBe('typo here');
    expect(editedMessage.editedAt).toEqual(expect.any(String));

    expect((await bob.request('DELETE', `/api/contacts/${contactId}/messages/${messageId}`)).status).toBe(403);
    const deleted = await alice.request('DELETE', `/api/contacts/${contactId}/messages/${messageId}`);
    expect(deleted.status).toBe(200);
    const afterDelete = await bob.get(`/api/contacts/${contactId}/messages?limit=100&minPosition=${deleted.body.position}`);
    const tombstone = afterDelete.body.messages.find((m: any) => m.id === messageId);
    expect(tombstone).toMatchObject({ id: messageId, deleted: true, text: null });
    expect((await alice.request('PATCH', `/api/contacts/${contactId}/messages/${messageId}`, { text: 'back' })).body.code).toBe(
      'MESSAGE_DELETED',
    );
    const unknown = await alice.request('PATCH', `/api/contacts/${contactId}/messages/${randomUUID()}`, { text: 'x' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('MESSAGE_NOT_FOUND');
  });

  it('tracks unread counts and read receipts', async () => {
    const frank = await new ApiClient(t.url).signUp('frank');
    const gina = await new ApiClient(t.url).signUp('gina');
    const c = await frank.addContact(gina);
    const m1 = await send(frank, 'one', undefined, c);
    const m2 = await send(frank, 'two', undefined, c);
    let ginaView = (await gina.get(`/api/contacts?minPosition=${m2.body.position}`)).body.contacts[0];
    expect(ginaView.unreadCount).toBe(2);
    const read = await gina.post(`/api/contacts/${c}/read`, { messageId: m1.body.message.id });
    ginaView = (await gina.get(`/api/contacts?minPosition=${read.body.position}`)).body.contacts[0];
    expect(ginaView.unreadCount).toBe(1);
    const readAll = await gina.post(`/api/contacts/${c}/read`, { messageId: m2.body.message.id });
    ginaView = (await gina.get(`/api/contacts?minPosition=${readAll.body.position}`)).body.contacts[0];
    expect(ginaView.unreadCount).toBe(0);
    const frankView = (await frank.get(`/api/contacts?minPosition=${readAll.body.position}`)).body.contacts[0];
    expect(frankView.peerLastReadMessageId).toBe(m2.body.message.id);
    expect(frankView.unreadCount).toBe(0);
  });

  it('hides everything about a contact from a non-member behind 404', async () => {
    const sent = await send(alice, 'private');
    const messageId = sent.body.message.id;
    for (const res of [
      await eve.get(`/api/contacts/${contactId}/messages`),
      await send(eve, 'let me in'),
      await eve.request('PATCH', `/api/contacts/${contactId}/messages/${messageId}`, { text: 'x' }),
      await eve.request('DELETE', `/api/contacts/${contactId}/messages/${messageId}`),
      await eve.post(`/api/contacts/${contactId}/read`, { messageId }),
      await eve.get(`/api/contacts/${randomUUID()}/messages`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('CONTACT_NOT_FOUND');
    }
    const feed = await eve.get(`/api/events?after=0&minPosition=${sent.body.position}`);
    expect(feed.body.events).toEqual([]);
    expect((await eve.get('/api/contacts')).body.contacts).toEqual([]);
  });

  it('answers bad input with 4xx and a code, never 5xx, and changes nothing', async () => {
    const before = await alice.get(`/api/contacts/${contactId}/messages?limit=100`);
    const cases = [
      await alice.post(`/api/contacts/${contactId}/messages`, { text: '' }),
      await alice.post(`/api/contacts/${contactId}/messages`, { text: 'x'.repeat(4001) }),
      await alice.post(`/api/contacts/${contactId}/messages`, { text: '   ' }),
      await alice.post(`/api/contacts/${contactId}/messages`, { text: 42 }),
      await alice.post(`/api/contacts/${contactId}/messages`, { id: 'not-a-uuid', text: 'x' }),
      await alice.post(`/api/contacts/not-a-uuid/messages`, { text: 'x' }),
      await alice.request('POST', `/api/contacts/${contactId}/messages`, undefined, { 'content-type': 'application/json' }),
      await alice.get(`/api/contacts/${contactId}/messages?limit=0`),
      await alice.get(`/api/contacts/${contactId}/messages?limit=abc`),
      await alice.get(`/api/contacts/${contactId}/messages?before=${randomUUID()}`),
      await alice.get(`/api/events?after=-1`),
      await alice.get(`/api/events`),
      await alice.post(`/api/contacts/${contactId}/read`, { messageId: randomUUID() }),
    ];
    for (const res of cases) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body).toMatchObject({ statusCode: res.status, code: expect.any(String), message: expect.any(String) });
    }
    const raw = await fetch(`${t.url}/api/contacts/${contactId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${alice.token}` },
      body: '{"text": "unterminated',
    });
    expect(raw.status).toBe(400);
    const after = await alice.get(`/api/contacts/${contactId}/messages?limit=100`);
    expect(after.body).toEqual(before.body);
  });

  it('serves the caller’s feed for catch-up after a position', async () => {
    const first = await send(bob, 'feed one');
    const second = await send(alice, 'feed two');
    const feed = await bob.get(`/api/events?after=${first.body.position - 1}&minPosition=${second.body.position}`);
    const types = feed.body.events.map((e: any) => [e.type, e.data.text]);
    expect(types).toEqual([
      ['MessageSent', 'feed one'],
      ['MessageSent', 'feed two'],
    ]);
    expect(feed.body.events[1]).toEqual({
      type: 'MessageSent',
      position: second.body.position,
      data: expect.objectContaining({
        contactId,
        messageId: second.body.message.id,
        senderId: alice.user!.id,
        sentAt: second.body.message.sentAt,
      }),
    });
    const paged = await bob.get(`/api/events?after=0&limit=1`);
    expect(paged.body.events).toHaveLength(1);
    expect(paged.body.hasMore).toBe(true);
  });

  it('searches the directory by username prefix or display name, at most 20, never yourself', async () => {
    const found = await alice.get(`/api/users?query=${bob.user!.username.slice(0, 6)}&minPosition=1`);
    expect(found.status).toBe(200);
    expect(found.body.users.length).toBeLessThanOrEqual(20);
    expect(found.body.users.some((u: any) => u.id === bob.user!.id)).toBe(true);
    expect(found.body.users.some((u: any) => u.id === alice.user!.id)).toBe(false);
    expect((await alice.get(`/api/users?query=${'%'}`)).body.users).toEqual([]);
  });
});
