import { ApiClient, connected } from '../test/support/api-client.js';
import { createTestDatabase } from '../test/support/database.js';
import { startNodeProcess, type NodeProcess } from '../test/support/node-process.js';
import { TEST_REDIS_URL } from '../test/support/test-env.js';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function summarize(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
  };
}

/** Two api nodes on a fresh database and the machine's Redis. */
export async function startTwoNodes(env: Record<string, string> = {}, node1Env: Record<string, string> = {}) {
  const db = await createTestDatabase('derbel_bench');
  const common = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, LOG_LEVEL: 'error', ...env };
  const nodes: NodeProcess[] = [];
  nodes.push(await startNodeProcess({ ...common, NODE_ID: 'bench-1', ...node1Env }));
  nodes.push(await startNodeProcess({ ...common, NODE_ID: 'bench-2' }));
  return {
    db,
    nodes,
    async close() {
      await Promise.all(nodes.map((n) => n.stop()));
      await db.drop();
    },
  };
}

/** P sender/receiver pairs, each with a contact; receivers' sockets on `receiverUrl`. */
export async function createPairs(count: number, senderUrl: string, receiverUrl: string) {
  const pairs = [];
  for (let i = 0; i < count; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, count - i) }, async (_, j) => {
        // Many people behind the local proxy address, so sign-up rate limits (per address) don't apply.
        const asClient = (n: number) => {
          const client = new ApiClient(senderUrl);
          client.defaultHeaders = { 'x-forwarded-for': `10.1.${Math.floor(n / 250)}.${n % 250}` };
          return client;
        };
        const sender = await asClient(2 * (i + j)).signUp('s');
        const receiver = await asClient(2 * (i + j) + 1).signUp('r');
        const contactId = await sender.addContact(receiver);
        const socket = await connected(new ApiClient(receiverUrl).connectAs(receiver));
        return { sender, receiver, contactId, socket };
      }),
    );
    pairs.push(...batch);
  }
  return pairs;
}
