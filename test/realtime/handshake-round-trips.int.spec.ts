import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infrastructure/logger.js';
import { PRESENCE_SLICE, RedisPresence } from '../../infrastructure/realtime/redis-presence.js';
import { redisNames } from '../../infrastructure/redis/redis-names.js';
import { ApiClient } from '../support/api-client.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Issue 21: in a reconnect storm the survivor takes thousands of handshakes a second. Those that arrive in
 * the same turn of the event loop share their round trips: one query checks their sessions, one Redis
 * write registers their sockets (a round trip each was a third of a connect's CPU on the node).
 */
describe('the round trips of socket handshakes arriving together', () => {
  let node: TestServer;
  beforeAll(async () => {
    node = await startTestServer();
  });
  afterAll(async () => {
    await node?.close();
  });

  it('checks the sessions of one turn of the event loop with one query, each answered for itself', async () => {
    const { sessions, tokens, pool } = node.server.ctx;
    const sessionOf = async (name: string) => tokens.verify((await new ApiClient(node.url).signUp(name)).token!).sessionId;
    const [ana, ben, cem] = await Promise.all([sessionOf('ana'), sessionOf('ben'), sessionOf('cem')]);
    await sessions.revoke(cem);

    const query = pool.query.bind(pool);
    let queries = 0;
    pool.query = ((...args: Parameters<typeof query>) => (queries++, query(...args))) as typeof pool.query;
    try {
      const answers = await Promise.all(
        [ana, ben, cem, randomUUID(), ana.toUpperCase()].map((id) => sessions.isActive(id, { fresh: true })),
      );
      expect(answers).toEqual([true, true, false, false, true]);
      expect(queries).toBe(1);
    } finally {
      pool.query = query;
    }
  });

  /** A presence under a prefix of its own, its timers stopped; `record()` starts listing the commands it sends. */
  async function quietPresence() {
    const redis = new Redis(TEST_REDIS_URL);
    const names = redisNames(`handshake-round-trips-${randomUUID()}`);
    const presence = new RedisPresence(redis, { names, nodeId: 'a', onTransition: () => {}, log: createLogger('silent') });
    // Its timers (heartbeat, refresh) stopped: only the calls below talk to Redis.
    presence.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sent: string[] = [];
    return {
      presence,
      sent,
      record() {
        const sendCommand = redis.sendCommand.bind(redis) as (command: { name: string }, ...rest: unknown[]) => unknown;
        (redis as unknown as Record<string, unknown>).sendCommand = (command: { name: string }, ...rest: unknown[]) => (
          sent.push(command.name),
          sendCommand(command, ...rest)
        );
      },
      async end() {
        await redis.del(...['u0', 'u1', 'u2', 'u3'].map((user) => names.presence(user)));
        const keys = await redis.keys(`${names.prefix}:*`);
        if (keys.length > 0) await redis.del(...keys);
        redis.disconnect();
      },
    };
  }

  it('registers the sockets of one turn of the event loop in one Redis round trip, counting each user’s', async () => {
    const { presence, sent, record, end } = await quietPresence();
    try {
      // A first connect loads the script into Redis (ioredis sends it whole once when Redis does not know it).
      await presence.connect('u0', 's0');
      record();
      const counts = await Promise.all([presence.connect('u1', 's1'), presence.connect('u1', 's2'), presence.connect('u2', 's3')]);
      expect(counts).toEqual([1, 2, 1]);
      expect(sent).toEqual(['evalsha']);
      expect(await presence.onlineNow(['u1', 'u2', 'u3'])).toEqual(new Set(['u1', 'u2']));
      expect(await presence.disconnect('u1', 's1')).toBe(false);
      expect(await presence.disconnect('u1', 's2')).toBe(true);
    } finally {
      await end();
    }
  });

  it('unregisters the sockets that close in one turn of the event loop in one Redis round trip, each user’s last told apart', async () => {
    const { presence, sent, record, end } = await quietPresence();
    try {
      await Promise.all([
        presence.connect('u1', 's1'),
        presence.connect('u1', 's2'),
        presence.connect('u2', 's3'),
        presence.connect('u3', 's4'),
      ]);
      record();
      // A drain's paced moves, or an office's network going down: many sockets close in the same turn.
      const last = await Promise.all([presence.disconnect('u1', 's1'), presence.disconnect('u1', 's2'), presence.disconnect('u2', 's3')]);
      expect(last).toEqual([false, true, true]);
      expect(sent.filter((name) => name === 'multi')).toHaveLength(1);
      expect(await presence.onlineNow(['u1', 'u2', 'u3'])).toEqual(new Set(['u3']));
      expect(await presence.disconnect('u2', 's3')).toBe(false);
    } finally {
      await end();
    }
  });
  it('splits a very large turn of disconnects into transactions of a slice each, the answers still in order', async () => {
    const { presence, sent, record, end } = await quietPresence();
    try {
      const many = Array.from({ length: 2 * PRESENCE_SLICE }, (_, i) => `s${i}`);
      await Promise.all([...many.map((socketId) => presence.connect('u1', socketId)), presence.connect('u2', 'last')]);
      record();
      // A node closing every socket it holds at once: Redis is never held by one long transaction.
      const last = await Promise.all([...many.map((socketId) => presence.disconnect('u1', socketId)), presence.disconnect('u2', 'last')]);
      expect(sent.filter((name) => name === 'multi')).toHaveLength(3);
      expect(last.flatMap((wasLast, i) => (wasLast ? [i] : []))).toEqual([many.length - 1, many.length]);
      expect(await presence.onlineNow(['u1', 'u2'])).toEqual(new Set());
    } finally {
      await end();
    }
  });
});
