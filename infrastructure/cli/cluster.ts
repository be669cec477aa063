import pg from 'pg';
import { loadConfig } from '../config/config.js';
import { resolveJwtSecret } from '../config/jwt-secret.js';
import { maskUrlCredentials as maskUrl } from '../config/mask-url.js';
import { launchNode, type ClusterNode } from './cluster-node.js';
import { startHaproxy } from './haproxy/start-haproxy.js';

/**
 * `npm run cluster [-- N]`: N api nodes (ports 3001…) on one PostgreSQL and one Redis, behind HAProxy
 * (PORT, default 3000; Debian's haproxy, installed with apt-get when missing), configured as Traefik is in
 * the Docker deployment (haproxy/haproxy-config.ts). Kill a node (`kill -9 <pid>`) to watch failover; it is
 * started again after a few seconds. Nodes log at LOG_LEVEL (default warn: the proxy's health checks
 * would otherwise fill the screen).
 */
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/derbel_cluster';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const RESPAWN_DELAY_MS = 3_000;

async function main() {
  const count = Number(process.argv[2] ?? process.env.CLUSTER_NODES ?? 3);
  if (!Number.isInteger(count) || count < 1 || count > 16) throw new Error('Usage: npm run cluster -- <nodes 1-16>');
  const proxyPort = Number(process.env.PORT ?? 3000);
  const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  await ensureDatabase(databaseUrl);
  // One secret for every node, kept in the data folder like `npm start` does.
  const jwtSecret = await resolveJwtSecret(loadConfig({ ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl }));
  // The nodes sit behind HAProxy on this machine, whose X-Forwarded-For names the client.
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    JWT_SECRET: jwtSecret,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    TRUST_PROXY: process.env.TRUST_PROXY ?? 'loopback',
  };

  let stopping = false;
  const nodes = new Map<string, ClusterNode>();
  const start = (id: string, port: number): ClusterNode => {
    const node = launchNode({ id, port, env, onOutput: (line) => console.log(`[${id}] ${line}`) });
    nodes.set(id, node);
    void node.exited.then(({ code, signal }) => {
      if (stopping) return;
      console.log(`[cluster] ${id} (pid ${node.child.pid}) exited (${signal ?? code}); starting it again in ${RESPAWN_DELAY_MS / 1000} s`);
      setTimeout(() => !stopping && start(id, port), RESPAWN_DELAY_MS);
    });
    return node;
  };
  const upstreams = Array.from({ length: count }, (_, i) => ({ id: `node-${i + 1}`, port: proxyPort + 1 + i }));
  await Promise.all(upstreams.map(({ id, port }) => start(id, port).ready));

  const proxy = await startHaproxy({
    upstreams: upstreams.map(({ id, port }) => ({ id, url: `http://127.0.0.1:${port}` })),
    port: proxyPort,
    host: process.env.HOST ?? '127.0.0.1',
  });
  console.log(`\nDerbel cluster of ${count} nodes on ${maskUrl(databaseUrl)} and ${maskUrl(redisUrl)}`);
  for (const { id, port } of upstreams)
    console.log(`  ${id}  http://127.0.0.1:${port}  pid ${nodes.get(id)!.child.pid}  (metrics: /metrics)`);
  console.log(`\n  → open ${proxy.url}  (HAProxy holds up to ${await proxy.maxConnections()} connections)\n`);

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('[cluster] stopping: SIGTERM to every node');
    await Promise.all([...nodes.values()].map((n) => n.term()));
    await proxy.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

/** Creates the cluster's database on first use. */
async function ensureDatabase(url: string) {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`Unsupported database name "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE ${name}`);
      console.log(`[cluster] created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
