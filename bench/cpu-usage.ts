import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc (0 if it is gone). */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** CPU seconds so far of every process whose command name is `name` (e.g. all PostgreSQL backends), by pid. */
function cpuSecondsByCommand(name: string): Map<number, number> {
  const seconds = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (Number.isInteger(pid) && commandOf(pid) === name) seconds.set(pid, processCpuSeconds(pid));
  }
  return seconds;
}

const sum = (seconds: Map<number, number>) => [...seconds.values()].reduce((a, b) => a + b, 0);
/** Per process, beside a snapshot's sums: a backend that exits between two snapshots must not count as negative CPU. */
const BY_PID = Symbol('cpu seconds by pid');
type Snapshot = Record<string, number> & { [BY_PID]?: Record<string, Map<number, number>> };

/**
 * CPU seconds used by the PostgreSQL backends connected to `database` (their title names it: `postgres: user
 * database host(port) state`): the benchmark's own share of a server other processes use too.
 */
function cpuSecondsOfDatabase(database: string): number {
  let total = 0;
  for (const seconds of backendCpuSeconds(database).values()) total += seconds;
  return total;
}

/**
 * CPU seconds so far of each PostgreSQL backend connected to `database`, by pid: compare two with
 * `backendCpuMillisecondsBetween`, which (unlike a sum) is not thrown off by a pool closing idle connections.
 */
export function backendCpuSeconds(database: string): Map<number, number> {
  const seconds = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || commandOf(pid) !== 'postgres') continue;
    try {
      if (
        readFileSync(`/proc/${pid}/cmdline`, 'utf8')
          .split(/[\s\0]+/)
          .includes(database)
      )
        seconds.set(pid, processCpuSeconds(pid));
    } catch {
      // gone meanwhile
    }
  }
  return seconds;
}

/** CPU milliseconds the backends alive at `after` used since `before` (those that ended meanwhile are not counted). */
export function backendCpuMillisecondsBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return Math.round(total * 1000);
}

/**
 * Snapshot of the CPU used by each part of a benchmark; `since(earlier)` gives CPU milliseconds per part.
 * PostgreSQL backends that exit between snapshots are not counted (the benchmark keeps its pools open).
 * With `database`, `postgresDatabase` is the part of PostgreSQL's CPU its backends used.
 */
export function cpuSnapshot(parts: Record<string, number>, options: { database?: string } = {}): Record<string, number> {
  const snapshot: Snapshot = {};
  for (const [name, pid] of Object.entries(parts)) snapshot[name] = processCpuSeconds(pid);
  const byPid = { postgres: cpuSecondsByCommand('postgres'), redis: cpuSecondsByCommand('redis-server') };
  snapshot.postgres = sum(byPid.postgres);
  if (options.database) snapshot.postgresDatabase = cpuSecondsOfDatabase(options.database);
  snapshot.redis = sum(byPid.redis);
  snapshot[BY_PID] = byPid;
  const usage = process.cpuUsage();
  snapshot.loadGenerator = (usage.user + usage.system) / 1e6;
  return snapshot;
}

export function cpuMillisecondsBetween(before: Snapshot, after: Snapshot): Record<string, number> {
  return Object.fromEntries(
    Object.keys(after).map((k) => {
      const pids = [before[BY_PID]?.[k], after[BY_PID]?.[k]];
      if (pids[0] && pids[1]) return [k, backendCpuMillisecondsBetween(pids[0], pids[1])];
      return [k, Math.round((after[k] - (before[k] ?? 0)) * 1000)];
    }),
  );
}
