import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { Pool } from 'undici';
import { ApiClient, connected } from '../test/support/api-client.js';
import { cpuMillisecondsBetween, cpuSnapshot } from './cpu-usage.js';
import { BENCH_LIMITS, inParallel, personClient, startTwoNodes, summarize } from './support.js';

/**
 * Issue 18: messages into groups of `members` people, every member connected, half of them on each node.
 * Senders POST to node 1; a message's latency is from just before its POST to the moment the LAST member's
 * socket got it. Steps up the rate until p99 passes 100 ms or something is lost.
 */
export async function benchGroupFanout({
  groups = 4,
  members = 50,
  steps = [50, 100, 200, 300, 400, 500, 600, 800, 1_000],
  stepSeconds = 8,
} = {}) {
  const cluster = await startTwoNodes({ ...BENCH_LIMITS, RATE_LIMIT_MESSAGES: '1000/1s' }, { PROJECTIONS: 'off' });
  const sockets: Socket[] = [];
  try {
    const [node1, node2] = cluster.nodes;
    const cpuParts = { node1: node1.child.pid!, node2: node2.child.pid! };
    const people = await inParallel(groups * members, 10, (n) => personClient(node1.url, n).signUp('g'));
    // Group g: people g·members … (g+1)·members − 1; its first person asks the others and makes the group.
    const conversations = await inParallel(groups, 2, async (g) => {
      const group = people.slice(g * members, (g + 1) * members);
      const [creator, ...others] = group;
      for (const other of others) await creator.addContact(other);
      const res = await creator.post('/api/conversations', { title: `bench group ${g}`, memberIds: others.map((o) => o.user!.id) });
      if (res.status !== 201) throw new Error(`group create failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { id: res.body.conversation.id as string, group };
    });
    const arrivals = new Map<string, { started: number; pending: number; last: number }>();
    await inParallel(groups * members, 20, async (n) => {
      const url = n % 2 === 0 ? node1.url : node2.url;
      const socket = await connected(new ApiClient(url).connectAs(people[n]));
      sockets.push(socket);
      socket.on('event', (event: { type: string; data: { messageId?: string } }) => {
        if (event.type !== 'MessageSent' || !event.data.messageId) return;
        const arrival = arrivals.get(event.data.messageId);
        if (!arrival) return;
        arrival.pending--;
        if (arrival.pending === 0) arrival.last = performance.now() - arrival.started;
      });
    });
    const http = new Pool(node1.url, { connections: 50, headersTimeout: 30_000, bodyTimeout: 30_000 });

    const run = async (rate: number, seconds: number) => {
      arrivals.clear();
      let failed = 0;
      const total = rate * seconds;
      const inflight: Promise<void>[] = [];
      const cpuBefore = cpuSnapshot(cpuParts);
      const start = performance.now();
      for (let i = 0; i < total; i++) {
        const wait = start + (i * 1000) / rate - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        const { id: conversationId, group } = conversations[i % groups];
        const sender = group[(i >> 2) % members];
        const id = randomUUID();
        // Everyone gets MessageSent, the sender's other devices included: all `members` sockets.
        arrivals.set(id, { started: performance.now(), pending: members, last: -1 });
        inflight.push(
          http
            .request({
              method: 'POST',
              path: `/api/conversations/${conversationId}/messages`,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${sender.token}` },
              body: JSON.stringify({ id, text: `bench ${i}` }),
            })
            .then(
              async (res) => {
                await res.body.dump();
                if (res.statusCode !== 201) failed++;
              },
              () => void failed++,
            ),
        );
      }
      await Promise.all(inflight);
      const deadline = performance.now() + 10_000;
      const done = () => [...arrivals.values()].filter((a) => a.last >= 0).length;
      while (done() < total - failed && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const cpuMs = cpuMillisecondsBetween(cpuBefore, cpuSnapshot(cpuParts));
      const latencies = [...arrivals.values()].filter((a) => a.last >= 0).map((a) => a.last);
      const result = {
        rate,
        deliveriesPerSecond: rate * members,
        sent: total,
        failed,
        lost: total - failed - latencies.length,
        lastMemberLatencyMs: summarize(latencies),
        cpuMicrosecondsPerMessage: Object.fromEntries(Object.entries(cpuMs).map(([k, ms]) => [k, Math.round((ms * 1000) / total)])),
      };
      console.error(JSON.stringify(result));
      return result;
    };

    await run(5, 3); // warm-up
    const ladder = [];
    for (const rate of steps) {
      const result = await run(rate, stepSeconds);
      ladder.push(result);
      if (result.lost > 0 || result.failed > 0 || result.lastMemberLatencyMs.p99 >= 100) break;
    }
    const sustained = ladder.filter((r) => r.lost === 0 && r.failed === 0 && r.lastMemberLatencyMs.p99 < 100).at(-1);
    await http.close();
    return { groups, members, socketsPerNode: (groups * members) / 2, highestRateWithP99Under100ms: sustained?.rate ?? null, ladder };
  } finally {
    for (const socket of sockets) socket.disconnect();
    await cluster.close();
  }
}
