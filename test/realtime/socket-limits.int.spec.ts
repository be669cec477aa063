import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected, eventually } from '../support/api-client.js';
import { createMigratedTestDatabase, type TestDatabase } from '../support/database.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** Issue 13, finding 3 on the socket: a budget for every event a socket sends, and a cap on one user's sockets. */
describe('socket limits', () => {
  let db: TestDatabase;
  let nodeA: TestServer;
  let nodeB: TestServer;
  let sockets: Socket[] = [];
  const env = {
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: `socket-limits-${randomUUID().slice(0, 8)}`,
    RATE_LIMIT_SOCKET_EVENTS: '5/10s',
    MAX_SOCKETS_PER_USER: '2',
  };

  beforeAll(async () => {
    db = await createMigratedTestDatabase();
    nodeA = await startTestServer({ db, env: { ...env, NODE_ID: 'a' } });
    nodeB = await startTestServer({ db, env: { ...env, NODE_ID: 'b' } });
  });
  afterEach(() => {
    for (const socket of sockets) socket.disconnect();
    sockets = [];
  });
  afterAll(async () => {
    await nodeA?.close();
    await nodeB?.close();
    await db.drop();
  });

  const open = async (client: ApiClient, url = client.baseUrl) => {
    const socket = client.connect({ url });
    sockets.push(socket);
    return connected(socket);
  };

  it('answers every event past the budget RATE_LIMITED with retryAfterMs, whatever its name, and acts on none of them', async () => {
    const [ana, ben] = await Promise.all(['ana', 'ben'].map((n) => new ApiClient(nodeA.url).signUp(n)));
    const contactId = await ana.addContact(ben);
    const anaSocket = await open(ana);
    const benSocket = await open(ben);
    let typingSeen = 0;
    benSocket.on('event', (e: { type: string }) => e.type === 'Typing' && typingSeen++);

    const acks = [];
    for (let i = 0; i < 5; i++)
      acks.push(await anaSocket.timeout(2_000).emitWithAck('typing', { contactId: i === 0 ? contactId : randomUUID() }));
    expect(acks.map((a) => a.ok || a.code)).toEqual([
      true,
      'CONTACT_NOT_FOUND',
      'CONTACT_NOT_FOUND',
      'CONTACT_NOT_FOUND',
      'CONTACT_NOT_FOUND',
    ]);

    for (const [event, payload] of [
      ['typing', { contactId }],
      ['meeting:media', { meetingId: randomUUID(), audio: true, video: false }],
      ['meeting:join', { meetingId: randomUUID() }],
      ['no-such-event', {}],
    ] as const) {
      const refused = await anaSocket.timeout(2_000).emitWithAck(event, payload);
      expect(refused, event).toMatchObject({ ok: false, code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(2_000);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(typingSeen).toBe(1);
    // Another socket has its own budget.
    expect(await benSocket.timeout(2_000).emitWithAck('typing', { contactId })).toEqual({ ok: true });
  });

  it('keeps at most MAX_SOCKETS_PER_USER sockets per user across nodes: the oldest is told and dropped', async () => {
    const [ana, ben] = await Promise.all(['ana', 'ben'].map((n) => new ApiClient(nodeA.url).signUp(n)));
    const first = await open(ana);
    const told: unknown[] = [];
    first.on('socket:dropped', (reason) => told.push(reason));
    await new Promise((r) => setTimeout(r, 50));
    const second = await open(ana, nodeB.url);
    await new Promise((r) => setTimeout(r, 50));
    const benSocket = await open(ben);
    const third = await open(ana, nodeB.url);
    await eventually(() => first.disconnected);
    expect(told).toEqual([{ reason: 'TOO_MANY_SOCKETS', max: 2 }]);
    await new Promise((r) => setTimeout(r, 300));
    expect([second.connected, third.connected, benSocket.connected]).toEqual([true, true, true]);
  });
});
