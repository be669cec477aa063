import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { eventually } from '../../../test/support/api-client.js';
import { STICKY_COOKIE } from './haproxy-config.js';
import { startHaproxy, type LoadBalancer } from './start-haproxy.js';

/** A stand-in api node: answers /readyz like Derbel does and echoes who it is. */
async function fakeNode(id: string, state: { draining?: boolean } = {}) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url === '/readyz') {
        res.writeHead(state.draining ? 503 : 200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ checks: state.draining ? { draining: true } : { database: true } }));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ node: id, body, forwardedFor: req.headers['x-forwarded-for'] ?? null }));
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.send(`hello from ${id}`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    id,
    url,
    state,
    close: () => {
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('HAProxy in front of the nodes (npm run cluster, multi-node tests)', () => {
  let proxy: LoadBalancer | undefined;
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await proxy?.close();
    for (const close of closers.splice(0)) await close().catch(() => {});
  });
  const nodes = async (...ids: string[]) => {
    const started = await Promise.all(ids.map((id) => fakeNode(id)));
    closers.push(...started.map((n) => n.close));
    return started;
  };
  const get = async (path: string, cookie?: string) => {
    const response = await fetch(proxy!.url + path, { headers: cookie ? { cookie } : {} });
    return {
      body: (await response.json()) as { node: string; body: string; forwardedFor: string | null },
      setCookie: response.headers.get('set-cookie'),
    };
  };

  it('spreads requests over the nodes in turn and pins a client with its cookie', async () => {
    const [a, b, c] = await nodes('a', 'b', 'c');
    proxy = await startHaproxy({ upstreams: [a, b, c] });
    const seen = [];
    for (let i = 0; i < 6; i++) seen.push((await get('/x')).body.node);
    expect(new Set(seen)).toEqual(new Set(['a', 'b', 'c']));
    expect(seen.slice(0, 3)).toEqual(seen.slice(3));

    const first = await get('/x');
    expect(first.setCookie).toContain(`${STICKY_COOKIE}=${first.body.node}`);
    const cookie = `${STICKY_COOKIE}=${first.body.node}`;
    for (let i = 0; i < 4; i++) {
      const pinned = await get('/x', cookie);
      expect(pinned.body.node).toBe(first.body.node);
      expect(pinned.setCookie).toBeNull();
    }
    expect(first.body.forwardedFor).toBe('127.0.0.1');
  });

  it('replays a request a dead node refused on the next node, body included, and drops the dead node', async () => {
    const [a, b] = await nodes('a', 'b');
    proxy = await startHaproxy({ upstreams: [a, b], healthIntervalMs: 60_000 });
    await a.close();
    for (let i = 0; i < 3; i++) {
      const response = await fetch(proxy.url + '/send', {
        method: 'POST',
        body: `payload ${i}`,
        headers: { cookie: `${STICKY_COOKIE}=a` },
      });
      expect(await response.json()).toMatchObject({ node: 'b', body: `payload ${i}` });
    }
    expect(await proxy.inRotation()).toEqual(['b']);
  });

  it('takes a draining node out of rotation, sends to live nodes when none is ready, and answers 503 with Retry-After when none is left', async () => {
    const [a, b] = await nodes('a', 'b');
    b.state.draining = true;
    proxy = await startHaproxy({ upstreams: [a, b], healthIntervalMs: 50 });
    await eventually(async () => (await proxy!.inRotation()).join() === 'a');
    for (let i = 0; i < 4; i++) expect((await get('/x')).body.node).toBe('a');
    expect((await get('/x', `${STICKY_COOKIE}=b`)).body.node).toBe('a');

    // Not ready anywhere (the database is down for all): the nodes still alive answer for themselves.
    a.state.draining = true;
    await eventually(async () => (await proxy!.inRotation()).length === 0);
    const answeredBy = new Set<string>();
    for (let i = 0; i < 4; i++) answeredBy.add((await get('/x')).body.node);
    expect(answeredBy).toEqual(new Set(['a', 'b']));

    await a.close();
    await b.close();
    // A keep-alive connection the proxy closed as its last backend went may be picked first: ask on a new one then.
    const url = proxy.url + '/x';
    const response = await fetch(url).catch(() => fetch(url));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
  });

  it('holds as many connections as its open-files hard limit allows, not a fixed few thousand', async () => {
    const [a] = await nodes('a');
    proxy = await startHaproxy({ upstreams: [a] });
    const hardLimit = Number(/^Max open files\s+\S+\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))![1]);
    // Two descriptors per proxied connection, less the few HAProxy keeps for itself.
    expect(await proxy.maxConnections()).toBeGreaterThanOrEqual(Math.floor(hardLimit / 2) - 64);
  });

  it('proxies WebSocket upgrades', async () => {
    const [a] = await nodes('a');
    proxy = await startHaproxy({ upstreams: [a] });
    const ws = new WebSocket(proxy.url.replace('http', 'ws') + '/socket');
    const message = await new Promise<string>((resolve, reject) => {
      ws.once('message', (data) => resolve(String(data)));
      ws.once('error', reject);
    });
    ws.close();
    expect(message).toBe('hello from a');
  });

  it('stops when the process that started it dies, even by SIGKILL', async () => {
    const [a] = await nodes('a');
    const script = `import('./infrastructure/cli/haproxy/start-haproxy.ts').then(async ({ startHaproxy }) => {
      const lb = await startHaproxy({ upstreams: [{ id: 'a', url: ${JSON.stringify(a.url)} }] });
      process.send(lb.url);
    });`;
    const owner = fork('-e', [script], {
      execArgv: ['--import', 'tsx', '--input-type=module'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    } as never);
    const url = await new Promise<string>((resolve) => owner.once('message', (m) => resolve(String(m))));
    const port = Number(new URL(url).port);
    expect((await fetch(`${url}/x`).then((r) => r.json())).node).toBe('a');

    owner.kill('SIGKILL');
    const listening = () =>
      new Promise<boolean>((resolve) =>
        net
          .connect({ host: '127.0.0.1', port })
          .once('connect', function (this: net.Socket) {
            this.destroy();
            resolve(true);
          })
          .once('error', () => resolve(false)),
      );
    await eventually(async () => !(await listening()), { timeoutMs: 5_000 });
  });
});
