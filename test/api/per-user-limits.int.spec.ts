import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type ApiResponse } from '../support/api-client.js';
import { createMigratedTestDatabase, type TestDatabase } from '../support/database.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Issue 13, finding 3: every action that costs others something is limited per user, and the count is
 * shared by the nodes through Redis. Small limits here, so the test is quick; the defaults are in the README.
 */
describe('per-user limits', () => {
  let db: TestDatabase;
  let nodeA: TestServer;
  let nodeB: TestServer;
  const env = {
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: `limits-test-${randomUUID().slice(0, 8)}`,
    RATE_LIMIT_SIGN_UP: '1000/1m',
    RATE_LIMIT_MESSAGES: '3/1m',
    RATE_LIMIT_EDITS: '2/1m',
    RATE_LIMIT_CONTACT_ADDS: '2/1m',
    RATE_LIMIT_RINGS: '1/1m',
    RATE_LIMIT_SEARCHES: '2/1m',
  };

  beforeAll(async () => {
    db = await createMigratedTestDatabase();
    nodeA = await startTestServer({ db, env: { ...env, NODE_ID: 'a' } });
    nodeB = await startTestServer({ db, env: { ...env, NODE_ID: 'b' } });
  });
  afterAll(async () => {
    await nodeA?.close();
    await nodeB?.close();
    await db.drop();
  });

  const onB = (client: ApiClient) => Object.assign(new ApiClient(nodeB.url), { token: client.token, user: client.user });
  const users = (...names: string[]) => Promise.all(names.map((n) => new ApiClient(nodeA.url).signUp(n)));
  const expectLimited = (res: ApiResponse) => {
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    expect(res.body.message).toMatch(/try again in \d+ s/);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  };

  it('messages: counted across nodes, the one over the limit is refused and not stored; others are unaffected', async () => {
    const [ana, ben, cat] = await users('ana', 'ben', 'cat');
    const contact = await ana.addContact(ben);
    const send = (client: ApiClient, text: string) => client.post(`/api/contacts/${contact}/messages`, { text });
    expect((await send(ana, 'one')).status).toBe(201);
    expect((await send(onB(ana), 'two')).status).toBe(201);
    expect((await send(ana, 'three')).status).toBe(201);
    expectLimited(await send(onB(ana), 'four'));
    expectLimited(await send(ana, 'five'));
    expect((await send(ben, 'ben is not limited by ana')).status).toBe(201);
    const history = await ben.get(`/api/contacts/${contact}/messages`);
    expect(history.body.messages.map((m: any) => m.text)).not.toContain('four');
    expect(cat).toBeDefined();
  });

  it('edits and deletes share one limit', async () => {
    const [ana, ben] = await users('ana', 'ben');
    const contact = await ana.addContact(ben);
    const sent = await ana.post(`/api/contacts/${contact}/messages`, { text: 'draft' });
    const id = sent.body.message.id;
    expect((await ana.request('PATCH', `/api/contacts/${contact}/messages/${id}`, { text: 'edit 1' })).status).toBe(200);
    expect((await onB(ana).request('PATCH', `/api/contacts/${contact}/messages/${id}`, { text: 'edit 2' })).status).toBe(200);
    expectLimited(await ana.request('DELETE', `/api/contacts/${contact}/messages/${id}`));
  });

  it('contact adds', async () => {
    const [ana, ...others] = await users('ana', 'x', 'y', 'z');
    expect((await ana.post('/api/contacts', { username: others[0].user!.username })).status).toBe(201);
    expect((await onB(ana).post('/api/contacts', { username: others[1].user!.username })).status).toBe(201);
    expectLimited(await ana.post('/api/contacts', { username: others[2].user!.username }));
  });

  it('rings: per callee', async () => {
    const [ana, ben, cat] = await users('ana', 'ben', 'cat');
    const withBen = await ana.addContact(ben);
    const withCat = await ana.addContact(cat);
    const started = await ana.post(`/api/contacts/${withBen}/meetings`, {});
    expect(started.status).toBe(201);
    await ana.post(`/api/meetings/${started.body.meeting.id}/end`, {});
    expectLimited(await onB(ana).post(`/api/contacts/${withBen}/meetings`, {}));
    expect((await ana.post(`/api/contacts/${withCat}/meetings`, {})).status).toBe(201);
  });

  it('directory searches', async () => {
    const [ana] = await users('ana');
    expect((await ana.get('/api/users?query=an')).status).toBe(200);
    expect((await onB(ana).get('/api/users?query=be')).status).toBe(200);
    expectLimited(await ana.get('/api/users?query=ca'));
  });
});

describe('default limits', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('let a person send a burst of 30 messages', async () => {
    const [ana, ben] = await Promise.all(['ana', 'ben'].map((n) => new ApiClient(t.url).signUp(n)));
    const contact = await ana.addContact(ben);
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => ana.post(`/api/contacts/${contact}/messages`, { text: `m${i}` })),
    ).then((r) => r.map((x) => x.status));
    expect(statuses).toEqual(Array(30).fill(201));
    expectStatus(await ana.post(`/api/contacts/${contact}/messages`, { text: 'one too many' }), 429);
  });
});

function expectStatus(res: ApiResponse, status: number) {
  expect(res.status).toBe(status);
}
