import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected } from '../support/api-client.js';
import { createMigratedTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually, sleep } from '../support/eventually.js';
import { startNodeProcess, type NodeProcess } from '../support/node-process.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { endDeployment } from '../support/deployment-teardown.js';

const LEAVE_ROTATION_MS = 2_000;

/**
 * A balancer that checks health every few seconds (Traefik: 5 s) keeps sending a SIGTERMed node new
 * connections until its next check. So the node reports not ready at once but serves on for
 * `DRAIN_LEAVE_ROTATION_MS` before it stops accepting and moves its sockets: nothing sent its way meanwhile
 * is refused.
 */
describe('drain: a node leaves the balancer’s rotation before it stops serving', () => {
  let db: TestDatabase;
  let node: NodeProcess;

  beforeAll(async () => {
    db = await createMigratedTestDatabase();
    node = await startNodeProcess({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, DRAIN_LEAVE_ROTATION_MS: String(LEAVE_ROTATION_MS) });
  }, 60_000);
  afterAll(async () => {
    await endDeployment([node], db);
  });

  it('answers not ready at once, serves requests and keeps its sockets until the delay is out, then moves them and exits', async () => {
    const ann = await new ApiClient(node.url).signUp('ann');
    const socket = await connected(ann.connect());
    const notices: Array<{ type: string; at: number }> = [];
    socket.on('server:draining', (notice) => notices.push({ type: `draining ${JSON.stringify(notice)}`, at: performance.now() }));
    socket.on('disconnect', (reason) => notices.push({ type: `disconnect ${reason}`, at: performance.now() }));
    socket.io.opts.reconnection = false;

    const termAt = performance.now();
    node.child.kill('SIGTERM');
    const exited = new Promise<number>((resolve) => node.child.once('exit', () => resolve(performance.now())));
    await eventually(async () => (await fetch(`${node.url}/readyz`)).status === 503, { timeoutMs: 1_000, message: 'not ready at once' });
    // Still serving, on a new connection, as a balancer that has not checked yet would send it.
    await sleep(LEAVE_ROTATION_MS / 2);
    const meanwhile = await fetch(`${node.url}/api/me`, { headers: { authorization: `Bearer ${ann.token}`, connection: 'close' } });
    expect(meanwhile.status).toBe(200);
    expect(socket.connected).toBe(true);

    await eventually(() => notices.length === 2, { timeoutMs: 5_000, message: 'the socket moved' });
    expect(notices.map((n) => n.type)).toEqual(['draining {"reconnect":true,"spreadMs":0}', 'disconnect transport close']);
    expect(notices[0].at - termAt).toBeGreaterThan(LEAVE_ROTATION_MS - 100);
    await expect(fetch(`${node.url}/healthz`)).rejects.toThrow();
    expect((await exited) - termAt).toBeLessThan(10_000);
    socket.close();
  }, 30_000);
});
