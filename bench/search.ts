import { randomUUID } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { Pool } from 'undici';
import { derbelUpcasters } from '../application/upcasting/derbel-upcasters.js';
import { withUpcasting } from '../application/upcasting/upcasting-event-store.js';
import { JwtTokenService } from '../infrastructure/auth/jwt-token-service.js';
import { seedEvents } from '../infrastructure/cli/commands/seed-log.js';
import { migrate } from '../infrastructure/database/migrate.js';
import { createPool } from '../infrastructure/database/pool.js';
import { PostgresEventStore } from '../infrastructure/event-store/postgres-event-store.js';
import { rebuildProjections } from '../infrastructure/projections/rebuild.js';
import { allProjections } from '../projections/all-projections.js';
import { searchMessages } from '../projections/search/search.queries.js';
import { searchTerms } from '../projections/search/search-terms.js';
import { createTestDatabase } from '../test/support/database.js';
import { startNodeProcess } from '../test/support/node-process.js';
import { TEST_JWT_SECRET } from '../test/support/test-server.js';
import { TEST_ADMIN_DATABASE_URL, TEST_REDIS_URL } from '../test/support/test-env.js';
import { backendCpuMillisecondsBetween, backendCpuSeconds, cpuMillisecondsBetween, cpuSnapshot } from './cpu-usage.js';
import { BENCH_NODE_ENV, summarize } from './support.js';

/** A searcher: a seeded user with a token, their busiest conversation, and a word only a few of its messages hold. */
export interface Searcher {
  userId: string;
  token: string;
  visibleMessages: number;
  conversationId: string;
  rareWord: string;
}

/** The query kinds, each run with and without `conversationId`. Seeded texts are "Message <n> lorem ipsum…" or "Message <n>, edited". */
const KINDS = {
  'common word': () => 'lorem',
  'rare word': (s: Searcher) => s.rareWord,
  prefix: () => 'lo',
  'two words': () => 'message edi',
} satisfies Record<string, (s: Searcher) => string>;

/**
 * `npm run bench -- search [--events=N] [--users=20] [--seconds=30] [--keep]`: message search over a seeded log. Seeds
 * `events` (default 1,172,000: 1,000,042 messages among them) with `derbel events seed`'s SQL into a fresh database, builds every read model
 * with the rebuild path (`derbel projections rebuild --all`), starts one api node on it, gives the `users`
 * seeded people who see the most messages a session and a token (the row a sign-in writes, signed with the
 * node's secret), and has them search back to back over HTTP for `seconds`: each kind of query in turn, with
 * and without a conversation filter. Latency per kind, result rows, the read model's size and each kind's
 * plans (`EXPLAIN (ANALYZE, BUFFERS)` of the statements the route sends, for the busiest searcher, printed). `--keep` leaves the database for a look at other plans.
 */
