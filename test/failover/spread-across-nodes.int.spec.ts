import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected } from '../support/api-client.js';
import { createMigratedTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { startNodeProcess, type NodeProcess } from '../support/node-process.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { endDeployment } from '../support/deployment-teardown.js';

const PEOPLE = 20;
/** The first two nodes offer to take this many reconnects a second beside their own users (pinned: busy or idle)… */
const PER_NODE_PER_SECOND = 4;
/** … and the third this many (a smaller machine, say): what each offers travels with its heartbeat. */
const THIRD_NODE_PER_SECOND = 3;

/**
 * The balancer shares a lost node's clients among every other node, and each of them offers, with its heartbeat,
 * the reconnects a second it would take (`SOCKET_RECONNECT_SPREAD_PER_SECOND` busy, `…_IDLE_PER_SECOND` idle; one
 * pins both). So the return a node asks of its clients, and the pace of its drain, is its socket count at what the
 * other live nodes offer together: with two others, about half as long (was: as if one other took them all, so in
 * compose's three replicas a crash kept people away twice as long as needed). A drain moves its sockets at one
 * node's rate when that fits its time, and up to all the others' when it does not.
 */
describe('failover: a node’s spread counts every other node that would take its sockets', () => {
  let db: TestDatabase;
  const nodes: NodeProcess[] = [];
  const prefix = `spread-nodes-${randomUUID().slice(0, 8)}`;
  const redis = new Redis(TEST_REDIS_URL);
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createMigratedTestDatabase();
    env = {
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      SOCKET_RECONNECT_SPREAD_PER_SECOND: String(PER_NODE_PER_SECOND),
      // 4 s for the moves (the drain keeps a second, and the offline grace and half a second for the presence
      // of the last ones): 21 sockets at one node's 4 a second would take 5.25 s.
      DRAIN_TIMEOUT_MS: '8500',
    };
    nodes.push(...(await Promise.all([1, 2].map((i) => startNodeProcess({ ...env, NODE_ID: `spread-${i}` })))));
  }, 60_000);
  afterAll(async () => {
    await endDeployment(nodes, db, { redisPrefix: prefix });
    redis.disconnect();
  });

  it('asks for a spread at what the others offer once a third node is live, and drains faster when one node’s pace would not fit', async () => {
    const [first] = nodes;
    // Each from an address of its own (sign-ups are limited per address).
    const signUp = (name: string, i: number) => {
      const client = new ApiClient(first.url);
      client.defaultHeaders = { 'x-forwarded-for': `198.51.100.${i + 1}` };
      return client.signUp(name);
    };
    const people = await Promise.all(Array.from({ length: PEOPLE }, (_, i) => signUp(`spread${i}`, i)));
    const hints: number[] = [];
    const sockets: Socket[] = [];
    for (const person of people) {
      const socket = person.connect({ url: first.url });
      socket.io.opts.reconnection = false;
      sockets.push(await connected(socket));
    }
    sockets[0].on('reconnect:spread', ({ ms }: { ms: number }) => hints.push(ms));
    // One other node: all of them at its rate.
    const alone = (PEOPLE * 1000) / PER_NODE_PER_SECOND;
    const late = (await signUp('spread-late', PEOPLE)).connect({ url: first.url });
    late.io.opts.reconnection = false;
    const firstHint = await new Promise<number>((resolve) => late.once('reconnect:spread', ({ ms }: { ms: number }) => resolve(ms)));
    expect(firstHint).toBe(alone + 1000 / PER_NODE_PER_SECOND);
    sockets.push(await connected(late));

    nodes.push(await startNodeProcess({ ...env, SOCKET_RECONNECT_SPREAD_PER_SECOND: String(THIRD_NODE_PER_SECOND), NODE_ID: 'spread-3' }));
    // Two others once the node has seen the third's heartbeat: the hint is announced again, at what both offer.
    const shared = ((PEOPLE + 1) * 1000) / (PER_NODE_PER_SECOND + THIRD_NODE_PER_SECOND);
    await eventually(() => hints.at(-1) === shared, {
      timeoutMs: 15_000,
      message: `the hint at what both others offer (hints ${hints.join(', ')})`,
    });

    const notices: Array<{ at: number; spreadMs: number }> = [];
    for (const socket of sockets) socket.once('server:draining', ({ spreadMs }) => notices.push({ at: performance.now(), spreadMs }));
    first.child.kill('SIGTERM');
    await eventually(() => notices.length === sockets.length, { timeoutMs: 10_000, message: 'every socket moved' });
    // All paced, each told to come back at once (at one node's 4 a second, the last 5 would have gone together,
    // told to spread their return), within the 4 s the drain had (its pace keeps a tenth of them to spare).
    expect(notices.filter((n) => n.spreadMs !== 0)).toEqual([]);
    expect(notices.at(-1)!.at - notices[0].at).toBeLessThan(4_000);
    for (const socket of sockets) socket.close();
  }, 60_000);
});
