import { io, type Socket } from 'socket.io-client';
import { cpuMillisecondsBetween, cpuSnapshot } from './cpu-usage.js';
import { BENCH_LIMITS, inParallel, scrapeMetrics, seedPeople, startTwoNodes, summarize } from './support.js';

const STEP_METRIC = 'derbel_socket_handshake_step_seconds';

/** Mean and count of each handshake step the node timed between two scrapes. */
function stepsBetween(before: Map<string, number>, after: Map<string, number>) {
  const steps: Record<string, { count: number; meanMs: number }> = {};
  for (const [key, sum] of after) {
    const match = key.match(new RegExp(`^${STEP_METRIC}_sum\\{step="([^"]+)"\\}$`));
    if (!match) continue;
    const countKey = `${STEP_METRIC}_count{step="${match[1]}"}`;
    const count = (after.get(countKey) ?? 0) - (before.get(countKey) ?? 0);
    if (count === 0) continue;
    steps[match[1]] = { count, meanMs: Math.round(((sum - (before.get(key) ?? 0)) * 1000 * 100) / count) / 100 };
  }
  return steps;
}

/**
 * Socket connects under load: `users` people (each with `contacts` contacts) connect to one node, at most
 * `concurrency` connects in flight, `rounds` times (the first is a warm-up). A connect is timed from `io()` to
 * the client's `connect`, over WebSocket only and with the web client's default (polling, then upgrade). The
 * node times each step (token, session, presence, announce), and the CPU each process used is divided by
 * the connects.
 */
export async function benchHandshake({ users = 200, contacts = 20, concurrency = 50, rounds = 3 } = {}) {
  // Node 1 takes the sockets only; node 2 leads the projections. Admission out of the way (its floor is an
  // eighth of the ceiling): this bench measures what a connect costs; `connections --storm` measures admission.
  const cluster = await startTwoNodes(BENCH_LIMITS, { PROJECTIONS: 'off', SOCKET_HANDSHAKES_PER_SECOND: '100000' });
  try {
    const [node1, node2] = cluster.nodes;
    const seedStart = performance.now();
    const { people } = await seedPeople(node1.url, users, contacts);
    console.error(`seeded ${users} people with ${contacts} contacts each in ${Math.round(performance.now() - seedStart)} ms`);
    const cpuParts = { node1: node1.child.pid!, node2: node2.child.pid! };

    async function connectedSockets() {
      return (await scrapeMetrics(node1.url)).get('derbel_connected_sockets') ?? NaN;
    }

    async function round(transport: 'websocket' | 'polling') {
      const metricsBefore = await scrapeMetrics(node1.url);
      const cpuBefore = cpuSnapshot(cpuParts);
      const sockets: Socket[] = [];
      const failures: Record<string, number> = {};
      const latencies: number[] = [];
      const started = performance.now();
      await inParallel(users, concurrency, async (i) => {
        const t0 = performance.now();
        const socket = io(node1.url, {
          auth: { token: people[i].token },
          forceNew: true,
          reconnection: false,
          ...(transport === 'websocket' ? { transports: ['websocket'] } : {}),
        });
        sockets.push(socket);
        await new Promise<void>((resolve) => {
          socket.once('connect', () => (latencies.push(performance.now() - t0), resolve()));
          socket.once('connect_error', (err) => ((failures[err.message] = (failures[err.message] ?? 0) + 1), resolve()));
        });
      });
      const seconds = (performance.now() - started) / 1000;
      // Presence and announcements run after the connect: wait until the node has timed all of them.
      let metricsAfter = await scrapeMetrics(node1.url);
      for (
        let i = 0;
        i < 100 &&
        (metricsAfter.get(`${STEP_METRIC}_count{step="presence"}`) ?? 0) -
          (metricsBefore.get(`${STEP_METRIC}_count{step="presence"}`) ?? 0) <
          latencies.length;
        i++
      ) {
        await new Promise((r) => setTimeout(r, 50));
        metricsAfter = await scrapeMetrics(node1.url);
      }
      const cpuMs = cpuMillisecondsBetween(cpuBefore, cpuSnapshot(cpuParts));
      for (const socket of sockets) socket.disconnect();
      for (let i = 0; i < 200 && (await connectedSockets()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
      // Offline announcements of the round's sockets are done before the next round starts.
      await new Promise((r) => setTimeout(r, 300));
      return {
        transport,
        connects: latencies.length,
        failures,
        connectsPerSecond: Math.round(latencies.length / seconds),
        connectMs: summarize(latencies),
        stepsOnNode: stepsBetween(metricsBefore, metricsAfter),
        cpuMicrosecondsPerConnect: Object.fromEntries(
          Object.entries(cpuMs).map(([k, ms]) => [k, Math.round((ms * 1000) / Math.max(1, latencies.length))]),
        ),
      };
    }

    const results = [];
    for (let r = 0; r < rounds; r++) {
      for (const transport of ['websocket', 'polling'] as const) {
        const result = await round(transport);
        console.error(JSON.stringify({ round: r, ...result }));
        if (r > 0) results.push(result);
      }
    }
    return { users, contacts, concurrency, rounds: results };
  } finally {
    await cluster.close();
  }
}
