import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { FeedClient } from './support/feed-client.js';
import { duplicates, record } from './support/measurements.js';
import { MessageSender } from './support/message-sender.js';
import { logAndCheckpoints } from './support/read-models.js';
import { startRedisServer, type RedisServer } from './support/redis-server.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from './support/throwaway-postgres.js';
import { eventually, sleep } from '../support/eventually.js';

/**
 * Three api processes on a PostgreSQL of their own, which is stopped and started again under traffic:
 * while it is down every request that needs it is answered 503 with Retry-After (never a 500, never a
 * hang), no node crashes, and service resumes by itself.
 */
describe('failover: PostgreSQL restarts under three api nodes', () => {
  let postgres: ThrowawayPostgres;
  let redis: RedisServer;
  let cluster: TestCluster;
  let receiver: FeedClient | undefined;
  let messages: MessageSender | undefined;

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startThrowawayPostgres(), startRedisServer()]);
    cluster = await startTestCluster({ databaseUrl: postgres.url, redisUrl: redis.url });
  }, 90_000);
  afterAll(async () => {
    receiver?.close();
    await messages?.stop();
    await postgres?.start().catch(() => {});
    await cluster?.kill();
    await redis?.stop();
    await postgres?.destroy();
  }, 30_000);

  it('answers 503 with Retry-After while it is down, crashes nothing, and resumes on its own', async () => {
    const alice = await new ApiClient(cluster.url).signUp('alice');
    const bob = await new ApiClient(cluster.url).signUp('bob');
    const contactId = await alice.addContact(bob);
    receiver = await new FeedClient(bob, cluster.url).whenConnected();
    messages = new MessageSender(alice, contactId, 'pg');
    messages.start();
    await eventually(() => receiver!.pushes.length >= 5, { timeoutMs: 10_000, message: 'messages flow' });

    await postgres.stop();
    const downAt = performance.now();
    const during: Array<{ status: number; retryAfter: string | null; code?: string }> = [];
    const probe = new ApiClient(cluster.url);
    probe.token = alice.token;
    while (performance.now() - downAt < 2_500) {
      for (const response of await Promise.all([
        probe.post(`/api/contacts/${contactId}/messages`, { text: 'while the database is down' }),
        probe.get('/api/contacts'),
        probe.get('/api/events?after=0'),
      ])) {
        during.push({ status: response.status, retryAfter: response.headers.get('retry-after'), code: response.body?.code });
      }
      await sleep(100);
    }
    const health = await fetch(`${cluster.url}/healthz`);
    const readiness = await fetch(`${cluster.url}/readyz`);
    expect(health.status, 'the process is alive').toBe(200);
    expect(readiness.status, 'but not ready').toBe(503);
    expect(during.length).toBeGreaterThan(10);
    expect(
      during.filter((r) => r.status !== 503),
      'every request needing the database is a 503',
    ).toEqual([]);
    expect(during.every((r) => r.retryAfter !== null && Number(r.retryAfter) > 0 && r.code === 'SERVICE_UNAVAILABLE')).toBe(true);

    await postgres.start();
    const upAt = performance.now();
    const acknowledgedBefore = messages.acknowledged.length;
    await eventually(async () => (await probe.post(`/api/contacts/${contactId}/messages`, { text: 'back' })).status === 201, {
      timeoutMs: 20_000,
      message: 'writes succeed again',
    });
    const writesBackMs = Math.round(performance.now() - upAt);
    const sentAfter = () => new Set(messages!.acknowledged.slice(acknowledgedBefore).map((a) => a.id));
    await eventually(() => receiver!.pushes.some((p) => sentAfter().has((p.data as { messageId: string }).messageId)), {
      timeoutMs: 20_000,
      message: 'pushes resume',
    });
    const pushesBackMs = Math.round(performance.now() - upAt);

    await sleep(500);
    await messages.stop();
    await eventually(
      async () => {
        const { head, slowest } = await logAndCheckpoints(postgres.url);
        return slowest >= head;
      },
      { timeoutMs: 20_000, message: 'projections caught up' },
    );
    const expected = messages.acknowledged.map((a) => a.id);
    await eventually(
      () => {
        const got = new Set(receiver!.messageIds());
        return expected.every((id) => got.has(id));
      },
      { timeoutMs: 15_000, message: 'the receiver got every acknowledged message' },
    ).catch(() => {});
    await sleep(300);
    const ids = receiver.messageIds();
    const pushed = receiver.pushes.map((p) => p.position);

    expect(cluster.live().length, 'no node crashed').toBe(3);
    expect(duplicates(pushed)).toEqual([]);
    expect(
      ids.filter((id) => expected.includes(id)),
      'each acknowledged message once, in order',
    ).toEqual(expected);
    record('PostgreSQL restart', {
      postgresDownMs: Math.round(upAt - downAt),
      requestsWhileDown: during.length,
      statusesWhileDown: Object.fromEntries(
        [...new Set(during.map((r) => r.status))].map((s) => [s, during.filter((r) => r.status === s).length]),
      ),
      writesBackMs,
      pushesBackMs,
      sent: messages.attempted,
      acknowledged: expected.length,
      received: expected.filter((id) => ids.includes(id)).length,
      lost: expected.filter((id) => !ids.includes(id)).length,
      duplicated: duplicates(ids).length + duplicates(pushed).length,
      senderRetries: Object.fromEntries(messages.retries),
    });
  }, 90_000);
});
