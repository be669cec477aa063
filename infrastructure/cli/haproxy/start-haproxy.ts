import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureHaproxy } from './ensure-haproxy.js';
import { haproxyConfig, UNAVAILABLE_RESPONSE } from './haproxy-config.js';

export interface Upstream {
  id: string;
  url: string;
}

export interface LoadBalancer {
  url: string;
  /** Which upstream ids HAProxy routes new requests to right now (its health checks say UP). */
  inRotation(): Promise<string[]>;
  /** The most client connections HAProxy holds at once (its `Maxconn`). */
  maxConnections(): Promise<number>;
  close(): Promise<void>;
}

/** Runs HAProxy in front of the nodes (installing it with apt-get when missing), until `close`. */
export async function startHaproxy(options: {
  upstreams: Upstream[];
  port?: number;
  host?: string;
  healthIntervalMs?: number;
}): Promise<LoadBalancer> {
  const binary = ensureHaproxy();
  const host = options.host ?? '127.0.0.1';
  const port = options.port || (await freePort(host));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'derbel-haproxy-'));
  const statsSocket = path.join(dir, 'admin.sock');
  const unavailableFile = path.join(dir, '503.http');
  const configFile = path.join(dir, 'haproxy.cfg');
  await writeFile(unavailableFile, UNAVAILABLE_RESPONSE);
  await writeFile(
    configFile,
    haproxyConfig({
      host,
      port,
      statsSocket,
      unavailableFile,
      healthIntervalMs: options.healthIntervalMs ?? 1_000,
      upstreams: options.upstreams.map(({ id, url }) => ({ id, host: new URL(url).hostname, port: Number(new URL(url).port) })),
    }),
  );
  // Through a shell that holds our end of a pipe: when this process dies, however it dies, the pipe closes
  // and the shell stops HAProxy, so no balancer outlives its cluster or test.
  const child = spawn('/bin/sh', ['-c', '"$0" -db -f "$1" </dev/null & hp=$!; read _; kill $hp; wait $hp', binary, configFile], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForListening(host, port, () => child.exitCode !== null).catch((error) => {
    throw new Error(`haproxy did not start: ${error.message}\n${stderr}`);
  });

  return {
    url: `http://${host}:${port}`,
    async inRotation() {
      const csv = await adminCommand(statsSocket, 'show stat');
      return csv
        .split('\n')
        .map((line) => line.split(','))
        .filter(
          ([backend, server, ...rest]) => backend === 'api' && server !== 'BACKEND' && server !== 'FRONTEND' && rest[15]?.startsWith('UP'),
        )
        .map(([, server]) => server);
    },
    async maxConnections() {
      const info = await adminCommand(statsSocket, 'show info');
      return Number(/^Maxconn: (\d+)$/m.exec(info)?.[1]);
    },
    async close() {
      child.stdin.end();
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function adminCommand(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = net.connect(socketPath, () => socket.end(`${command}\n`));
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForListening(host: string, port: number, gaveUp: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (gaveUp()) throw new Error('it exited');
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
