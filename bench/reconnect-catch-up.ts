import { io, type Socket } from 'socket.io-client';
import { Pool } from 'undici';
import { processCpuSeconds } from './cpu-usage.js';
import { BENCH_LIMITS, inParallel, seedPeople, startTwoNodes } from './support.js';

type Way = 'GET /api/events' | 'feed:missed' | 'feed:missed + awayMs';
const WAYS: Way[] = ['GET /api/events', 'feed:missed', 'feed:missed + awayMs'];

/**
 * What a reconnect and its catch-up cost, the two ways a client can catch up: the handshake and then its own
 * `GET /api/events?after=`, or the handshake naming `feedAfter` and the node sending `feed:missed` with it (and,
 * as the web client does since, `awayMs`: the presence changes of the last few seconds, the rounds' own). Each
 * round reconnects `reconnects` sockets (at most `concurrency` in flight) of `users` people who missed nothing —
 * most of a storm's reconnects — and divides the CPU the node and this process (the clients) used by them.
 * Rounds alternate the two ways; the first pair warms up.
 */
export async function benchReconnectCatchUp({ users = 200, contacts = 20, reconnects = 2000, concurrency = 50, rounds = 4 } = {}) {
  // Node 1 takes the sockets only; admission out of the way (`connections --storm` measures admission).
  const cluster = await startTwoNodes(BENCH_LIMITS, { PROJECTIONS: 'off', SOCKET_HANDSHAKES_PER_SECOND: '100000' });
  const [node1] = cluster.nodes;
  const pool = new Pool(node1.url, { connections: concurrency });
  try {
    const { people } = await seedPeople(node1.url, users, contacts);
    const pid = node1.child.pid!;
    const farAhead = Number.MAX_SAFE_INTEGER - 1;

    async function reconnect(token: string, way: Way, sockets: Socket[]) {
      const auth =
        way === 'GET /api/events'
          ? { token }
          : { token, feedAfter: farAhead, ...(way === 'feed:missed + awayMs' ? { awayMs: 1_000 } : {}) };
      const socket = io(node1.url, { auth, forceNew: true, reconnection: false, transports: ['websocket'] });
      sockets.push(socket);
      const sent = way !== 'GET /api/events' ? new Promise((resolve) => socket.once('feed:missed', resolve)) : null;
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      if (sent) return void (await sent);
      const response = await pool.request({
        method: 'GET',
        path: `/api/events?after=${farAhead}&limit=200`,
        headers: { authorization: `Bearer ${token}` },
      });
      await response.body.dump();
      if (response.statusCode !== 200) throw new Error(`catch-up answered ${response.statusCode}`);
    }

    async function round(way: Way) {
      const sockets: Socket[] = [];
      const nodeBefore = processCpuSeconds(pid);
      const clientsBefore = process.cpuUsage();
      await inParallel(reconnects, concurrency, (i) => reconnect(people[i % people.length].token!, way, sockets));
      // Presence and announcements run after the connect.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const nodeUs = ((processCpuSeconds(pid) - nodeBefore) * 1e6) / reconnects;
      const clients = process.cpuUsage(clientsBefore);
      for (const socket of sockets) socket.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      return {
        way,
        nodeMicrosecondsPerReconnect: Math.round(nodeUs),
        clientMicrosecondsPerReconnect: Math.round((clients.user + clients.system) / reconnects),
      };
    }

    const results: Array<Awaited<ReturnType<typeof round>>> = [];
    for (let i = 0; i < rounds; i++)
      for (const way of WAYS.map((_, k) => WAYS[(k + i) % WAYS.length])) {
        const result = await round(way);
        console.error(JSON.stringify({ round: i, ...result }));
        if (i > 0) results.push(result);
      }
    const median = (way: Way, key: 'nodeMicrosecondsPerReconnect' | 'clientMicrosecondsPerReconnect') => {
      const values = results
        .filter((r) => r.way === way)
        .map((r) => r[key])
        .sort((a, b) => a - b);
      return values[Math.floor(values.length / 2)];
    };
    return {
      users,
      reconnects,
      concurrency,
      rounds: results,
      median: Object.fromEntries(
        WAYS.map((way) => [
          way,
          { node: median(way, 'nodeMicrosecondsPerReconnect'), clients: median(way, 'clientMicrosecondsPerReconnect') },
        ]),
      ),
    };
  } finally {
    await pool.close();
    await cluster.close();
  }
}