export async function benchSearch({ events = 1_172_000, users = 20, seconds = 30, keep = 0 } = {}) {
  const log = (line: string) => console.error(line);
  const db = await createTestDatabase('derbel_bench');
  const pool = createPool(db.url, 4);
  const store = withUpcasting(new PostgresEventStore(pool, db.url), derbelUpcasters());
  try {
    await migrate(db.url);
    log(
      `search benchmark: ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)}, seeding ${events.toLocaleString('en')} events…`,
    );
    let started = performance.now();
    const client = await pool.connect();
    const seeded = await seedEvents(client, { events }).finally(() => client.release());
    const seedSeconds = (performance.now() - started) / 1000;
    log(
      `seeded ${seeded.events.toLocaleString('en')} events (${seeded.users} users, ${seeded.messages} messages) in ${seedSeconds.toFixed(0)} s`,
    );
    await pool.query('VACUUM ANALYZE events');
    started = performance.now();
    const rebuilt = await rebuildProjections({ connectionString: db.url, store, projections: allProjections() });
    const rebuildSeconds = (performance.now() - started) / 1000;
    log(`read models rebuilt in ${rebuildSeconds.toFixed(0)} s (${Math.round(rebuilt.eventsPerSecond)} events/s)`);
    await pool.query('VACUUM ANALYZE'); // as autovacuum would have by now

    const searchers = await chooseSearchers(pool, users);
    const node = await startNodeProcess({
      ...BENCH_NODE_ENV,
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: `bench-search-${process.pid}`,
      LOG_LEVEL: 'error',
      PROJECTIONS: 'off',
      // Back to back is far above a person's rate: the limit would answer most requests with 429.
      RATE_LIMIT_SEARCHES: '100000/1s',
    });
    const http = new Pool(node.url, { connections: users });
    const latencies = new Map<string, number[]>();
    const rows = new Map<string, number[]>();
    const statuses: Record<string, number> = {};
    const kinds = Object.entries(KINDS).flatMap(([kind, q]) => [
      { name: kind, q, filtered: false },
      { name: `${kind}, in one conversation`, q, filtered: true },
    ]);
    const loadBefore = os.loadavg()[0];
    const database = new URL(db.url).pathname.slice(1);
    const cpuBefore = cpuSnapshot({ node: node.child.pid ?? 0 });
    const backendsBefore = backendCpuSeconds(database);
    started = performance.now();
    await Promise.all(
      searchers.map(async (searcher, i) => {
        for (let n = i; performance.now() - started < seconds * 1000; n++) {
          const kind = kinds[n % kinds.length];
          const query = new URLSearchParams({ q: kind.q(searcher), limit: '20' });
          if (kind.filtered) query.set('conversationId', searcher.conversationId);
          const t0 = performance.now();
          const res = await http.request({
            method: 'GET',
            path: `/api/search?${query}`,
            headers: { authorization: `Bearer ${searcher.token}` },
          });
          const body = (await res.body.json()) as { results?: unknown[] };
          push(latencies, kind.name, performance.now() - t0);
          push(rows, kind.name, body.results?.length ?? 0);
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const cpu = cpuMillisecondsBetween(cpuBefore, cpuSnapshot({ node: node.child.pid ?? 0 }));
    const backendsMs = backendCpuMillisecondsBetween(backendsBefore, backendCpuSeconds(database));
    const searches = sum(latencies);
    await http.close();
    await node.stop();

    const perKind = Object.fromEntries(
      kinds.map(({ name }) => {
        const counts = rows.get(name) ?? [];
        return [name, { searches: counts.length, ...summarize(latencies.get(name) ?? []), meanResults: mean(counts) }];
      }),
    );
    const slowest = kinds.reduce((a, b) => (perKind[b.name].p99 > perKind[a.name].p99 ? b : a));
    // Every kind's plans, one search at a time, for the busiest searcher: the database's own time per statement.
    const plans = new Map<string, string[]>();
    for (const kind of kinds) {
      const plan = await explainSearch(pool, searchers[0], kind.q(searchers[0]), kind.filtered);
      plans.set(kind.name, plan);
      console.error(`EXPLAIN ANALYZE, ${kind.name}, user seeing ${searchers[0].visibleMessages} messages:\n${plan.join('\n')}`);
    }
    const plan = plans.get(slowest.name) ?? [];
    const executionMs = (lines: string[]) =>
      lines.filter((l) => l.startsWith('Execution Time')).map((l) => Number(l.replace(/[^\d.]/g, '')));
    return {
      events: seeded.events,
      messages: seeded.messages,
      seedSeconds: Math.round(seedSeconds),
      rebuildSeconds: Math.round(rebuildSeconds),
      users,
      seconds,
      loadAverageBefore: Math.round(loadBefore * 10) / 10,
      loadAverageAfter: Math.round(os.loadavg()[0] * 10) / 10,
      messagesSeenPerUser: {
        min: Math.min(...searchers.map((s) => s.visibleMessages)),
        max: Math.max(...searchers.map((s) => s.visibleMessages)),
      },
      searchesPerSecond: Math.round(searches / elapsed),
      // Where a search's time goes when the latency is mostly queueing: CPU per search of the api node (one
      // process: one core at most) and of the bench database's PostgreSQL backends.
      cpuMsPerSearch: {
        apiNode: Math.round((cpu.node / searches) * 100) / 100,
        postgres: Math.round((backendsMs / searches) * 100) / 100,
        loadGenerator: Math.round((cpu.loadGenerator / searches) * 100) / 100,
      },
      statuses,
      allMs: summarize([...latencies.values()].flat()),
      perKindMs: perKind,
      readModel: await readModelSize(pool),
      explainedExecutionMs: Object.fromEntries([...plans].map(([name, lines]) => [name, executionMs(lines)])),
      slowestPlan: { kind: slowest.name, lines: plan.filter((line) => /Execution Time|Scan/.test(line)).map((line) => line.trim()) },
    };
  } finally {
    await store.close();
    await pool.end();
    if (keep) log(`kept the database for a look at the plans: ${await keepDatabase(db.url)} (drop it when done)`);
    else await db.drop();
  }
}

/** The `users` people who see the most messages, each with a session and token, their busiest conversation and a rare word in it. */
export async function chooseSearchers(pool: pg.Pool, users: number): Promise<Searcher[]> {
  const { rows } = await pool.query<{ user_id: string; visible: number; contact_id: string; rare_word: string }>(
    `WITH seen AS (
       SELECT c.user_id, c.contact_id, count(*)::int AS n
       FROM contact_list c JOIN message_search s ON s.contact_id = c.contact_id
       WHERE NOT c.removed GROUP BY 1, 2),
     top AS (SELECT user_id, sum(n)::int AS visible FROM seen GROUP BY 1 ORDER BY 2 DESC LIMIT $1)
     SELECT t.user_id, t.visible, b.contact_id,
            (SELECT split_part(s.text, ' ', 2) FROM message_search s WHERE s.contact_id = b.contact_id AND s.text IS NOT NULL ORDER BY s.id LIMIT 1) AS rare_word
     FROM top t
     CROSS JOIN LATERAL (SELECT contact_id FROM seen WHERE seen.user_id = t.user_id ORDER BY n DESC LIMIT 1) b
     ORDER BY t.visible DESC`,
    [users],
  );
  const tokens = new JwtTokenService(TEST_JWT_SECRET, 3600);
  const sessions = rows.map((row) => ({ userId: row.user_id, sessionId: randomUUID() }));
  await pool.query(
    `INSERT INTO sessions (id, user_id, expires_at) SELECT s, u, now() + interval '1 day' FROM unnest($1::uuid[], $2::uuid[]) AS t(s, u)`,
    [sessions.map((s) => s.sessionId), sessions.map((s) => s.userId)],
  );
  return rows.map((row, i) => ({
    userId: row.user_id,
    token: tokens.issue(sessions[i]).token,
    visibleMessages: row.visible,
    conversationId: row.contact_id,
    rareWord: row.rare_word.replace(/\D/g, ''),
  }));
}

/**
 * `EXPLAIN (ANALYZE, BUFFERS)` of each statement `searchMessages` sends (captured, so a change to the query is
 * measured as it is), each run for real as well so the search goes on as it would.
 */
export async function explainSearch(pool: pg.Pool, searcher: Searcher, q: string, filtered: boolean): Promise<string[]> {
  const plans: string[] = [];
  const explained = (client: pg.Pool | pg.PoolClient) => ({
    query: async (text: string, values?: unknown[]) => {
      if (!values) return client.query(text); // BEGIN, SET LOCAL, COMMIT
      const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, values);
      plans.push(`-- statement ${plans.filter((l) => l.startsWith('-- statement')).length + 1}`);
      plans.push(...rows.map((r) => r['QUERY PLAN'] as string));
      return client.query(text, values);
    },
  });
  const explaining = {
    ...explained(pool),
    connect: async () => {
      const client = await pool.connect();
      return { ...explained(client), release: () => client.release() };
    },
  };
  await searchMessages(
    explaining as unknown as pg.Pool,
    searcher.userId,
    searchTerms(q),
    filtered ? { conversationId: searcher.conversationId } : {},
    { limit: 20 },
  );
  return plans;
}

async function readModelSize(pool: pg.Pool) {
  const { rows } = await pool.query<{ rows: string; table_mb: number; indexes_mb: number; total_mb: number }>(
    `SELECT (SELECT count(*) FROM message_search) AS rows,
            round(pg_table_size('message_search') / 1048576.0) AS table_mb,
            round(pg_indexes_size('message_search') / 1048576.0) AS indexes_mb,
            round(pg_total_relation_size('message_search') / 1048576.0) AS total_mb`,
  );
  const { rows: indexes } = await pool.query<{ name: string; mb: number }>(
    `SELECT indexrelid::regclass::text AS name, round(pg_relation_size(indexrelid) / 1048576.0) AS mb
     FROM pg_index WHERE indrelid = 'message_search'::regclass ORDER BY 1`,
  );
  const size = rows[0];
  return {
    rows: Number(size.rows),
    tableMB: Number(size.table_mb),
    indexesMB: Number(size.indexes_mb),
    totalMB: Number(size.total_mb),
    indexes: Object.fromEntries(indexes.map((i) => [i.name, Number(i.mb)])),
  };
}

/** Renames the bench database out of the tests' naming, whose global setup drops those of processes that ended. */
async function keepDatabase(url: string): Promise<string> {
  const kept = new URL(url);
  const name = kept.pathname.slice(1);
  kept.pathname = `/derbel_kept_search_${name.slice(-8)}`;
  const admin = new pg.Client({ connectionString: TEST_ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE ${name} RENAME TO ${kept.pathname.slice(1)}`);
  } finally {
    await admin.end();
  }
  return kept.toString();
}

function push(map: Map<string, number[]>, key: string, value: number) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const mean = (values: number[]) => (values.length ? Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10 : 0);
const sum = (map: Map<string, number[]>) => [...map.values()].reduce((total, list) => total + list.length, 0);
