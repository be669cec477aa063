import { expect } from 'vitest';
import { MessageSender } from '../../failover/support/message-sender.js';
import { duplicates } from '../../failover/support/measurements.js';
import { ApiClient } from '../../support/api-client.js';
import { startTestCluster, type TestCluster } from '../../support/cluster.js';
import { createMigratedTestDatabase } from '../../support/database.js';
import { eventually } from '../../support/eventually.js';
import { projectionsReached, seedPopulation, type Population } from '../../support/seeded-population.js';
import { TEST_REDIS_URL } from '../../support/test-env.js';
import { Tab } from './web-tab.js';

/** The steps the storm specs share: a tab per person, the pairs' senders, the tabs that leave, delivery checked. */

/** `users` people with six contacts each and `pairs` pairs of them, on two nodes behind HAProxy (`env` for both). */
export async function startStormCluster({ users, pairs, env }: { users: number; pairs: number; env: Record<string, string> }) {
  const db = await createMigratedTestDatabase();
  const population = await seedPopulation(db.url, { users, contactsPerUser: 6, pairs });
  const cluster = await startTestCluster({ size: 2, databaseUrl: db.url, redisUrl: TEST_REDIS_URL, env });
  await projectionsReached(db.url, population.head, 30_000);
  return { db, population, cluster };
}

/** A tab per person through the balancer, all connected; the sockets each node holds then. */
export async function connectEveryone(cluster: TestCluster, population: Population) {
  const tabs = population.users.map((u) => new Tab(u.userId, u.token, cluster.url, population.head));
  for (const tab of tabs) tab.connection.connect();
  await eventually(() => tabs.every((t) => t.online), { timeoutMs: 20_000, message: 'all tabs connected' });
  // A handshake the client gave up on (its 20 s timeout, on a busy machine) leaves a server-side socket until its heartbeat expires.
  const perNode = (await eventually(
    async () => {
      const counts = await cluster.sockets();
      return [...counts.values()].reduce((a, b) => a + b, 0) === tabs.length ? counts : null;
    },
    { timeoutMs: 30_000, message: 'one socket per tab on the nodes' },
  ))!;
  return { tabs, perNode };
}

/** Each pair's sender posting through the balancer, until stopped; resolves once messages flow. */
export async function startSenders(cluster: TestCluster, population: Population) {
  const senders = population.pairs.map((pair, i) => {
    const api = new ApiClient(cluster.url);
    api.token = population.users[pair.sender].token;
    return new MessageSender(api, pair.contactId, `pair ${i}`);
  });
  for (const sender of senders) sender.start(40);
  await eventually(() => senders.every((s) => s.acknowledged.length >= 3), { timeoutMs: 10_000, message: 'messages flowing' });
  return senders;
}

/** Every third tab that loses its node is closed at once instead (its person went away): it must end up shown offline. */
export function closeEveryThirdTabThatLosesItsNode(tabs: Tab[]) {
  const leavers = new Set<Tab>();
  let lost = 0;
  for (const tab of tabs) {
    tab.connection.state.subscribe((state) => {
      if (state !== 'reconnecting' || leavers.has(tab) || tab.backAt !== null) return;
      if (lost++ % 3 === 0) {
        leavers.add(tab);
        queueMicrotask(() => tab.connection.close());
      }
    });
  }
  return leavers;
}

/** Every acknowledged message reached its receiver (unless it left) exactly once, pushed or caught up, and nothing else did. */
export async function expectDeliveredOnce(population: Population, senders: MessageSender[], tabs: Tab[], leavers: Set<Tab>) {
  const tabOf = new Map(tabs.map((t) => [t.userId, t]));
  for (const [i, pair] of population.pairs.entries()) {
    const receiver = tabOf.get(population.users[pair.receiver].userId)!;
    if (leavers.has(receiver)) continue;
    const expected = senders[i].acknowledged.map((a) => a.id);
    await eventually(() => expected.every((id) => receiver.messageIds().includes(id)), {
      timeoutMs: 10_000,
      message: `pair ${i}: everything received`,
    });
    expect(duplicates(receiver.messageIds())).toEqual([]);
    expect(receiver.messageIds().filter((id) => !expected.includes(id))).toEqual([]);
  }
}
