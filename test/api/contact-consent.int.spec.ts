import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected, eventually, recordEvents } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Issue 17 over HTTP and the socket: a stranger reaches nobody's inbox without consent; decline, remove and
 * block are silent to the other side (docs/contacts-consent.md).
 */
describe('contacts with consent', () => {
  let t: TestServer;
  const users = (...names: string[]) => Promise.all(names.map((n) => new ApiClient(t.url).signUp(n)));
  const list = async (client: ApiClient, position = 0) => (await client.get(`/api/contacts?minPosition=${position}`)).body;

  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('a request with a first message waits for the recipient, who sees it live; accepting makes the contact', async () => {
    const [ana, ben] = await users('ana', 'ben');
    const benSocket = await connected(ben.connect());
    const benEvents = recordEvents(benSocket);
    try {
      const asked = await ana.post('/api/contacts', { username: ben.user!.username, message: 'Hi Ben, Ana from the meetup' });
      expect(asked.status).toBe(201);
      expect(asked.body.contact).toEqual({ id: expect.any(String), peer: ben.user, status: 'pending' });
      const contactId = asked.body.contact.id;
      const pushed = (await eventually(() => benEvents.find((e) => e.type === 'ContactRequested')))!;
      expect(pushed.data).toEqual({
        contactId,
        requestedBy: ana.user!.id,
        recipientId: ben.user!.id,
        message: 'Hi Ben, Ana from the meetup',
        requestedAt: expect.any(String),
      });

      const bens = await list(ben, asked.body.position);
      expect(bens.contacts).toEqual([]);
      expect(bens.requests).toEqual([
        {
          id: contactId,
          peer: { id: ana.user!.id, username: ana.user!.username },
          direction: 'incoming',
          message: 'Hi Ben, Ana from the meetup',
          requestedAt: pushed.data.requestedAt,
        },
      ]);
      expect((await list(ana, asked.body.position)).requests).toMatchObject([{ id: contactId, direction: 'outgoing' }]);
      expect((await ana.post('/api/contacts', { username: ben.user!.username })).body.contact).toEqual(asked.body.contact); // a repeat: no-op

      const accepted = await ben.post(`/api/contacts/${contactId}/accept`);
      expect(accepted.status).toBe(200);
      expect(accepted.body.contact).toEqual({ id: contactId, peer: ana.user, status: 'accepted' });
      for (const side of [ana, ben]) {
        const after = await list(side, accepted.body.position);
        expect(after.requests).toEqual([]);
        expect(after.contacts.map((c: { id: string }) => c.id)).toEqual([contactId]);
      }
      expect((await ana.post(`/api/contacts/${contactId}/messages`, { text: 'hello' })).status).toBe(201);
    } finally {
      benSocket.disconnect();
    }
  });

  it('two crossing requests make a contact at once', async () => {
    const [ana, ben] = await users('ana', 'ben');
    await ana.requestContact(ben);
    const crossing = await ben.post('/api/contacts', { username: ana.user!.username });
    expect(crossing.body.contact.status).toBe('accepted');
    expect((await list(ana, crossing.body.position)).contacts).toHaveLength(1);
  });

  it('answers a request that is not yours to accept, and refusals, as usual', async () => {
    const [ana, ben] = await users('ana', 'ben');
    const contactId = await ana.requestContact(ben);
    expect((await ana.post(`/api/contacts/${contactId}/accept`)).body.code).toBe('CONTACT_NOT_FOUND');
    expect((await ana.post(`/api/contacts/${contactId}/decline`)).body.code).toBe('CONTACT_NOT_FOUND');
    expect((await ana.post('/api/contacts', { username: ana.user!.username })).body.code).toBe('CANNOT_ADD_SELF');
    expect((await ana.post('/api/contacts', { username: 'nobody_at_all' })).body.code).toBe('USER_NOT_FOUND');
    const tooLong = await ana.post('/api/contacts', { username: ben.user!.username, message: 'x'.repeat(501) });
    expect([tooLong.status, tooLong.body.code]).toEqual([400, 'VALIDATION_ERROR']);
    const blank = await ana.post('/api/contacts', { username: ben.user!.username, message: '   ' });
    expect([blank.status, blank.body.code]).toEqual([400, 'INVALID_MESSAGE_TEXT']);
  });

  it('a decline is told to nobody: the requester still sees "sent"; a new request in the cooling-off never shows', async () => {
    const [ana, ben] = await users('ana', 'ben');
    const anaSocket = await connected(ana.connect());
    const anaEvents = recordEvents(anaSocket);
    try {
      const contactId = await ana.requestContact(ben, 'please?');
      const declined = await ben.post(`/api/contacts/${contactId}/decline`);
      expect(declined.status).toBe(200);
      expect((await list(ben, declined.body.position)).requests).toEqual([]);
      expect((await list(ana, declined.body.position)).requests).toMatchObject([
        { id: contactId, direction: 'outgoing', message: 'please?' },
      ]);
      // Ana cancels what she sees as still pending and asks again: within the cooling-off, Ben never sees it.
      expect((await ana.request('DELETE', `/api/contacts/${contactId}`)).status).toBe(200);
      const again = await ana.post('/api/contacts', { username: ben.user!.username, message: 'pretty please?' });
      expect(again.body.contact.status).toBe('pending');
      expect((await list(ana, again.body.position)).requests).toMatchObject([
        { id: contactId, direction: 'outgoing', message: 'pretty please?' },
      ]);
      expect((await list(ben, again.body.position)).requests).toEqual([]);
      expect((await ben.post(`/api/contacts/${contactId}/accept`)).body.code).toBe('CONTACT_NOT_FOUND');
      expect(anaEvents.map((e) => e.type)).not.toContain('ContactRequestDeclined');
    } finally {
      anaSocket.disconnect();
    }
  });

  it('removal takes the contact off both lists without saying who and ends its call; the history comes back with a new acceptance', async () => {
    const [ana, ben] = await users('ana', 'ben');
    const contactId = await ana.addContact(ben);
    const sent = await ana.post(`/api/contacts/${contactId}/messages`, { text: 'remember me' });
    const ring = await ana.post(`/api/contacts/${contactId}/meetings`, {});
    expect(ring.status).toBe(201);
    const anaSocket = await connected(ana.connect());
    const anaEvents = recordEvents(anaSocket);
    try {
      const removed = await ben.request('DELETE', `/api/contacts/${contactId}`);
      expect(removed.status).toBe(200);
      const pushed = (await eventually(() => anaEvents.find((e) => e.type === 'ContactRemoved')))!;
      expect(pushed.data).toEqual({ contactId, removedAt: expect.any(String) });
      const ended = (await eventually(() => anaEvents.find((e) => e.type === 'MeetingEnded')))!;
      expect(ended.data).toMatchObject({ meetingId: ring.body.meeting.id, reason: 'ended', endedBy: ben.user!.id });
      expect((await ana.get(`/api/meetings?minPosition=${removed.body.position}`)).body.meetings).toEqual([]);
      for (const side of [ana, ben]) expect((await list(side, removed.body.position)).contacts).toEqual([]);
      expect((await ana.get(`/api/contacts/${contactId}/messages`)).body.code).toBe('CONTACT_NOT_FOUND');
      expect((await ben.request('DELETE', `/api/contacts/${contactId}`)).body.code).toBe('CONTACT_NOT_FOUND');

      await ben.addContact(ana);
      const history = await ana.get(`/api/contacts/${contactId}/messages`);
      expect(history.body.messages.map((m: { id: string }) => m.id)).toEqual([sent.body.message.id]);
    } finally {
      anaSocket.disconnect();
    }
  });

  it('blocking: private, ends the contact and the ring at once, silences later requests; unblocking does not restore', async () => {
    const [ana, ben, cat] = await users('ana', 'ben', 'cat');
    const contactId = await ana.addContact(ben);
    const ring = await ana.post(`/api/contacts/${contactId}/meetings`, {});
    expect(ring.status).toBe(201);
    const anaSocket = await connected(ana.connect());
    const anaEvents = recordEvents(anaSocket);
    try {
      const blocked = await ben.post('/api/blocks', { userId: ana.user!.id });
      expect(blocked.status).toBe(201);
      expect(blocked.body.block).toEqual({ user: { id: ana.user!.id, username: ana.user!.username }, blockedAt: expect.any(String) });
      expect((await ben.post('/api/blocks', { userId: ana.user!.id })).body.block).toEqual(blocked.body.block); // idempotent
      const ended = (await eventually(() => anaEvents.find((e) => e.type === 'MeetingEnded')))!;
      expect(ended.data).toMatchObject({ meetingId: ring.body.meeting.id, reason: 'ended' });
      const removed = (await eventually(() => anaEvents.find((e) => e.type === 'ContactRemoved')))!;
      expect(removed.data).toEqual({ contactId, removedAt: expect.any(String) });
      expect(anaEvents.map((e) => e.type)).not.toContain('UserBlocked');

      expect((await ben.get(`/api/blocks?minPosition=${blocked.body.position}`)).body.blocks).toEqual([blocked.body.block]);
      expect((await ana.get('/api/blocks')).body.blocks).toEqual([]);
      for (const side of [ana, ben]) expect((await list(side, blocked.body.position)).contacts).toEqual([]);

      // Ana's new request gets exactly what anyone's gets; Ben never sees it.
      const [fromAna, fromCat] = [
        await ana.post('/api/contacts', { username: ben.user!.username, message: 'why?' }),
        await cat.post('/api/contacts', { username: ben.user!.username, message: 'hi' }),
      ];
      expect([fromAna.status, fromAna.body.contact.status]).toEqual([fromCat.status, fromCat.body.contact.status]);
      const bens = await list(ben, Math.max(fromAna.body.position, fromCat.body.position));
      expect(bens.requests.map((r: { peer: { id: string } }) => r.peer.id)).toEqual([cat.user!.id]);

      const unblocked = await ben.request('DELETE', `/api/blocks/${ana.user!.id}`);
      expect(unblocked.status).toBe(200);
      expect((await ben.get(`/api/blocks?minPosition=${unblocked.body.position}`)).body.blocks).toEqual([]);
      expect((await list(ben, unblocked.body.position)).contacts).toEqual([]);
      expect((await ben.request('DELETE', `/api/blocks/${ana.user!.id}`)).status).toBe(200);
    } finally {
      anaSocket.disconnect();
    }
  });

  it('blocking refuses oneself and unknown users', async () => {
    const [ana] = await users('ana');
    expect((await ana.post('/api/blocks', { userId: ana.user!.id })).body.code).toBe('CANNOT_BLOCK_SELF');
    const unknown = await ana.post('/api/blocks', { userId: '00000000-0000-4000-8000-000000000000' });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'USER_NOT_FOUND']);
  });

  it('a block during a pending request: the blocker\'s incoming request goes, the blocked requester still sees "sent"', async () => {
    const [ana, ben] = await users('ana', 'ben');
    const contactId = await ana.requestContact(ben);
    const blocked = await ben.post('/api/blocks', { userId: ana.user!.id });
    expect((await list(ben, blocked.body.position)).requests).toEqual([]);
    expect((await list(ana, blocked.body.position)).requests).toMatchObject([{ id: contactId, direction: 'outgoing' }]);
  });
});
