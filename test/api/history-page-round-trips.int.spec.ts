import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Issue 21: a history page this node has cached costs it one database round trip (who may read it and the
 * conversation's version, in one statement), on both history routes, 200 or 304. Writes go to a node that runs
 * the projections; the pages are read on another that runs none, so its pool carries nothing but the reads.
 */
describe('database round trips of a cached history page', () => {
  let writer: TestServer;
  let reader: TestServer;
  let roundTrips = 0;

  beforeAll(async () => {
    writer = await startTestServer();
    reader = await startTestServer({ db: writer.db, env: { PROJECTIONS: 'off' } });
    // Every statement, simple or prepared, ends in one ReadyForQuery from the server: one per round trip.
    const hooked = new WeakSet<pg.PoolClient>();
    reader.server.ctx.pool.on('acquire', (client) => {
      if (hooked.has(client)) return;
      hooked.add(client);
      (client as unknown as { connection: NodeJS.EventEmitter }).connection.on('readyForQuery', () => roundTrips++);
    });
  }, 60_000);
  afterAll(async () => {
    await reader?.close();
    await writer?.close();
  });

  /** Round trips of `pages` reads of `path` by `who` on the reading node, once it has the page. */
  async function roundTripsOf(who: ApiClient, path: string, position: number, pages: number) {
    const onReader = new ApiClient(reader.url);
    onReader.token = who.token;
    const first = await onReader.get(`${path}?limit=50&minPosition=${position}`);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const tag = first.headers.get('etag')!;
    const before = roundTrips;
    for (let i = 0; i < pages; i++) {
      const page = await onReader.get(`${path}?limit=50`);
      expect({ status: page.status, etag: page.headers.get('etag') }).toEqual({ status: 200, etag: tag });
      expect(page.body).toEqual(first.body);
      const unchanged = await onReader.request('GET', `${path}?limit=50`, undefined, { 'if-none-match': tag });
      expect(unchanged.status).toBe(304);
    }
    return (roundTrips - before) / (2 * pages);
  }

  it('is one on GET /api/contacts/:id/messages', async () => {
    const [ana, ben] = await Promise.all(['ana', 'ben'].map((n) => new ApiClient(writer.url).signUp(n)));
    const contactId = await ana.addContact(ben);
    const sent = await ana.post(`/api/contacts/${contactId}/messages`, { text: 'hello' });
    expect(sent.status).toBe(201);
    expect(await roundTripsOf(ben, `/api/contacts/${contactId}/messages`, sent.body.position, 5)).toBe(1);
  });

  it('is one on GET /api/conversations/:id/messages', async () => {
    const [ana, ben, cid] = await Promise.all(['ana', 'ben', 'cid'].map((n) => new ApiClient(writer.url).signUp(n)));
    await Promise.all([ana.addContact(ben), ana.addContact(cid)]);
    const created = await ana.post('/api/conversations', { title: 'Trips', memberIds: [ben.user!.id, cid.user!.id] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const path = `/api/conversations/${created.body.conversation.id}/messages`;
    const sent = await ana.post(path, { text: 'hello group' });
    expect(sent.status).toBe(201);
    expect(await roundTripsOf(ben, path, sent.body.position, 5)).toBe(1);
  });

  it('lets a member the read model does not show yet read through the stream, and nobody else', async () => {
    // No node projects this database: the contact is in the log only, as an add is until it is projected.
    const alone = await startTestServer({ env: { PROJECTIONS: 'off' } });
    try {
      const [ana, ben, eve] = await Promise.all(['ana', 'ben', 'eve'].map((n) => new ApiClient(alone.url).signUp(n)));
      const contactId = await ana.addContact(ben);
      const page = await ben.get(`/api/contacts/${contactId}/messages`);
      expect({ status: page.status, body: page.body }).toEqual({ status: 200, body: { messages: [], hasMore: false } });
      const refused = await eve.get(`/api/contacts/${contactId}/messages`);
      const unknown = await eve.get(`/api/contacts/${randomUUID()}/messages`);
      expect({ status: refused.status, body: refused.body }).toEqual({ status: unknown.status, body: unknown.body });
      expect(refused.status).toBe(404);
    } finally {
      await alone.close();
    }
  });
});
