import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** Text PostgreSQL's jsonb cannot store, and control characters: refused before anything is appended (issue 13, 1 and 6). */
const UNSTORABLE = [
  'nul \u0000 inside',
  'lone high \ud800',
  '\udc00x lone low',
  'bell \u0007',
  'escape \u001b[31m',
  'c1 \u0085',
  'del \u007f',
  'carriage\rreturn',
];

describe('hostile text', () => {
  let t: TestServer;
  let alice: ApiClient;
  let bob: ApiClient;
  let contactId: string;

  beforeAll(async () => {
    // Limits raised: this is about what reaches the store, not about how often one may send.
    t = await startTestServer({ env: { RATE_LIMIT_SIGN_UP: '1000/1m', RATE_LIMIT_MESSAGES: '1000/1m' } });
    [alice, bob] = await Promise.all(['alice', 'bob'].map((n) => new ApiClient(t.url).signUp(n)));
    contactId = await alice.addContact(bob);
  });
  afterAll(() => t.close());

  it.each(UNSTORABLE)('refuses a message %j with 400 INVALID_TEXT, and stores nothing', async (text) => {
    const res = await alice.post(`/api/contacts/${contactId}/messages`, { text });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_TEXT');
    expect(res.body.message).toMatch(/character/);
    const history = await alice.get(`/api/contacts/${contactId}/messages`);
    expect(history.body.messages.map((m: any) => m.text)).not.toContain(text);
  });

  it('refuses a directory search for text PostgreSQL cannot hold with 400 INVALID_TEXT (it was a 500)', async () => {
    const res = await alice.get('/api/users?query=%00');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_TEXT');
    expect((await alice.get(`/api/users?query=${encodeURIComponent(bob.user!.username.slice(0, 5))}`)).status).toBe(200);
  });

  it.each(['\u0000', 'eve\u0000', 'x\ud800'])(
    'answers a sign-in as %j 401 INVALID_CREDENTIALS (its journal line was a 500)',
    async (username) => {
      const res = await new ApiClient(t.url).post('/api/sessions', { username, password: 'whatever it is' });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('INVALID_CREDENTIALS');
    },
  );

  it('keeps newlines, tabs, emoji and scripts in messages', async () => {
    const text = 'line one\n\tindented 👩‍👩‍👧 עברית مرحبا 😀';
    const res = await alice.post(`/api/contacts/${contactId}/messages`, { text });
    expect(res.status).toBe(201);
    expect(res.body.message.text).toBe(text);
  });

  it.each(UNSTORABLE)('refuses an edit to %j with 400 INVALID_TEXT', async (text) => {
    const sent = await alice.post(`/api/contacts/${contactId}/messages`, { text: 'to be edited' });
    const res = await alice.request('PATCH', `/api/contacts/${contactId}/messages/${sent.body.message.id}`, { text });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_TEXT');
  });

  it.each([
    ...UNSTORABLE,
    'two\nlines',
    'tab\tname',
    'right-to-left \u202eoverride',
    'isolate \u2066x\u2069',
    'mark \u200f',
    '\u200b\u200b',
    '\u3164',
    '\u115f\u1160',
    ' \u2800 ',
    '\u200d\ufe0f',
  ])('refuses the display name %j with 400 INVALID_TEXT, leaving the username free', async (displayName) => {
    const username = `eve_${Math.random().toString(36).slice(2, 10)}`;
    const res = await new ApiClient(t.url).post('/api/accounts', { username, displayName, password: 'correct horse battery' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_TEXT');
    const again = await new ApiClient(t.url).post('/api/accounts', { username, displayName: 'Eve', password: 'correct horse battery' });
    expect(again.status).toBe(201);
  });

  it('keeps display names in any script, with emoji and inner spaces', async () => {
    for (const displayName of ['Zoë Åström', 'محمد علي', '李 小龙', 'Ana 👩‍💻']) {
      const username = `ok_${Math.random().toString(36).slice(2, 10)}`;
      const res = await new ApiClient(t.url).post('/api/accounts', { username, displayName, password: 'correct horse battery' });
      expect(res.status, displayName).toBe(201);
      expect(res.body.user.displayName).toBe(displayName);
    }
  });

  it('one hostile sender does not fail the sends of 10 innocent pairs sent at the same time', async () => {
    const pairs = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const [a, b] = await Promise.all([new ApiClient(t.url).signUp(`a${i}`), new ApiClient(t.url).signUp(`b${i}`)]);
        return { a, contact: await a.addContact(b) };
      }),
    );
    const hostile = Array.from({ length: 50 }, (_, i) =>
      alice.post(`/api/contacts/${contactId}/messages`, { text: UNSTORABLE[i % UNSTORABLE.length] }),
    );
    const innocent = pairs.flatMap(({ a, contact }) =>
      Array.from({ length: 10 }, (_, i) => a.post(`/api/contacts/${contact}/messages`, { text: `hello ${i}` })),
    );
    const [hostileAnswers, innocentAnswers] = await Promise.all([Promise.all(hostile), Promise.all(innocent)]);
    expect(innocentAnswers.map((r) => r.status)).toEqual(innocent.map(() => 201));
    expect(new Set(hostileAnswers.map((r) => `${r.status} ${r.body.code}`))).toEqual(new Set(['400 INVALID_TEXT']));
  });
});
