import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, waitForPort } from '../../support/cluster.js';

/**
 * A private redis-server on a free port, so restarting it disturbs no other test (the machine's Redis
 * at 6379 is shared). Nothing is persisted: a restart comes back empty, as a real Redis restart may.
 */
export interface RedisServer {
  url: string;
  /** SIGTERM and wait until it is gone. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      {
        stdio: 'ignore',
      },
    );
    await waitForPort(port);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      await exited;
    },
  };
}
