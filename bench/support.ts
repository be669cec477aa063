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
  const common = { ...BENCH_NODE_ENV, DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, LOG_LEVEL: 'error', ...env };
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

/**
 * The nodes run as they ship (the Dockerfile's NODE_ENV), not as the tests run them: in production a node also
 * collects Node's default metrics (an event-loop delay monitor, GC observers), which the tests leave out.
 */
export const BENCH_NODE_ENV = { NODE_ENV: 'production' };

/** Limits raised so a bench can sign up and connect many people from one machine (every check still runs). */
export const BENCH_LIMITS = { RATE_LIMIT_MESSAGES: '1000/1s', RATE_LIMIT_CONTACT_ADDS: '1000/1s' };

/** A client standing for person `n` behind the local proxy address (per-address sign-up limits don't apply). */
export function personClient(url: string, n: number) {
  const client = new ApiClient(url);
  client.defaultHeaders = { 'x-forwarded-for': `10.${2 + Math.floor(n / 62_500)}.${Math.floor(n / 250) % 250}.${n % 250}` };
  return client;
}

/** Runs `work` for each index with at most `concurrency` at once. */
export async function inParallel<T>(count: number, concurrency: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await work(i);
      }
    }),
  );
  return results;
}

/** `users` people, each in a ring with `contacts` others (person i adds i+1 … i+contacts/2). */
export async function seedPeople(url: string, users: number, contacts: number) {
  const people = await inParallel(users, 20, (n) => personClient(url, n).signUp('p'));
  const half = Math.min(Math.floor(contacts / 2), Math.floor((users - 1) / 2));
  const contactIds: string[][] = people.map(() => []);
  await inParallel(users, 10, async (i) => {
    for (let k = 1; k <= half; k++) {
      const j = (i + k) % users;
      const id = await people[i].addContact(people[j]);
      contactIds[i].push(id);
      contactIds[j].push(id);
    }
  });
  return { people, contactIds };
}

/** The node's Prometheus exposition, parsed into `name{labels}` → value. */
export async function scrapeMetrics(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}
