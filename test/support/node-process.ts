import { fork, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compiledNodeEntry } from './compiled-node.js';
import { TEST_JWT_SECRET } from './test-server.js';

export interface NodeProcess {
  url: string;
  child: ChildProcess;
  /** Graceful stop (SIGTERM) and wait for exit. */
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** A Node.js that runs with another open-files limit (lowering it needs no privilege; raising it past the hard limit needs root). */
function nodeWithOpenFilesLimit(limit: number) {
  const script = path.join(mkdtempSync(path.join(tmpdir(), 'derbel-node-')), 'node');
  writeFileSync(script, `#!/bin/sh\nulimit -n ${limit} || exit 1\nexec "${process.execPath}" "$@"\n`);
  chmodSync(script, 0o755);
  return script;
}

/** Starts a real api node as a separate process (`npm start`'s entry, compiled) and waits until it listens. */
export async function startNodeProcess(env: Record<string, string>, options: { openFilesLimit?: number } = {}): Promise<NodeProcess> {
  const entry = await compiledNodeEntry();
  const child = fork(entry.script, [], {
    ...(options.openFilesLimit ? { execPath: nodeWithOpenFilesLimit(options.openFilesLimit) } : {}),
    execArgv: [...entry.execArgv, ...(process.env.DERBEL_NODE_EXEC_ARGV?.split(' ').filter(Boolean) ?? [])],
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: '0',
      HOST: '127.0.0.1',
      PASSWORD_ROUNDS: '4',
      JWT_SECRET: TEST_JWT_SECRET,
      // Tests stand for many clients by sending X-Forwarded-For from this machine, as a proxy would.
      TRUST_PROXY: 'loopback',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('node did not start in 30 s')), 30_000);
    child.on('message', (message: any) => {
      if (message?.type === 'listening') {
        clearTimeout(timer);
        resolve(String(message.address).replace('[::1]', '127.0.0.1'));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code} before listening`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
