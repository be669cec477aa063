import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { FeedClient } from './support/feed-client.js';
import { duplicates, record } from './support/measurements.js';
import { MessageSender } from './support/message-sender.js';
import { dumpTables, logAndCheckpoints, rebuildFromLog } from './support/read-models.js';
import { startRedisServer, type RedisServer } from './support/redis-server.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from './support/throwaway-postgres.js';
import { eventually, sleep } from '../support/eventually.js';

/**
 * Three api processes on a PostgreSQL and a Redis of their own, behind HAProxy; clients talk to it, as
 * browsers talk to Traefik. Each test starts from three running nodes and measures what a
 * user would notice. (Not the machine's PostgreSQL: the event store's gap-safe reads wait for the oldest
 * running write transaction of the whole PostgreSQL server, so other tests' bulk loads would stall these
 * projections and skew the timings.)
 */
describe('failover: three api nodes, one PostgreSQL, one Redis', () => {
  let postgres: ThrowawayPostgres;
  let db: { url: string };
  let redis: RedisServer;
  let cluster: TestCluster;
  const opened: FeedClient[] = [];
  const senders: MessageSender[] = [];

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startThrowawayPostgres(), startRedisServer()]);
    db = { url: postgres.url };
    cluster = await startTestCluster({ databaseUrl: db.url, redisUrl: redis.url });
  }, 90_000);
  afterEach(async () => {
    for (const client of opened.splice(0)) client.close();
    await Promise.all(senders.splice(0).map((s) => s.stop()));
  });
  afterAll(async () => {
    await cluster?.kill();
    await redis?.stop();
    await postgres?.destroy();
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

  function connect(api: ApiClient, url = cluster.url, options: { reconnectionDelayMs?: number } = {}) {
    const client = new FeedClient(api, url, options);
    opened.push(client);
    return client.whenConnected();
  }

  async function allNodesUp() {
    await Promise.all(cluster.ids.map((id) => cluster.restart(id)));
    const projections = await eventually(async () => (await cluster.projections()).size, {
      timeoutMs: 10_000,
      message: 'nodes report their projections',
    });
    await eventually(async () => (await cluster.leaders()).size === projections, {
      timeoutMs: 10_000,
      message: 'every projection has a leader',
    });
    await eventually(async () => (await cluster.proxy.inRotation()).length === cluster.ids.length, {
      timeoutMs: 5_000,
      message: 'every node is in the rotation',
    });
  }

  async function projectionsCaughtUp() {
    try {
      await eventually(
        async () => {
          const { head, slowest } = await logAndCheckpoints(db.url);
          return slowest >= head;
        },
        { timeoutMs: 20_000, message: 'projections caught up with the log' },
      );
    } catch (error) {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query('SELECT name, position, node_id FROM projection_checkpoints ORDER BY name');
      const head = (await client.query('SELECT max(position) AS head FROM events')).rows[0].head;
      await client.end();
      const logs = cluster.ids.map((id) => `--- ${id}\n${cluster.output(id).split('\n').slice(-15).join('\n')}`).join('\n');
      throw new Error(
        `${(error as Error).message}; head ${head}, checkpoints ${JSON.stringify(rows)}, leaders ${JSON.stringify([...(await cluster.leaders())])}\n${logs}`,
        { cause: error },
      );
    }
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
      await eventually(
        () => {
          const got = new Set(receiver.messageIds());
          return expected.every((id) => got.has(id));
        },
        { timeoutMs: 15_000, message: `receiver ${i} got every acknowledged message` },
      ).catch(() => {});
      await sleep(300); // a late duplicate would arrive now
      const ids = receiver.messageIds();
      const pushedPositions = receiver.pushes.map((p) => p.position);
      stats.sent += messages.attempted;
      stats.acknowledged += expected.length;
      stats.received += new Set(ids).size;
      stats.lost += expected.filter((id) => !ids.includes(id)).length;
      stats.duplicated += duplicates(ids).length + duplicates(pushedPositions).length;
      stats.viaCatchUp += receiver.applied.filter(
        (e) => e.type === 'MessageSent' && receiver.caughtUp.has(e.position) && !pushedPositions.includes(e.position),
      ).length;

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
    const takeover = await eventually(
      async () => {
        const now = await cluster.leaders();
        return led.every((p) => now.has(p) && now.get(p) !== victim) ? now : null;
      },
      { timeoutMs: 10_000, message: `projections of ${victim} taken over` },
    );
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

  /** The node a single open socket is connected to (from the nodes' /metrics). */
  async function nodeOfTheSocket(): Promise<string> {
    return (await eventually(async () => [...(await cluster.sockets())].find(([, n]) => n > 0)?.[0], {
      timeoutMs: 5_000,
      message: 'the socket shows up on a node',
    }))!;
  }

  it('SIGKILL of the node a client is connected to: the client reconnects to another node and catches up on everything sent meanwhile, once', async () => {
    await allNodesUp();
    const [flow] = await pairs(1, 'conn');
    // The client's failover, not the feed projection's (the test above): on the feed's leader, what is sent
    // while the client is away can wait for the takeover and come as pushes after it is back. Away for 3 s:
    // the sender's own request to the killed node can take a second to fail over.
    const feedLeader = (await cluster.leaders()).get('feed');
    const connectAwayFrom = async (avoid: string | undefined) => {
      for (let attempt = 0; ; attempt++) {
        const client = await connect(flow.receiver, cluster.url, { reconnectionDelayMs: 3_000 });
        const node = await nodeOfTheSocket();
        if (node !== avoid || attempt === 5) return { client, node };
        client.close();
        await eventually(async () => [...(await cluster.sockets()).values()].every((n) => n === 0), {
          message: 'the socket left its node',
        });
      }
    };
    const { client: receiver, node: victim } = await connectAwayFrom(feedLeader);
    expect(victim, 'the proxy spread the connections over the nodes').not.toBe(feedLeader);
    flow.messages.start();
    await sleep(800);

    const killedAt = performance.now();
    await cluster.node(victim).kill();
    await eventually(() => receiver.connections === 2 && receiver.socket.connected, {
      timeoutMs: 10_000,
      message: 'the client reconnected',
    });
    const reconnectMs = Math.round(receiver.connectedAt[1] - killedAt);
    const now = await nodeOfTheSocket();
    expect(now).not.toBe(victim);

    await sleep(1_000);
    await flow.messages.stop();
    await projectionsCaughtUp();
    const stats = await expectDeliveredOnce([flow], [receiver]);
    record('client node SIGKILL', {
      killed: victim,
      reconnectedTo: now,
      reconnectMs,
      ...stats,
      retries: Object.fromEntries(flow.messages.retries),
    });
    expect(stats.viaCatchUp, 'messages sent while the client was away came through GET /api/events').toBeGreaterThan(0);
  }, 60_000);

  it('Redis restarts during traffic: nodes reconnect by themselves, pushes resume, and what was missed is recovered by catch-up', async () => {
    await allNodesUp();
    const feedLeader = (await cluster.leaders()).get('feed');
    const elsewhere = cluster.ids.find((id) => id !== feedLeader)!;
    const [flow] = await pairs(1, 'redis');
    // Connected to a node that does not run the feed projection: every push has to cross Redis.
    const receiver = await connect(flow.receiver, cluster.node(elsewhere).url);
    flow.messages.start();
    await eventually(() => receiver.pushes.length >= 5, { timeoutMs: 5_000, message: 'pushes flow through Redis' });

    await redis.stop();
    const downAt = performance.now();
    const signIn = await new ApiClient(cluster.url).post('/api/sessions', {
      username: flow.receiver.user!.username,
      password: 'correct horse battery',
    });
    const signInMs = Math.round(performance.now() - downAt);
    expect(signIn.status, 'signing in does not wait for Redis (rate limiting fails open)').toBe(200);
    await sleep(1_500);
    const acknowledgedWhileDown = flow.messages.acknowledged.length;
    await redis.start();
    const upAt = performance.now();

    const sentAfter = () => new Set(flow.messages.acknowledged.slice(acknowledgedWhileDown + 1).map((a) => a.id));
    await eventually(() => receiver.pushes.some((p) => sentAfter().has((p.data as { messageId: string }).messageId)), {
      timeoutMs: 15_000,
      message: 'pushes resume after Redis is back',
    });
    const pushesResumedMs = Math.round(performance.now() - upAt);
    await sleep(500);
    await flow.messages.stop();
    await projectionsCaughtUp();
    const stats = await expectDeliveredOnce([flow], [receiver]);
    expect(cluster.live().length, 'no node died').toBe(3);
    expect(
      receiver.notices.map((n) => n.type),
      'the node told its client to catch up once its Redis was back',
    ).toContain('FeedResync');
    record('Redis restart', {
      redisDownMs: Math.round(upAt - downAt),
      signInWhileDownMs: signInMs,
      pushesResumedMs,
      ...stats,
      resyncNotices: receiver.notices.filter((n) => n.type === 'FeedResync').length,
      retries: Object.fromEntries(flow.messages.retries),
    });
  }, 60_000);

  it('SIGTERM drains a node: it leaves the rotation, sends its sockets elsewhere, finishes in-flight requests, releases its projection locks and exits within 10 s', async () => {
    await allNodesUp();
    const leaders = await cluster.leaders();
    const victim = leaders.get('feed')!;
    const led = [...leaders].filter(([, node]) => node === victim).map(([projection]) => projection);
    const [flow] = await pairs(1, 'drain');
    // Through the proxy, like a browser; reconnect until the socket lands on the node we will drain.
    let receiver = await connect(flow.receiver);
    for (let tries = 0; (await nodeOfTheSocket()) !== victim; tries++) {
      if (tries > 8) throw new Error('could not place a socket on the draining node');
      receiver.close();
      await eventually(async () => [...(await cluster.sockets()).values()].every((n) => n === 0), {
        timeoutMs: 5_000,
        message: 'socket closed',
      });
      receiver = await connect(flow.receiver);
    }
    flow.messages.start();
    await sleep(500);
    // In flight when SIGTERM arrives: waits (up to 2 s) for a position nobody will reach, then answers.
    const direct = new ApiClient(cluster.node(victim).url);
    direct.token = flow.receiver.token;
    const slowRequest = direct.get(`/api/events?after=0&minPosition=${Number.MAX_SAFE_INTEGER}`);
    await sleep(200);

    const termAt = performance.now();
    const exit = cluster.node(victim).term();
    const since = () => Math.round(performance.now() - termAt);
    // Watched concurrently with the exit: each is timed from the SIGTERM.
    const [{ code }, exitMs, [takeover, takeoverMs]] = await Promise.all([
      exit,
      exit.then(since),
      eventually(
        async () => {
          const now = await cluster.leaders();
          return led.every((p) => now.has(p) && now.get(p) !== victim) ? now : null;
        },
        { timeoutMs: 10_000, message: 'its projections were taken over' },
      ).then((leadersNow) => [leadersNow!, since()] as const),
    ]);
    await eventually(() => receiver.connections === 2 && receiver.socket.connected, {
      timeoutMs: 10_000,
      message: 'the client reconnected elsewhere',
    });
    const reconnectMs = Math.round(receiver.connectedAt[1] - termAt);
    const drainingNoticeMs = Math.round(receiver.notices.find((n) => n.type === 'server:draining')!.at - termAt);
    const slow = await slowRequest;

    await sleep(500);
    await flow.messages.stop();
    await projectionsCaughtUp();
    const stats = await expectDeliveredOnce([flow], [receiver]);
    record('SIGTERM drain', {
      drained: victim,
      exitCode: code,
      exitMs,
      reconnectMs,
      drainingNoticeMs,
      takeoverMs,
      newLeaders: [...new Set(led.map((p) => takeover.get(p)))],
      inFlightRequestStatus: slow.status,
      ...stats,
      retries: Object.fromEntries(flow.messages.retries),
    });
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(10_000);
    expect(slow.status, 'the request in flight was answered, not cut').toBe(200);
    expect(receiver.notices.map((n) => n.type)).toContain('disconnect:transport close');
    expect(await nodeOfTheSocket()).not.toBe(victim);
    expect(await cluster.proxy.inRotation()).not.toContain(victim);
  }, 60_000);
});
