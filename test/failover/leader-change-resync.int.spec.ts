import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected, recordEvents } from '../support/api-client.js';
import { createMigratedTestDatabase, type TestDatabase } from '../support/database.js';
import { startNodeProcess, type NodeProcess } from '../support/node-process.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { record } from './support/measurements.js';
import { eventually, sleep } from '../support/eventually.js';
import { endDeployment } from '../support/deployment-teardown.js';

const leadsFeed = async (node: NodeProcess) =>
  /^derbel_projection_leader\{projection="feed"\} 1$/m.test(
    await fetch(`${node.url}/metrics`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.text(),
      () => '',
    ),
  );

/**
 * A leadership change costs a catch-up only to the sockets that can have missed a push: those of users
 * with feed entries the old leader committed but never pushed. Node A leads with its Redis behind a proxy;
 * B stands by; C serves all 100 sockets and takes no part in the election.
 */
describe('failover: FeedResync after a leadership change goes only to who missed a push', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let a: NodeProcess | undefined;
  let b: NodeProcess | undefined;
  let c: NodeProcess | undefined;
  const sockets: Socket[] = [];
  const envA = () => ({ DATABASE_URL: db.url, REDIS_URL: proxy.url('redis'), NODE_ID: 'resync-a' });

  beforeAll(async () => {
    db = await createMigratedTestDatabase();
    const redis = new URL(TEST_REDIS_URL);
    proxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
    a = await startNodeProcess(envA());
    await eventually(() => leadsFeed(a!), { timeoutMs: 10_000, message: 'A leads' });
    [b, c] = await Promise.all([
      startNodeProcess({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, NODE_ID: 'resync-b' }),
      startNodeProcess({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, NODE_ID: 'resync-c', PROJECTIONS: 'off' }),
    ]);
  }, 90_000);
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    proxy?.resume();
    await endDeployment([a, b, c], db);
    await proxy?.close();
  });

  it('100 sockets: one FeedResync for each socket whose user missed a push when the leader died, none for the others, none on a clean handover', async () => {
    const users = await Promise.all(Array.from({ length: 7 }, (_, i) => new ApiClient(c!.url).signUp(`r${i}`)));
    const [sender, receiver, ...bystanders] = users;
    const contactId = await sender.addContact(receiver);
    await bystanders[0].addContact(bystanders[1]);
    const socketsOf = new Map<ApiClient, ReturnType<typeof recordEvents>[]>();
    for (const [i, user] of users.entries()) {
      const count = i < 2 ? 15 : 14;
      const opened = await Promise.all(Array.from({ length: count }, () => connected(user.connect({ url: c!.url }))));
      sockets.push(...opened);
      socketsOf.set(user, opened.map(recordEvents));
    }
    expect(sockets).toHaveLength(100);
    const resyncs = (user: ApiClient) => socketsOf.get(user)!.map((events) => events.filter((e) => e.type === 'FeedResync').length);
    const pushed = (user: ApiClient, text: string) =>
      socketsOf.get(user)!.every((events) => events.some((e) => e.type === 'MessageSent' && e.data.text === text));

    // The leader cannot reach Redis: what it commits now it cannot push. Then it dies.
    proxy.hang();
    let position = 0;
    for (let i = 0; i < 3; i++) {
      const sent = await sender.post(`/api/contacts/${contactId}/messages`, { text: `unpushed ${i}` });
      expect(sent.status).toBe(201);
      position = sent.body.position;
    }
    expect((await receiver.get(`/api/contacts/${contactId}/messages?minPosition=${position}`)).status).toBe(200);
    await a!.kill();
    await eventually(() => leadsFeed(b!), { timeoutMs: 10_000, message: 'B takes over' });
    await eventually(() => [sender, receiver].every((u) => resyncs(u).every((n) => n >= 1)), {
      timeoutMs: 10_000,
      message: 'who missed pushes is told to catch up',
    });
    await sleep(2_000);
    expect(socketsOf.get(receiver)!.some((events) => events.some((e) => e.type === 'MessageSent' && e.data.text === 'unpushed 0'))).toBe(
      false,
    );
    const afterKill = users.map(resyncs);
    expect(
      afterKill
        .slice(0, 2)
        .flat()
        .every((n) => n === 1),
    ).toBe(true);
    expect(
      afterKill
        .slice(2)
        .flat()
        .every((n) => n === 0),
    ).toBe(true);

    // A clean handover: every committed entry was pushed, so nobody catches up.
    proxy.resume();
    a = await startNodeProcess(envA());
    await b!.stop();
    await eventually(() => leadsFeed(a!), { timeoutMs: 10_000, message: 'A leads again' });
    expect((await sender.post(`/api/contacts/${contactId}/messages`, { text: 'after the handover' })).status).toBe(201);
    await eventually(() => pushed(receiver, 'after the handover') && pushed(sender, 'after the handover'), {
      timeoutMs: 10_000,
      message: 'pushes after the handover',
    });
    await sleep(1_000);
    expect(users.map(resyncs)).toEqual(afterKill);

    record('leader change with 100 sockets', {
      sockets: sockets.length,
      socketsThatMissedPushes: 30,
      feedResyncsAfterLeaderSigkill: afterKill.flat().reduce((s, n) => s + n, 0),
      feedResyncsAfterCleanHandover:
        users
          .map(resyncs)
          .flat()
          .reduce((s, n) => s + n, 0) - afterKill.flat().reduce((s, n) => s + n, 0),
    });
  }, 120_000);
});
