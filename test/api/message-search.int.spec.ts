import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** `GET /api/search` (issue 20): full-text search over the user's own conversations (docs/search.md). */
describe('message search', () => {
  let t: TestServer;
  const users = (...names: string[]) => Promise.all(names.map((n) => new ApiClient(t.url).signUp(n)));
  let position = 0;
  const send = async (from: ApiClient, contactId: string, text: string): Promise<string> => {
    const sent = await from.post(`/api/contacts/${contactId}/messages`, { text });
    expect(sent.status).toBe(201);
    position = Math.max(position, sent.body.position);
    return sent.body.message.id;
  };
  const search = (who: ApiClient, query: Record<string, string | number>) =>
    who.get(`/api/search?${new URLSearchParams({ ...query, minPosition: String(position) } as Record<string, string>)}`);
  const texts = async (who: ApiClient, query: Record<string, string | number>) => {
    const found = await search(who, query);
    expect(found.status).toBe(200);
    return found.body.results.map((r: { message: { text: string } }) => r.message.text).sort();
  };

  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('finds stems and prefixes, with a snippet whose highlights are offsets into plain text', async () => {
    const [ana, ben] = await users('ana', 'ben');
    const contactId = await ana.addContact(ben);
    const budget = await send(ana, contactId, 'Meeting tomorrow about the <b>budget</b>');
    await send(ben, contactId, 'the meetings were long');
    await send(ben, contactId, 'lunch at noon');

    expect(await texts(ana, { q: 'meeting' })).toEqual(['Meeting tomorrow about the <b>budget</b>', 'the meetings were long']);
    expect(await texts(ben, { q: 'MEET' })).toEqual(['Meeting tomorrow about the <b>budget</b>', 'the meetings were long']);
    const found = await search(ana, { q: 'tomorrow bud' });
    expect(found.body).toEqual({
      results: [
        {
          conversationId: contactId,
          message: {
            id: budget,
            senderId: ana.user!.id,
            text: 'Meeting tomorrow about the <b>budget</b>',
            sentAt: expect.any(String),
            editedAt: null,
          },
          // PostgreSQL's parser leaves tag-like text out of excerpts; the message itself is whole.
          snippet: {
            text: 'Meeting tomorrow about the  budget',
            highlights: [
              [8, 16],
              [28, 34],
            ],
          },
        },
      ],
      next: null,
    });
    expect(await texts(ana, { q: 'the' })).toEqual(['Meeting tomorrow about the <b>budget</b>', 'the meetings were long']); // simple fallback
  });

  it('never finds the messages of conversations the user is not in, nor of a removed contact', async () => {
    const [ana, ben, eve] = await users('ana', 'ben', 'eve');
    const contactId = await ana.addContact(ben);
    await send(ana, contactId, 'the secret plan');
    const evesOwn = await eve.addContact(ben);
    await send(eve, evesOwn, 'my own plan');

    expect(await texts(eve, { q: 'secret' })).toEqual([]);
    expect(await texts(eve, { q: 'plan' })).toEqual(['my own plan']);
    expect(await texts(eve, { q: 'plan', conversationId: contactId })).toEqual([]);
    expect(await texts(ana, { q: 'plan', conversationId: contactId })).toEqual(['the secret plan']);

    const removed = await ben.request('DELETE', `/api/contacts/${contactId}`);
    expect(removed.status).toBe(200);
    position = Math.max(position, removed.body.position ?? 0);
    // As the history: a removed contact's messages are hidden from both.
    expect(await texts(ana, { q: 'plan' })).toEqual([]);
    expect(await texts(ben, { q: 'plan' })).toEqual(['my own plan']);
  });

  it('re-indexes edits and forgets deleted messages', async () => {
    const [ana, ben] = await users('ana', 'ben');
    const contactId = await ana.addContact(ben);
    const lunch = await send(ana, contactId, 'lunch at noon');
    const soup = await send(ana, contactId, 'soup again');
    const edited = await ana.request('PATCH', `/api/contacts/${contactId}/messages/${lunch}`, { text: 'dinner at eight' });
    expect(edited.status).toBe(200);
    const deleted = await ana.request('DELETE', `/api/contacts/${contactId}/messages/${soup}`);
    expect(deleted.status).toBe(200);
    position = Math.max(position, edited.body.position, deleted.body.position);

    expect(await texts(ben, { q: 'lunch' })).toEqual([]);
    expect(await texts(ben, { q: 'soup' })).toEqual([]);
    const dinner = await search(ben, { q: 'dinner' });
    expect(dinner.body.results).toMatchObject([{ message: { id: lunch, text: 'dinner at eight', editedAt: expect.any(String) } }]);
  });

  it('filters by sender and date, and pages by the next cursor without repeats', async () => {
    const [ana, ben] = await users('ana', 'ben');
    const contactId = await ana.addContact(ben);
    for (let i = 0; i < 3; i++) await send(ana, contactId, `pizza ${i}`);
    const cutoff = new Date().toISOString();
    await send(ben, contactId, 'pizza pizza pizza');
    await send(ben, contactId, 'pizza 4');

    expect(await texts(ana, { q: 'pizza', senderId: ben.user!.id })).toEqual(['pizza 4', 'pizza pizza pizza']);
    expect(await texts(ana, { q: 'pizza', before: cutoff })).toEqual(['pizza 0', 'pizza 1', 'pizza 2']);

    const seen: string[] = [];
    let next: string | null = null;
    do {
      const page = await search(ana, { q: 'pizza', limit: 2, ...(next ? { cursor: next } : {}) });
      expect(page.status).toBe(200);
      expect(page.body.results.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.results.map((r: { message: { text: string } }) => r.message.text));
      next = page.body.next;
    } while (next);
    expect(seen[0]).toBe('pizza pizza pizza'); // ranked: the most matches first
    expect([...seen].sort()).toEqual(['pizza 0', 'pizza 1', 'pizza 2', 'pizza 4', 'pizza pizza pizza']);
  });

  it('answers bad parameters with 400 and a code', async () => {
    const [ana] = await users('ana');
    const bad = async (query: string, code: string) => {
      const res = await ana.get(`/api/search?${query}`);
      expect([res.status, res.body.code], query).toEqual([400, code]);
    };
    await bad('', 'VALIDATION_ERROR');
    await bad('q=', 'VALIDATION_ERROR');
    await bad('q=%21%3A%2A%26', 'VALIDATION_ERROR');
    await bad('q=x&limit=0', 'VALIDATION_ERROR');
    await bad('q=x&limit=51', 'VALIDATION_ERROR');
    await bad('q=x&before=yesterday', 'VALIDATION_ERROR');
    await bad('q=x&cursor=bm90IGEgY3Vyc29y', 'UNKNOWN_CURSOR');
    await bad(`q=x&cursor=${Buffer.from('["1e400","x","y","z"]').toString('base64url')}`, 'UNKNOWN_CURSOR');
    const uuid = ana.user!.id;
    for (const forged of [
      ['1e39', '2026-01-01 00:00:00+00'],
      ['0.5', '1'],
      ['0.5', '2026-02-30 00:00:00+00'],
      ['NaN', '2026-01-01 00:00:00+00'],
    ])
      await bad(`q=x&cursor=${Buffer.from(JSON.stringify([...forged, uuid, uuid, null, null])).toString('base64url')}`, 'UNKNOWN_CURSOR');
    // The window's bounds (the newest matches a page is ranked among) are checked as well.
    const place = ['0.5', '2026-01-01 00:00:00+00', uuid, uuid];
    for (const window of [
      [['2026-02-30 00:00:00+00', uuid, uuid], null],
      [null, ['not a time', uuid, uuid]],
      [null, ['2026-01-01 00:00:00+00', 'x', uuid]],
      [null],
    ])
      await bad(`q=x&cursor=${Buffer.from(JSON.stringify([...place, ...window])).toString('base64url')}`, 'UNKNOWN_CURSOR');
    const fine = [...place, null, ['2026-01-01 00:00:00+00', uuid, uuid]];
    expect((await ana.get(`/api/search?q=x&cursor=${Buffer.from(JSON.stringify(fine)).toString('base64url')}`)).status).toBe(200);
    for (const before of ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2026-12-01T10:00:00+14:00'])
      expect((await ana.get(`/api/search?q=x&before=${encodeURIComponent(before)}`)).status, before).toBe(200);
    const notUuid = await ana.get('/api/search?q=x&conversationId=nope');
    expect(notUuid.status).toBe(400);
    expect((await new ApiClient(t.url).get('/api/search?q=x')).status).toBe(401);
  });
});
