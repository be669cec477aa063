import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const tick = async () => {
  await new Promise((r) => setTimeout(r, 15));
  const now = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 15));
  return now;
};

describe('time travel and the audit trail of a conversation', () => {
  let t: TestServer;
  let ana: ApiClient;
  let ben: ApiClient;
  let cat: ApiClient;
  let contactId: string;
  const moments: Record<string, string> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestServer();
    [ana, ben, cat] = await Promise.all(['ana', 'ben', 'cat'].map((n) => new ApiClient(t.url).signUp(n)));
    contactId = await ana.addContact(ben);
    moments.beforeMessages = await tick();
    ids.first = (await ana.post(`/api/contacts/${contactId}/messages`, { text: 'first draft' })).body.message.id;
    moments.sent = await tick();
    expect((await ana.request('PATCH', `/api/contacts/${contactId}/messages/${ids.first}`, { text: 'final words' })).status).toBe(200);
    moments.edited = await tick();
    ids.second = (await ben.post(`/api/contacts/${contactId}/messages`, { text: 'regrettable' })).body.message.id;
    moments.bothSent = await tick();
    expect((await ben.request('DELETE', `/api/contacts/${contactId}/messages/${ids.second}`)).status).toBe(200);
    const last = await ben.post(`/api/contacts/${contactId}/messages`, { text: 'never mind' });
    ids.third = last.body.message.id;
    moments.position = String(last.body.position);
  });
  afterAll(() => t?.close());

  const asOf = (client: ApiClient, moment: string, extra = '') =>
    client.get(`/api/contacts/${contactId}/messages?asOf=${encodeURIComponent(moment)}${extra}`);
  const texts = (body: any) => body.messages.map((m: any) => [m.text, m.deleted, m.editedAt !== null]);

  it('returns the conversation as it stood at each moment, edits and deletions after it not applied', async () => {
    expect((await asOf(ana, moments.beforeMessages)).body).toEqual({ messages: [], hasMore: false });
    expect(texts((await asOf(ana, moments.sent)).body)).toEqual([['first draft', false, false]]);
    expect(texts((await asOf(ben, moments.edited)).body)).toEqual([['final words', false, true]]);
    expect(texts((await asOf(ben, moments.bothSent)).body)).toEqual([
      ['final words', false, true],
      ['regrettable', false, false],
    ]);
  });

  it('at the present moment, equals the live history from the read model', async () => {
    const live = await ana.get(`/api/contacts/${contactId}/messages?minPosition=${moments.position}`);
    expect(live.status).toBe(200);
    const now = await asOf(ana, new Date(Date.now() + 1_000).toISOString());
    expect(now.status).toBe(200);
    expect(now.body).toEqual(live.body);
    expect(texts(now.body)).toEqual([
      ['final words', false, true],
      [null, true, false],
      ['never mind', false, false],
    ]);
  });

  it('pages through the past like the live history', async () => {
    const newest = await asOf(ana, moments.bothSent, '&limit=1');
    expect(newest.body.messages.map((m: any) => m.id)).toEqual([ids.second]);
    expect(newest.body.hasMore).toBe(true);
    const older = await asOf(ana, moments.bothSent, `&limit=1&before=${ids.second}`);
    expect(older.body).toMatchObject({ messages: [{ id: ids.first, text: 'final words' }], hasMore: false });
    const unknown = await asOf(ana, moments.sent, `&before=${ids.second}`);
    expect(unknown.status).toBe(400);
  });

  it('lists every edit and deletion, with who, when, and the text before', async () => {
    const { status, body } = await ben.get(`/api/contacts/${contactId}/audit`);
    expect(status).toBe(200);
    expect(body.changes).toEqual([
      expect.objectContaining({
        type: 'MessageEdited',
        messageId: ids.first,
        userId: ana.user!.id,
        previousText: 'first draft',
        text: 'final words',
      }),
      expect.objectContaining({
        type: 'MessageDeleted',
        messageId: ids.second,
        userId: ben.user!.id,
        previousText: 'regrettable',
        text: null,
      }),
    ]);
    expect(Date.parse(body.changes[0].at)).toBeGreaterThan(Date.parse(moments.sent));
    expect(Date.parse(body.changes[0].at)).toBeLessThan(Date.parse(moments.edited));
  });

  it('is for members only: anyone else is told the contact does not exist', async () => {
    for (const response of [await asOf(cat, moments.edited), await cat.get(`/api/contacts/${contactId}/audit`)]) {
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('CONTACT_NOT_FOUND');
    }
    expect((await new ApiClient(t.url).get(`/api/contacts/${contactId}/audit`)).status).toBe(401);
  });

  it('rejects a time that is not ISO 8601', async () => {
    const response = await asOf(ana, 'last tuesday');
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_ERROR');
  });
});
