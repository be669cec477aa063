import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './eventually.js';

/** Debian's coturn; `.ci/run` installs it (`apt-get install coturn`). */
export const TURNSERVER = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver';

export interface Coturn {
  /** The TURN URL to hand to browsers, e.g. `turn:127.0.0.1:40123?transport=udp`. */
  url: string;
  /** Log lines so far (for a failure message). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * A real coturn on 127.0.0.1 checking the app's short-lived credentials with the shared secret
 * (`use-auth-secret`, coturn's REST API). Relays between loopback addresses are allowed: both browsers
 * of a test run on this machine. Its pid file and user database live in a temporary directory.
 */
export async function startCoturn(secret: string): Promise<Coturn> {
  const port = await freeTcpPort();
  const dir = await mkdtemp(join(tmpdir(), 'derbel-coturn-'));
  const child = spawn(
    TURNSERVER,
    [
      '-n', // no configuration file: everything is on this line
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${port}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=derbel.test',
      '--no-tls',
      '--no-dtls',
      '--allow-loopback-peers',
      '--no-multicast-peers',
      '--no-cli',
      '--fingerprint',
      '--verbose', // logs each allocation, which the test checks
      '--simple-log',
      '--log-file=stdout',
      `--pidfile=${join(dir, 'turnserver.pid')}`,
      `--db=${join(dir, 'turndb')}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let failed: Error | null = null;
  child.once('error', (error) => (failed = error));
  try {
    await eventually(
      async () => {
        if (failed) throw failed;
        if (child.exitCode !== null) throw new Error(`turnserver exited with ${child.exitCode}: ${output}`);
        await tcpReachable(port);
        return true;
      },
      { timeoutMs: 10_000, message: 'turnserver did not listen' },
    );
  } catch (error) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `turn:127.0.0.1:${port}?transport=udp`,
    log: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function tcpReachable(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}
