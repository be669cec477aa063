import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgresOptions, type RunningEmbeddedPostgres } from './embedded-postgres.js';

const runsAsRoot = process.getuid?.() === 0;
if (!runsAsRoot) {
  console.warn(
    '⚠️  embedded PostgreSQL: the root-only check (a data folder under a 0700 directory) SKIPPED: this process does not run as root',
  );
}
const MODULE_URL = pathToFileURL(fileURLToPath(new URL('./embedded-postgres.ts', import.meta.url))).href;
const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('startEmbeddedPostgres', () => {
  let root: string;
  let dataDir: string;
  let clusterDir: string;
  const running: RunningEmbeddedPostgres[] = [];
  const leftoverPids: number[] = [];
  const log: string[] = [];
  const logger = { debug() {}, info: (m: string) => log.push(m), warn: (m: string) => log.push(m) };

  async function start(options: Partial<EmbeddedPostgresOptions> = {}): Promise<RunningEmbeddedPostgres> {
    const server = await startEmbeddedPostgres({ dataDir, logger, ...options });
    running.push(server);
    return server;
  }

  async function query<T extends pg.QueryResultRow>(databaseUrl: string, sql: string, values: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return (await client.query<T>(sql, values)).rows;
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    // Not under /root or os.tmpdir() of a sandbox: as root, postgres runs as another user and must
    // reach the folder. mkdtemp makes it 0700, so open it up.
    root = await mkdtemp('/tmp/derbel-embedded-test-');
    await chmod(root, 0o755);
    dataDir = path.join(root, 'data');
    clusterDir = path.join(dataDir, 'postgres');
  });

  afterEach(() => {
    log.length = 0;
  });

  afterAll(async () => {
    await Promise.all(running.map((server) => server.stop()));
    for (const pid of leftoverPids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    await rm(root, { recursive: true, force: true });
  });

  it('initialises a cluster on first start, serves the derbel database over its URL, and stops cleanly', async () => {
    const server = await start();

    expect(server.databaseUrl).toBe(
      `postgres://postgres:${(await readFile(path.join(dataDir, 'postgres-password'), 'utf8')).trim()}@127.0.0.1:${server.port}/derbel`,
    );
    expect((await stat(path.join(dataDir, 'postgres-password'))).mode & 0o777).toBe(0o600);
    expect(existsSync(path.join(clusterDir, 'PG_VERSION'))).toBe(true);
    expect(log).toContain(`initialising embedded PostgreSQL in ${clusterDir}`);

    const [row] = await query<{ one: number; db: string; encoding: string }>(
      server.databaseUrl,
      "SELECT 1 AS one, current_database() AS db, current_setting('server_encoding') AS encoding",
    );
    expect(row).toEqual({ one: 1, db: 'derbel', encoding: 'UTF8' });
    await query(server.databaseUrl, 'CREATE TABLE notes (body text NOT NULL)');
    await query(server.databaseUrl, 'INSERT INTO notes VALUES ($1)', ['written before a restart ✓']);

    // A second start on the same data while this one runs is refused, and harms nothing.
    await expect(startEmbeddedPostgres({ dataDir, logger })).rejects.toThrow(`is in use by the running Node process ${process.pid}`);
    expect(await query(server.databaseUrl, 'SELECT 1')).toHaveLength(1);

    await server.stop();
    await server.stop();
    await expect(query(server.databaseUrl, 'SELECT 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(existsSync(path.join(clusterDir, 'postmaster.pid'))).toBe(false);
  });

  it('reuses the cluster and its data on the next start, and moves off a busy port', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busyPort = (blocker.address() as net.AddressInfo).port;
    try {
      const server = await start({ port: busyPort });
      expect(server.port).not.toBe(busyPort);
      expect(log).toContain(`port ${busyPort} is busy; embedded PostgreSQL uses port ${server.port} instead`);
      expect(log.some((m) => m.startsWith('initialising'))).toBe(false);
      expect(await query(server.databaseUrl, 'SELECT body FROM notes')).toEqual([{ body: 'written before a restart ✓' }]);
      await server.stop();
    } finally {
      blocker.close();
    }
  });

  it('finds and stops a postgres orphaned by a SIGKILLed process, then starts on the same data', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { startEmbeddedPostgres } = await import(${JSON.stringify(MODULE_URL)});
         const server = await startEmbeddedPostgres({ dataDir: process.env.DERBEL_TEST_DATA_DIR });
         console.log('READY ' + server.databaseUrl);
         setInterval(() => {}, 1 << 30);`,
      ],
      { cwd: PROJECT_ROOT, env: { ...process.env, DERBEL_TEST_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const orphanUrl = await firstLineStartingWith(child.stdout!, 'READY ');
    const orphanPid = Number((await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    leftoverPids.push(orphanPid);

    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(isRunning(orphanPid)).toBe(true);
    await query(orphanUrl, 'INSERT INTO notes VALUES ($1)', ['written by the orphan']);

    const server = await start();

    expect(isRunning(orphanPid)).toBe(false);
    expect(log).toContain(`PostgreSQL (pid ${orphanPid}) left running on ${clusterDir} by a process that died; stopping it`);
    expect(await query(server.databaseUrl, 'SELECT body FROM notes ORDER BY body')).toEqual([
      { body: 'written before a restart ✓' },
      { body: 'written by the orphan' },
    ]);
    await server.stop();
  });

  it('removes a stale postmaster.pid naming a live process that is not postgres, and leaves that process alone', async () => {
    // Run as the user postgres runs as, so postgres itself would see the pid as alive and refuse to start.
    const postgresUser = runsAsRoot ? { uid: idOf('-u'), gid: idOf('-g') } : {};
    const bystander = spawn('sleep', ['30'], { stdio: 'ignore', ...postgresUser });
    leftoverPids.push(bystander.pid!);
    await writeFile(
      path.join(clusterDir, 'postmaster.pid'),
      `${bystander.pid}\n${clusterDir}\n1700000000\n5432\n\n127.0.0.1\n  1234 5678\nready\n`,
    );

    const server = await start();
    expect(log.some((m) => m.startsWith(`removing stale ${path.join(clusterDir, 'postmaster.pid')}`))).toBe(true);
    expect(await query(server.databaseUrl, 'SELECT count(*)::int AS n FROM notes')).toEqual([{ n: 2 }]);
    expect(isRunning(bystander.pid!)).toBe(true);
    await server.stop();
    bystander.kill('SIGKILL');
  });

  it.skipIf(!runsAsRoot)('refuses, when running as root, a data folder under a 0700 directory and names that directory', async () => {
    const locked = path.join(root, 'locked');
    await mkdir(locked);
    await chmod(locked, 0o700);
    await expect(start({ dataDir: path.join(locked, 'app', 'data') })).rejects.toThrow(
      `the directory ${locked} has mode 0700, and as Derbel runs as root PostgreSQL runs as the separate "postgres" user, which cannot pass through it`,
    );
  });
});

/** Alive and not a zombie (an orphan's reaper may never collect it). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return stat !== '' && !stat.startsWith('Z');
  } catch {
    return false;
  }
}

function idOf(flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
}

async function firstLineStartingWith(stream: NodeJS.ReadableStream, prefix: string): Promise<string> {
  let buffered = '';
  const timer = new AbortController();
  const deadline = sleep(30_000, undefined, { signal: timer.signal }).then(() => {
    throw new Error(`no line starting with "${prefix}" within 30 s; got: ${buffered}`);
  });
  const found = (async () => {
    for await (const chunk of stream) {
      buffered += chunk.toString();
      const line = buffered.split('\n').find((l) => l.startsWith(prefix));
      if (line !== undefined) return line.slice(prefix.length).trim();
    }
    throw new Error(`the child exited before printing "${prefix}"; got: ${buffered}`);
  })();
  try {
    return await Promise.race([found, deadline]);
  } finally {
    timer.abort();
    deadline.catch(() => {});
  }
}
