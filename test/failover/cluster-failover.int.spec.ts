import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { FeedClient } from './support/feed-client.js';
import { duplicates, record, sleep, waitUntil } from './support/measurements.js';
import { MessageSender } from './support/message-sender.js';
import { dumpTables, logAndCheckpoints, rebuildFromLog } from './support/read-models.js';
import { startRedisServer, type RedisServer } from './support/redis-server.js';

/**
 * Three api processes on one PostgreSQL (a database of their own) and a Redis of their own, behind the
 * round-robin proxy. Clients talk to the proxy, as browsers talk to Traefik. Each test starts from three
 * running nodes and measures what a user would notice.
 */
describe('failover: three api nodes, one PostgreSQL, one Redis', () => {
  let db: TestDatabase;
  let redis: RedisServer;
  let cluster: TestCluster;
  const opened: FeedClient[] = [];
  const senders: MessageSender[] = [];

  beforeAll(async () => {
    [db, redis] = await Promise.all([createTestDatabase('derbel_failover'), startRedisServer()]);
    cluster = await startTestCluster({ databaseUrl: db.url, redisUrl: redis.url });
  }, 90_000);
  afterAll(async () => {
    for (const client of opened) client.close();
    await Promise.all(senders.map((s) => s.stop()));
    await cluster?.stop();
    await redis?.stop();
    await db?.drop();
  }, 30_000);

  /** Fresh sender → receiver pairs, signed up through the proxy. */
  async function pairs(count: number, label: string) {
    return Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const sender = await new ApiClient(cluster.url).signUp(`${label}s${i}`);
        const receiver = await new ApiClient(cluster.url).signUp(`${label}r${i}`);
        const contactId = await sender.addContact(receiver);
        const messages = new MessageSender(sender, contactId, `${label}${i}`);
        senders.push(messages);
        return { sender, receiver, contactId, messages };
      }),
    );
  }

  function connect(api: ApiClient, url = cluster.url) {
    const client = new FeedClient(api, url);
    opened.push(client);
    return client.whenConnected();
  }

  async function allNodesUp() {
    await Promise.all(cluster.ids.map((id) => cluster.restart(id)));
    await waitUntil(async () => (await cluster.leaders()).size === 6, 10_000, 'every projection has a leader');
    await waitUntil(() => cluster.proxy.inRotation().length === cluster.ids.length, 5_000, 'every node is in the rotation');
  }

  async function projectionsCaughtUp() {
    await waitUntil(async () => {
      const { head, slowest } = await logAndCheckpoints(db.url);
      return slowest >= head;
    }, 20_000, 'projections caught up with the log');
  }

  async function storedMessageIds(contactId: string): Promise<string[]> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string }>('SELECT id FROM messages WHERE contact_id = $1 ORDER BY seq', [contactId]);
      return rows.map((r) => r.id);
    } finally {
      await client.end();
    }
  }

  /** What every receiver must have seen: each acknowledged message once, in the order it was sent. */
  async function expectDeliveredOnce(flows: Array<{ messages: MessageSender; contactId: string }>, receivers: FeedClient[]) {
    const stats = { sent: 0, acknowledged: 0, received: 0, lost: 0, duplicated: 0, viaCatchUp: 0 };
    for (const [i, { messages, contactId }] of flows.entries()) {
      const receiver = receivers[i];
      const expected = messages.acknowledged.map((a) => a.id);
      await waitUntil(() => {
        const got = new Set(receiver.messageIds());
        return expected.every((id) => got.has(id));
      }, 15_000, `receiver ${i} got every acknowledged message`).catch(() => {});
      await sleep(300); // a late duplicate would arrive now
      const ids = receiver.messageIds();
      const pushedPositions = receiver.pushes.map((p) => p.position);
      stats.sent += messages.attempted;
      stats.acknowledged += expected.length;
      stats.received += new Set(ids).size;
      stats.lost += expected.filter((id) => !ids.includes(id)).length;
      stats.duplicated += duplicates(ids).length + duplicates(pushedPositions).length;
      stats.viaCatchUp += receiver.applied.filter((e) => e.type === 'MessageSent' && receiver.caughtUp.has(e.position) && !pushedPositions.includes(e.position)).length;

      expect(duplicates(pushedPositions), 'a push arrived twice').toEqual([]);
      expect(ids, 'the receiver applied each acknowledged message once, in order').toEqual(expected);
      expect(await storedMessageIds(contactId), 'the messages read model holds each acknowledged message once').toEqual(expected);
    }
    return stats;
  }

  it('SIGKILL of the projection leader while messages flow: another node takes over within 5 s, nothing is lost or doubled, and the read models equal a full rebuild', async () => {
    await allNodesUp();
    const flows = await pairs(2, 'lead');
    const receivers = await Promise.all(flows.map((f) => connect(f.receiver)));
    for (const f of flows) f.messages.start();
    await sleep(1_500);

    const leaders = await cluster.leaders();
    const victim = leaders.get('feed')!;
    const led = [...leaders].filter(([, node]) => node === victim).map(([projection]) => projection);
    const killedAt = performance.now();
    await cluster.node(victim).kill();
    const takeover = await waitUntil(async () => {
      const now = await cluster.leaders();
      return led.every((p) => now.has(p) && now.get(p) !== victim) ? now : null;
    }, 10_000, `projections of ${victim} taken over`);
    const takeoverMs = Math.round(performance.now() - killedAt);

    await sleep(2_000);
    await Promise.all(flows.map((f) => f.messages.stop()));
    await projectionsCaughtUp();
    const stats = await expectDeliveredOnce(flows, receivers);

    const rebuilt = await rebuildFromLog(db.url);
    try {
      const live = await dumpTables(db.url, rebuilt.tables);
      expect(live.messages.length).toBeGreaterThanOrEqual(stats.acknowledged);
      expect(live, 'read models equal a full rebuild from the log').toEqual(await dumpTables(rebuilt.db.url, rebuilt.tables));
    } finally {
      await rebuilt.db.drop();
    }

    record('projection leader SIGKILL', {
      killed: victim,
      projectionsItLed: led.length,
      newLeaders: [...new Set(led.map((p) => takeover!.get(p)))],
      takeoverMs,
      ...stats,
      retries: Object.fromEntries(flows.flatMap((f) => [...f.messages.retries])),
      resyncNotices: receivers.reduce((n, r) => n + r.notices.filter((x) => x.type === 'FeedResync').length, 0),
    });
    expect(takeoverMs).toBeLessThan(5_000);
    expect(stats.lost).toBe(0);
    expect(stats.duplicated).toBe(0);
  }, 90_000);

});
