import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected, recordEvents } from '../support/api-client.js';
import { createMigratedTestDatabase, type TestDatabase } from '../support/database.js';
import { startNodeProcess, type NodeProcess } from '../support/node-process.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { record } from './support/measurements.js';
import { eventually, sleep } from '../support/eventually.js';
import { endDeployment } from '../support/deployment-teardown.js';

const HANG_MS = 10_000;

/** A request that gives up after 3 s, so a hanging node fails the test instead of hanging it. */
async function timed(run: (signal: AbortSignal) => Promise<Response>): Promise<{ ms: number; status: number; body: any }> {
  const started = performance.now();
  try {
    const response = await run(AbortSignal.timeout(3_000));
    const body = await response.json().catch(() => null);
    return { ms: performance.now() - started, status: response.status, body };
  } catch {
    return { ms: performance.now() - started, status: 0, body: null };
  }
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)];

/**
 * Redis stops answering for 10 s (a proxy holds every byte, connections stay open): two api nodes keep
 * serving the contact list and sends, say so in /readyz and /metrics, and deliver every push afterwards.
 */
describe('failover: Redis hangs for 10 s under two api nodes', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let nodes: NodeProcess[] = [];

  beforeAll(async () => {
    db = await createMigratedTestDatabase();
    const redis = new URL(TEST_REDIS_URL);
    proxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
    const env = { DATABASE_URL: db.url, REDIS_URL: proxy.url('redis') };
    nodes = await Promise.all([startNodeProcess({ ...env, NODE_ID: 'hang-1' }), startNodeProcess({ ...env, NODE_ID: 'hang-2' })]);
  }, 60_000);
  afterAll(async () => {
    proxy?.resume();
    await endDeployment(nodes, db);
    await proxy?.close();
  });

  it('answers the contact list within 1 s, keeps taking messages, reports Redis in /readyz and /metrics, and delivers every push once it is back', async () => {
    const [ann, ben] = await Promise.all([new ApiClient(nodes[0].url).signUp('ann'), new ApiClient(nodes[0].url).signUp('ben')]);
    const contactId = await ann.addContact(ben);
    const annSocket = await connected(ann.connect({ url: nodes[0].url }));
    const annSees = recordEvents(annSocket);
    const benSocket = await connected(ben.connect({ url: nodes[1].url }));
    const benSees = recordEvents(benSocket);
    await eventually(async () => (await ben.get('/api/contacts')).body.contacts[0]?.peerOnline === true, {
      timeoutMs: 10_000,
      message: 'ann online before the hang',
    });
    await eventually(() => annSees.find((e) => e.type === 'PresenceChanged' && e.data.userId === ben.user!.id), {
      timeoutMs: 10_000,
      message: 'ben online before the hang',
    });

    const seenBeforeHang = annSees.length;
    proxy.hang();
    const hangStarted = performance.now();
    const lists: Array<{ ms: number; status: number }> = [];
    const sends: Array<{ ms: number; status: number; text: string }> = [];
    const listing = (async () => {
      for (let i = 0; performance.now() - hangStarted < HANG_MS; i++) {
        const [client, node] = i % 2 === 0 ? [ann, nodes[0]] : [ben, nodes[1]];
        lists.push(
          await timed((signal) => fetch(`${node.url}/api/contacts`, { headers: { authorization: `Bearer ${client.token}` }, signal })),
        );
        await sleep(50);
      }
    })();
    const sending = (async () => {
      for (let i = 0; performance.now() - hangStarted < HANG_MS; i++) {
        const text = `during the hang ${i}`;
        const sent = await timed((signal) =>
          fetch(`${nodes[i % 2].url}/api/contacts/${contactId}/messages`, {
            method: 'POST',
            headers: { authorization: `Bearer ${ann.token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ text }),
            signal,
          }),
        );
        sends.push({ ...sent, text });
        await sleep(400);
      }
    })();
    await sleep(3_000);
    const ready = await timed((signal) => fetch(`${nodes[0].url}/readyz`, { signal }));
    const metrics = await fetch(`${nodes[0].url}/metrics`, { signal: AbortSignal.timeout(3_000) }).then(
      (r) => r.text(),
      () => '',
    );
    const signIn = await timed((signal) =>
      fetch(`${nodes[1].url}/api/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: ben.user!.username, password: 'correct horse battery' }),
        signal,
      }),
    );
    await Promise.all([listing, sending]);
    proxy.resume();
    const resumedAt = performance.now();

    expect(lists.filter((l) => l.status !== 200)).toEqual([]);
    const p99 = percentile(
      lists.map((l) => l.ms),
      99,
    );
    expect(p99).toBeLessThan(1_000);
    expect(sends.filter((s) => s.status !== 201)).toEqual([]);
    expect(sends.length).toBeGreaterThanOrEqual(10);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'degraded', redis: { reachable: false } });
    expect(metrics).toMatch(/^derbel_redis_up 0$/m);
    expect(signIn).toMatchObject({ status: 200 });
    expect(signIn.ms).toBeLessThan(1_000);

    // Every message sent meanwhile reaches Ben's socket on the other node, once.
    const texts = sends.map((s) => s.text);
    await eventually(() => texts.every((t) => benSees.some((e) => e.type === 'MessageSent' && e.data.text === t)), {
      timeoutMs: 20_000,
      message: 'pushes resume',
    });
    const pushesBackMs = performance.now() - resumedAt;
    const pushed = benSees.filter((e) => e.type === 'MessageSent').map((e) => e.position);
    expect(new Set(pushed).size).toBe(pushed.length);
    // Nobody was taken for gone: both nodes missed beats together, and neither reaped the other.
    await sleep(3_000);
    expect(
      annSees
        .slice(seenBeforeHang)
        .filter((e) => e.type === 'PresenceChanged')
        .map((e) => e.data),
    ).toEqual([]);
    expect((await ann.get('/api/contacts')).body.contacts[0].peerOnline).toBe(true);
    await eventually(
      async () =>
        (await fetch(`${nodes[0].url}/readyz`)).status === 200 &&
        (await (await fetch(`${nodes[0].url}/readyz`)).json()).redis === undefined,
      { timeoutMs: 10_000, message: 'readyz: redis back' },
    );

    record('redis hangs 10 s (2 nodes)', {
      contactListRequests: lists.length,
      contactListP99Ms: Math.round(p99),
      contactListMaxMs: Math.round(Math.max(...lists.map((l) => l.ms))),
      sends: sends.length,
      sendP99Ms: Math.round(
        percentile(
          sends.map((s) => s.ms),
          99,
        ),
      ),
      signInMs: Math.round(signIn.ms),
      pushesBackAfterResumeMs: Math.round(pushesBackMs),
      lost: 0,
    });
    annSocket.disconnect();
    benSocket.disconnect();
  }, 90_000);
});
