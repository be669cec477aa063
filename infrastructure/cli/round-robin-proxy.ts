import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Readable } from 'node:stream';
import httpProxy from 'http-proxy';

export const STICKY_COOKIE = 'derbel_node';
const MAX_BODY_BYTES = 1024 * 1024;

export interface Upstream {
  id: string;
  url: string;
}

interface UpstreamState extends Upstream {
  /** Answers at all (a node whose database is down still answers, with 503s worth passing on). */
  alive: boolean;
  /** Said it is draining: gets nothing new. */
  draining: boolean;
}

export interface RoundRobinProxy {
  url: string;
  server: http.Server;
  /** Which upstream ids are taking traffic right now. */
  inRotation(): string[];
  close(): Promise<void>;
}

/**
 * A small load balancer for `npm run cluster` and the failover tests: round robin over the nodes that
 * answer, a sticky cookie (Socket.io's polling transport needs every request of a session on one
 * node), WebSocket upgrades, and health from each node's `/readyz` (a draining node leaves the rotation).
 * A request refused by a dead node is replayed on the next one: it never reached the dead node.
 */
export async function startRoundRobinProxy(options: {
  upstreams: Upstream[];
  port?: number;
  host?: string;
  healthIntervalMs?: number;
}): Promise<RoundRobinProxy> {
  const upstreams: UpstreamState[] = options.upstreams.map((u) => ({ ...u, alive: true, draining: false }));
  const proxy = httpProxy.createProxyServer({ xfwd: true, ws: true });
  let next = 0;

  const usable = () => upstreams.filter((u) => u.alive && !u.draining);
  const pick = (cookieHeader: string | undefined, exclude: Set<string>): UpstreamState | undefined => {
    const sticky = stickyId(cookieHeader);
    const pinned = upstreams.find((u) => u.id === sticky && u.alive && !u.draining && !exclude.has(u.id));
    if (pinned) return pinned;
    let candidates = usable().filter((u) => !exclude.has(u.id));
    // Nobody looks healthy: try the others anyway rather than refuse (a refused connection moves on).
    if (candidates.length === 0) candidates = upstreams.filter((u) => !u.draining && !exclude.has(u.id));
    if (candidates.length === 0) return undefined;
    return candidates[next++ % candidates.length];
  };

  proxy.on('proxyRes', (proxyRes, req) => {
    const chosen = (req as RoutedRequest).upstreamId;
    if (chosen && stickyId(req.headers.cookie) !== chosen) {
      const cookie = `${STICKY_COOKIE}=${chosen}; Path=/; HttpOnly; SameSite=Lax`;
      const existing = proxyRes.headers['set-cookie'] ?? [];
      proxyRes.headers['set-cookie'] = [...existing, cookie];
    }
  });

  const forward = (req: RoutedRequest, res: ServerResponse, body: Buffer, tried: Set<string>) => {
    const upstream = pick(req.headers.cookie, tried);
    if (!upstream) return unavailable(res);
    tried.add(upstream.id);
    req.upstreamId = upstream.id;
    proxy.web(req, res, { target: upstream.url, buffer: Readable.from([body]) }, (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') {
        upstream.alive = false;
        return forward(req, res, body, tried);
      }
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end(JSON.stringify({ statusCode: 502, code: 'BAD_GATEWAY', message: `Node ${upstream.id} failed mid-request; retry` }));
      } else res.destroy();
    });
  };

  const server = http.createServer((req, res) => {
    readBody(req)
      .then((body) => forward(req as RoutedRequest, res, body, new Set()))
      .catch(() => {
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' }));
      });
  });
  server.on('upgrade', (req: RoutedRequest, socket: Duplex, head: Buffer) => {
    const upstream = pick(req.headers.cookie, new Set());
    if (!upstream) return socket.destroy();
    req.upstreamId = upstream.id;
    socket.on('error', () => socket.destroy());
    proxy.ws(req, socket, head, { target: upstream.url }, (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') upstream.alive = false;
      socket.destroy();
    });
  });

  const checkHealth = async () => {
    await Promise.all(
      upstreams.map(async (u) => {
        try {
          const response = await fetch(`${u.url}/readyz`, { signal: AbortSignal.timeout(2_000) });
          const body = (await response.json().catch(() => ({}))) as { checks?: { draining?: boolean } };
          u.alive = true;
          u.draining = body.checks?.draining === true;
        } catch (error) {
          // Refused: the node is gone. A timeout only means it is slow; leave it as it was.
          if ((error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') u.alive = false;
        }
      }),
    );
  };
  await checkHealth();
  const health = setInterval(() => void checkHealth(), options.healthIntervalMs ?? 1_000);
  health.unref();

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}`,
    server,
    inRotation: () => usable().map((u) => u.id),
    async close() {
      clearInterval(health);
      proxy.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type RoutedRequest = IncomingMessage & { upstreamId?: string };

function stickyId(cookieHeader: string | undefined): string | undefined {
  return cookieHeader
    ?.split(';')
    .map((part) => part.trim().split('='))
    .find(([name]) => name === STICKY_COOKIE)?.[1];
}

function unavailable(res: ServerResponse) {
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
  res.end(JSON.stringify({ statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: 'No api node is available; retry shortly' }));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        reject(new Error('too large'));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
