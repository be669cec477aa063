import { spawn } from 'node:child_process';
import pg from 'pg';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { createTestDatabase } from '../test/support/database.js';
import { startNodeProcess } from '../test/support/node-process.js';
import { projectionsReached, seedPopulation } from '../test/support/seeded-population.js';
import { BENCH_LIMITS, BENCH_NODE_ENV, inParallel } from './support.js';

/** A Redis of the bench's own, so its command counts are the bench's only (the machine's is shared). */
async function privateRedis(port: number) {
  const child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const redis = new Redis({ port, lazyConnect: true, retryStrategy: (n) => (n > 50 ? null : 100) });
  await redis.connect();
  return {
    url: `redis://127.0.0.1:${port}`,
    /** Calls per command since the server started (INFO commandstats). */
    async commands() {
      const info = await redis.info('commandstats');
      const calls: Record<string, number> = {};
      for (const match of info.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)) calls[match[1]] = Number(match[2]);
      return calls;
    },
    async close() {
      redis.disconnect();
      child.kill('SIGKILL');
    },
  };
}

const between = (before: Record<string, number>, after: Record<string, number>) => {
  const delta: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) delta[k] = v - (before[k] ?? 0);
  return { total: Object.values(delta).reduce((a, b) => a + b, 0), publish: delta.publish ?? 0, byCommand: delta };
};

interface Client {
  socket: Socket | null;
  pushes: number;
  changes: number;
}

/**
 * Presence fan-out: (a) one user with `hubContacts` contacts, all connected, comes online and goes offline
 * (`flaps` times quickly, then once for good); (b) `users` people with `contacts` contacts each, all connected to
 * node 2, reconnect to node 1 spread over `stormSeconds`. Counts the presence pushes the clients received,
 * the presence changes they carried, and the Redis commands (a private Redis), until presence is quiet.
 */
export async function benchPresence({ users = 2000, contacts = 20, hubContacts = 1000, stormSeconds = 10, flaps = 5 } = {}) {
  const redis = await privateRedis(6390 + Math.floor(Math.random() * 100));
  const db = await createTestDatabase('derbel_bench');
  const env = {
    ...BENCH_NODE_ENV,
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    LOG_LEVEL: 'error',
    ...BENCH_LIMITS,
    RATE_LIMIT_SIGN_UP: '100000/1m',
  };
  const nodes = [await startNodeProcess({ ...env, NODE_ID: 'presence-1' }), await startNodeProcess({ ...env, NODE_ID: 'presence-2' })];
  const clients: Client[] = [];
  try {
    const population = await seedPopulation(db.url, { users, contactsPerUser: contacts, pairs: 0 });
    await projectionsReached(db.url, population.head);
    console.error(`seeded ${users} people with ${contacts} contacts each in ${population.seconds.toFixed(1)} s`);
    const usernames = await usernamesOf(
      db.url,
      population.users.map((u) => u.userId),
    );

    // The hub: a new person whose contact requests the first `hubContacts` people accept.
    const hub = await post(nodes[0].url, '/api/accounts', null, {
      username: 'hub_user',
      displayName: 'hub',
      password: 'correct horse battery',
    });
    const hubToken = (await post(nodes[0].url, '/api/sessions', null, { username: 'hub_user', password: 'correct horse battery' }))
      .token as string;
    await inParallel(Math.min(hubContacts, users), 20, async (i) => {
      const { contact } = await post(nodes[0].url, '/api/contacts', hubToken, { username: usernames[i] });
      await post(nodes[0].url, `/api/contacts/${contact.id}/accept`, population.users[i].token, undefined);
    });
    console.error(`hub ${hub.user?.id ?? ''} has ${Math.min(hubContacts, users)} contacts`);

    const open = (i: number, url: string) =>
      new Promise<void>((resolve, reject) => {
        const client = (clients[i] ??= { socket: null, pushes: 0, changes: 0 });
        const socket = io(url, {
          auth: { token: population.users[i].token },
          transports: ['websocket'],
          forceNew: true,
          reconnection: false,
        });
        client.socket = socket;
        socket.on('event', (e: { type: string; data: any }) => {
          if (e.type === 'PresenceChanged') {
            client.pushes++;
            client.changes++;
          } else if (e.type === 'PresenceChanges') {
            client.pushes++;
            client.changes += e.data.changes.length;
          }
        });
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
    const totals = () =>
      clients.reduce(
        (t, c) => ({ pushes: t.pushes + c.pushes, changes: t.changes + c.changes, maxPushes: Math.max(t.maxPushes, c.pushes) }),
        { pushes: 0, changes: 0, maxPushes: 0 },
      );
    const resetCounts = () => clients.forEach((c) => ((c.pushes = 0), (c.changes = 0)));
    /** Waits until no presence push arrived for `quietMs` (the announcements of what just happened are done). */
    const quiet = async (quietMs = 5_000) => {
      let last = totals().pushes;
      let since = Date.now();
      while (Date.now() - since < quietMs) {
        await new Promise((r) => setTimeout(r, 250));
        if (totals().pushes !== last) {
          last = totals().pushes;
          since = Date.now();
        }
      }
    };

    await inParallel(users, 50, (i) => open(i, nodes[1].url));
    await quiet();
    console.error(`${users} connected to node 2`);

    // (a) The hub comes online and goes offline.
    const hubRound = async (flapping: boolean) => {
      resetCounts();
      const before = await redis.commands();
      const rounds = flapping ? flaps : 1;
      for (let r = 0; r < rounds; r++) {
        const socket = io(nodes[0].url, { auth: { token: hubToken }, transports: ['websocket'], forceNew: true, reconnection: false });
        await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
        if (!flapping) await quiet();
        socket.disconnect();
        if (!flapping) await quiet();
      }
      await quiet();
      return { ...totals(), redisCommands: between(before, await redis.commands()) };
    };
    const hubOnlineOffline = await hubRound(false);
    console.error(JSON.stringify({ hubOnlineOffline }));
    const hubFlaps = await hubRound(true);
    console.error(JSON.stringify({ hubFlaps }));

    // (b) Everyone on node 2 reconnects to node 1 within stormSeconds.
    resetCounts();
    const before = await redis.commands();
    const started = performance.now();
    await inParallel(users, 200, async (i) => {
      const due = started + (i / users) * stormSeconds * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      clients[i].socket!.disconnect();
      await open(i, nodes[0].url);
    });
    const reconnectedSeconds = (performance.now() - started) / 1000;
    await quiet();
    const storm = {
      users,
      contacts,
      stormSeconds,
      reconnectedSeconds: Math.round(reconnectedSeconds * 10) / 10,
      ...totals(),
      redisCommands: between(before, await redis.commands()),
    };
    console.error(JSON.stringify({ storm }));
    return { hubContacts: Math.min(hubContacts, users), hubOnlineOffline, hubFlaps: { flaps, ...hubFlaps }, storm };
  } finally {
    for (const c of clients) c.socket?.disconnect();
    await Promise.all(nodes.map((n) => n.stop()));
    await db.drop();
    await redis.close();
  }
}

async function post(url: string, path: string, token: string | null, body: unknown) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json as any;
}

async function usernamesOf(url: string, userIds: string[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ user_id: string; username: string }>(
      `SELECT data->>'userId' AS user_id, data->>'username' AS username FROM events WHERE type = 'AccountRegistered'`,
    );
    const byId = new Map(rows.map((r) => [r.user_id, r.username]));
    return userIds.map((id) => byId.get(id)!);
  } finally {
    await client.end();
  }
}
