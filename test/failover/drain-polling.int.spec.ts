import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected } from '../support/api-client.js';
import { createMigratedTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually, sleep } from '../support/eventually.js';
import { startNodeProcess, type NodeProcess } from '../support/node-process.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { endDeployment } from '../support/deployment-teardown.js';

const WEBSOCKETS = 12;
const LEAVE_ROTATION_MS = 3_000;

/**
 * A client behind a proxy that blocks WebSockets polls: each packet the node sends it ends one HTTP request and
 * the client opens the next. Once a draining node leaves the balancer's rotation or stops accepting, that next
 * request fails, so a polling client the paced moves had not reached yet lost its node as in a crash (no notice:
 * back only after the crash spread). It is moved at once, while its requests still reach the node.
 */
describe('drain: a client that polls is told to move too', () => {
  let db: TestDatabase;
  let node: NodeProcess;

  beforeAll(async () => {
    db = await createMigratedTestDatabase();
    node = await startNodeProcess({
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      DRAIN_LEAVE_ROTATION_MS: String(LEAVE_ROTATION_MS),
      DRAIN_TIMEOUT_MS: '20000',
      // Paced slowly: the WebSockets connected first take 3 s to move.
      SOCKET_RECONNECT_SPREAD_PER_SECOND: '4',
      // Every second a ping ends the polling client's open request, so it needs a new one often.
      SOCKET_PING_INTERVAL_MS: '1000',
      SOCKET_PING_TIMEOUT_MS: '2000',
    });
  }, 60_000);
  afterAll(async () => {
    await endDeployment([node], db);
  });

  const polling = (token: string) => io(node.url, { auth: { token }, transports: ['polling'], forceNew: true, reconnection: false });

  it('is moved at once, before the WebSockets that came first, and a polling handshake meanwhile is given a slot past the rotation', async () => {
    const people = await Promise.all(Array.from({ length: WEBSOCKETS + 2 }, (_, i) => new ApiClient(node.url).signUp(`poll${i}`)));
    const [latecomer, pollingOne] = people.splice(WEBSOCKETS);
    const websockets: Socket[] = [];
    for (const person of people) websockets.push(await connected(person.connect()));
    for (const socket of websockets) socket.io.opts.reconnection = false;
    const poller = await connected(polling(pollingOne.token!));
    const seen: Array<{ what: string; at: number }> = [];
    poller.on('server:draining', (notice) => seen.push({ what: `draining ${JSON.stringify(notice)}`, at: performance.now() }));
    poller.on('disconnect', (reason) => seen.push({ what: `disconnect ${reason}`, at: performance.now() }));

    const termAt = performance.now();
    node.child.kill('SIGTERM');
    await eventually(() => seen.length === 2, { timeoutMs: 2_000, message: 'the polling client moved at once' });
    expect(seen[0].what).toBe('draining {"reconnect":true,"spreadMs":0}');
    // The close packet, or its next request finding the node closed: after the notice, the client takes either as a move.
    expect(seen[1].what).toMatch(/^disconnect transport (close|error)$/);
    expect(seen[1].at - termAt).toBeLessThan(LEAVE_ROTATION_MS);
    expect(websockets.every((socket) => socket.connected)).toBe(true);

    // Back at once (the sticky cookie brings it here while the node is in the rotation): told when to come back.
    await sleep(500);
    const refusal = await connected(polling(latecomer.token!)).then(
      () => null,
      (err: Error & { data?: { retryAfterMs?: number } }) => ({ message: err.message, retryAfterMs: err.data?.retryAfterMs ?? -1 }),
    );
    expect(refusal?.message).toBe('UNAVAILABLE');
    const rotationLeft = LEAVE_ROTATION_MS - (performance.now() - termAt);
    expect(refusal!.retryAfterMs).toBeGreaterThan(rotationLeft - 500);
    expect(refusal!.retryAfterMs).toBeLessThanOrEqual(LEAVE_ROTATION_MS);
    // A WebSocket handshake is taken as ever: it moves with the rest.
    const late = await connected(latecomer.connect());
    late.io.opts.reconnection = false;
    const lateNotice = new Promise((resolve) => late.once('server:draining', resolve));
    await expect(lateNotice).resolves.toEqual({ reconnect: true, spreadMs: 0 });
    for (const socket of websockets) socket.close();
  }, 30_000);
});
