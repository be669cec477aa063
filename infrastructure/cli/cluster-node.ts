import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from './node-flags.js';

/** What a node process runs: a script, and the flags of the Node.js that runs it. */
export interface NodeEntry {
  script: string;
  execArgv: readonly string[];
}

/** `infrastructure/cli/start.ts` through tsx, as `npm start` runs it. */
export const TYPESCRIPT_ENTRY: NodeEntry = {
  script: fileURLToPath(new URL('./start.ts', import.meta.url)),
  execArgv: [...NODE_FLAGS, '--import', 'tsx'],
};

export interface ClusterNode {
  id: string;
  port: number;
  url: string;
  child: ChildProcess;
  /** Resolves once the node listens (rejects if it exits first or takes longer than 60 s). */
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Graceful stop: SIGTERM, then wait for the exit. */
  term(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, then wait for the exit. */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts one api node (`infrastructure/cli/start.ts`, or another `entry` to it) as its own process on a fixed port. */
export function launchNode(options: {
  id: string;
  port: number;
  env: Record<string, string | undefined>;
  /** Each line the node writes to stdout or stderr. */
  onOutput?: (line: string) => void;
  entry?: NodeEntry;
}): ClusterNode {
  const entry = options.entry ?? TYPESCRIPT_ENTRY;
  const child = spawn(process.execPath, [...entry.execArgv, entry.script], {
    env: { ...process.env, ...options.env, PORT: String(options.port), HOST: '127.0.0.1', NODE_ID: options.id },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    const lines = createInterface({ input: stream });
    lines.on('line', (line) => options.onOutput?.(line));
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${options.id} did not listen within 60 s`)), 60_000);
    child.on('message', (message: { type?: string }) => {
      if (message?.type === 'listening') {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${options.id} exited (${signal ?? code}) before listening`));
    });
  });
  ready.catch(() => {});
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    return exited;
  };
  return {
    id: options.id,
    port: options.port,
    url: `http://127.0.0.1:${options.port}`,
    child,
    ready,
    exited,
    term: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
  };
}
