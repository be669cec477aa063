import net from 'node:net';
import { launchNode, type ClusterNode } from '../../infrastructure/cli/cluster-node.js';
import { startHaproxy, type LoadBalancer } from '../../infrastructure/cli/haproxy/start-haproxy.js';
import { compiledNodeEntry } from './compiled-node.js';
import { TEST_JWT_SECRET } from './test-server.js';

/**
 * Several real api processes (`infrastructure/cli/start.ts`) on one PostgreSQL and one Redis, behind the
 * HAProxy of `npm run cluster`: the multi-node topology of the deployment, in a test.
 */
export interface TestCluster {
  /** The balancer's URL: what a browser would talk to. */
  url: string;
  proxy: LoadBalancer;
  ids: string[];
  node(id: string): ClusterNode;
  /** Nodes whose process is running. */
  live(): ClusterNode[];
  /** Starts a stopped or killed node again on its port. */
  restart(id: string): Promise<void>;
  /** Which node runs each projection, from the nodes' own /metrics. */
  leaders(): Promise<Map<string, string>>;
  /** Every projection the nodes run (led or standing by). */
  projections(): Promise<Set<string>>;
  /** Socket.io connections per node, from /metrics. */
  sockets(): Promise<Map<string, number>>;
  /** The last lines a node wrote (for failure messages). */
  output(id: string): string;
  /** The end of a file: closes the balancer and kills every node (see deployment-teardown.ts). */
  kill(): Promise<void>;
}

export async function startTestCluster(options: {
  size?: number;
  databaseUrl: string;
  redisUrl: string;
  env?: Record<string, string>;
}): Promise<TestCluster> {
  const ids = Array.from({ length: options.size ?? 3 }, (_, i) => `node-${i + 1}`);
  const ports = new Map<string, number>();
  for (const id of ids) ports.set(id, await freePort());
  const nodes = new Map<string, ClusterNode>();
  const outputs = new Map<string, string[]>(ids.map((id) => [id, []]));
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    PASSWORD_ROUNDS: '4',
    JWT_SECRET: TEST_JWT_SECRET,
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    // The failover tests' senders post back to back to measure delivery, far above a person's rate.
    RATE_LIMIT_MESSAGES: '100000/1s',
    ...options.env,
  };
  const entry = await compiledNodeEntry();
  const launch = (id: string) => {
    const node = launchNode({
      id,
      port: ports.get(id)!,
      env,
      entry,
      onOutput: (line) => {
        const lines = outputs.get(id)!;
        lines.push(line);
        if (lines.length > 200) lines.shift();
      },
    });
    nodes.set(id, node);
    return node.ready;
  };
  await Promise.all(ids.map(launch));
  const proxy = await startHaproxy({
    upstreams: ids.map((id) => ({ id, url: `http://127.0.0.1:${ports.get(id)}` })),
    healthIntervalMs: 250,
  });
  const isRunning = (node: ClusterNode) => node.child.exitCode === null && node.child.signalCode === null;
  const scrapeAll = async () =>
    Promise.all(
      [...nodes.values()].filter(isRunning).map(async (node) => {
        const text = await fetch(`${node.url}/metrics`, { signal: AbortSignal.timeout(2_000) })
          .then((r) => r.text())
          .catch(() => '');
        return { id: node.id, text };
      }),
    );

  return {
    url: proxy.url,
    proxy,
    ids,
    node: (id) => nodes.get(id)!,
    live: () => [...nodes.values()].filter(isRunning),
    async restart(id) {
      if (isRunning(nodes.get(id)!)) return;
      await launch(id);
    },
    async leaders() {
      const leaders = new Map<string, string>();
      for (const { id, text } of await scrapeAll()) {
        for (const match of text.matchAll(/^derbel_projection_leader\{projection="([^"]+)"\} 1$/gm)) leaders.set(match[1], id);
      }
      return leaders;
    },
    async projections() {
      const names = new Set<string>();
      for (const { text } of await scrapeAll()) {
        for (const match of text.matchAll(/^derbel_projection_leader\{projection="([^"]+)"\} [01]$/gm)) names.add(match[1]);
      }
      return names;
    },
    async sockets() {
      const counts = new Map<string, number>();
      for (const { id, text } of await scrapeAll()) {
        const match = text.match(/^derbel_connected_sockets (\d+)$/m);
        if (match) counts.set(id, Number(match[1]));
      }
      return counts;
    },
    output: (id) => outputs.get(id)!.join('\n'),
    async kill() {
      await proxy.close();
      await Promise.all([...nodes.values()].map((n) => n.kill()));
    },
  };
}

/** A TCP port nobody listens on right now (the OS picks it; tiny race until the caller binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
