import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { allProjections } from '../../../projections/all-projections.js';
import { DEFAULT_BATCH_SIZE, rebuildProjections, RebuildBusyError, type RebuildProgress } from '../../projections/rebuild.js';
import { pendingRebuilds } from '../../projections/rebuild-shadow.js';
import { ADVISORY_LOCKS } from '../../database/advisory-locks.js';
import type { CliDatabase } from './cli-database.js';
import { CliError, EXIT_INTERRUPTED, integerOption, UsageError, writeLine, type CliIo } from './cli-io.js';
import { formatCount, formatDuration, formatTable } from './format-table.js';
import { PARKED_USAGE, parseParkedCommand } from './projections-parked.js';

const RUNNER_LOCK_NAMESPACE = ADVISORY_LOCKS.projectionRunner;

export const PROJECTIONS_USAGE = [
  'derbel projections status [--json]',
  'derbel projections rebuild <name>... | --all [--batch-size N] [--per-event]',
  ...PARKED_USAGE,
];

export function parseProjectionsCommand(args: string[]) {
  const [sub, ...rest] = args;
  if (sub === 'status') {
    const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } }, strict: true, allowPositionals: false });
    return { run: (db: CliDatabase, io: CliIo) => status(db, io, values.json ?? false) };
  }
  if (sub === 'rebuild') {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { all: { type: 'boolean' }, 'batch-size': { type: 'string' }, 'per-event': { type: 'boolean' } },
      strict: true,
      allowPositionals: true,
    });
    const known = allProjections().map((p) => p.name);
    if (values.all && positionals.length > 0) throw new UsageError('Name projections or pass --all, not both');
    if (!values.all && positionals.length === 0)
      throw new UsageError(`Which projection? Name one or more of ${known.join(', ')}, or pass --all`);
    const unknown = positionals.filter((name) => !known.includes(name));
    if (unknown.length > 0)
      throw new UsageError(`Unknown projection ${unknown.map((n) => `'${n}'`).join(', ')}. Known projections: ${known.join(', ')}`);
    const names = values.all ? known : [...new Set(positionals)];
    const batchSize = integerOption('batch-size', values['batch-size'], { min: 1, max: 100_000 }) ?? DEFAULT_BATCH_SIZE;
    return { run: (db: CliDatabase, io: CliIo) => rebuild(db, io, names, batchSize, values['per-event'] ?? false) };
  }
  if (sub === 'parked') return parseParkedCommand(rest);
  throw new UsageError(sub ? `Unknown projections command '${sub}'` : 'Missing projections command');
}

interface ProjectionStatus {
  name: string;
  checkpoint: number;
  head: number;
  lagEvents: number;
  /** How long the oldest event not yet projected has been waiting (0 when caught up). */
  lagSeconds: number;
  leader: { node: string | null; pid: number } | null;
  rebuild: { position: number; updatedAt: string } | null;
}

async function status(db: CliDatabase, io: CliIo, json: boolean): Promise<number> {
  const head = await db.store.headPosition();
  const { rows } = await db.pool.query<{ name: string; position: string; node_id: string | null; pid: number | null }>(
    `SELECT c.name, c.position, c.node_id,
            (SELECT l.pid FROM pg_locks l WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND l.granted AND l.classid = $1
               AND l.objid = hashtext(c.name)::oid AND l.objsubid = 2 LIMIT 1) AS pid
     FROM projection_checkpoints c`,
    [RUNNER_LOCK_NAMESPACE],
  );
  const byName = new Map(rows.map((r) => [r.name, r]));
  const rebuilds = new Map((await pendingRebuilds(db.pool)).map((r) => [r.name, r]));
  const names = [...new Set([...allProjections().map((p) => p.name), ...byName.keys()])];
  const statuses: ProjectionStatus[] = [];
  for (const name of names) {
    const row = byName.get(name);
    const checkpoint = row ? Number(row.position) : 0;
    const lag = await lagAfter(db, checkpoint, head);
    const pending = rebuilds.get(name);
    statuses.push({
      name,
      checkpoint,
      head,
      lagEvents: lag.events,
      lagSeconds: lag.oldest ? Math.max(0, (Date.now() - Date.parse(lag.oldest)) / 1000) : 0,
      leader: row?.pid ? { node: row.node_id, pid: row.pid } : null,
      rebuild: pending ? { position: pending.position, updatedAt: pending.updatedAt.toISOString() } : null,
    });
  }
  if (json) {
    await writeLine(io.stdout, JSON.stringify({ head, projections: statuses }, null, 2));
    return 0;
  }
  const table = formatTable(
    ['PROJECTION', 'CHECKPOINT', 'HEAD', 'LAG', 'LAG TIME', 'HELD BY'],
    statuses.map((s) => [
      s.name,
      String(s.checkpoint),
      String(s.head),
      `${formatCount(s.lagEvents)} events`,
      s.lagEvents === 0 ? '-' : formatDuration(s.lagSeconds),
      s.leader ? `${s.leader.node ?? 'unknown node'} (backend pid ${s.leader.pid})` : 'nobody (no node runs it)',
    ]),
  );
  for (const line of table) await writeLine(io.stdout, line);
  for (const s of statuses) {
    if (s.rebuild)
      await writeLine(
        io.stdout,
        `rebuild of ${s.name} left at position ${s.rebuild.position} (${s.rebuild.updatedAt}); run it again to resume`,
      );
  }
  return 0;
}

/** Events after the checkpoint, and the time of the first of them. */
async function lagAfter(db: CliDatabase, checkpoint: number, head: number): Promise<{ events: number; oldest: string | null }> {
  if (checkpoint >= head) return { events: 0, oldest: null };
  const [first] = await db.store.readAll({ after: checkpoint, limit: 1 });
  if (!first) return { events: 0, oldest: null };
  if (db.logInPostgres) {
    const { rows } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE position > $1 AND position <= $2', [
      checkpoint,
      head,
    ]);
    return { events: Number(rows[0].n), oldest: first.metadata.timestamp };
  }
  let events = 0;
  for (let after = checkpoint; after < head;) {
    const page = await db.store.raw.readAll({ after, limit: 1_000 });
    if (page.length === 0) break;
    events += page.filter((e) => e.position <= head).length;
    after = page[page.length - 1].position;
  }
  return { events, oldest: first.metadata.timestamp };
}

async function rebuild(db: CliDatabase, io: CliIo, names: string[], batchSize: number, perEvent: boolean): Promise<number> {
  const projections = allProjections().filter((p) => names.includes(p.name));
  const progress = progressReporter(io, names);
  try {
    const result = await rebuildProjections({
      connectionString: db.databaseUrl,
      store: db.store,
      projections,
      batchSize,
      perEvent,
      signal: io.signal,
      onProgress: progress.update,
    });
    progress.stop();
    if (result.status === 'interrupted') {
      const at = Math.min(...result.projections.map((p) => p.position));
      await writeLine(io.stderr, `Interrupted at position ${at}; the live tables are untouched. Run the same command again to resume.`);
      return EXIT_INTERRUPTED;
    }
    for (const p of result.projections) {
      const from = p.resumedFrom === null ? 'from the start' : `resumed from position ${p.resumedFrom}`;
      await writeLine(io.stdout, `rebuilt ${p.name} (${from}), swapped in at position ${p.position}`);
    }
    await writeLine(
      io.stdout,
      `${formatCount(result.applied)} events in ${formatDuration(result.seconds)} (${formatCount(result.eventsPerSecond)} events/s)`,
    );
    return 0;
  } catch (error) {
    progress.stop();
    if (error instanceof RebuildBusyError) throw new CliError(`${error.message}; wait for it to finish (or stop it) and try again`);
    throw error;
  }
}

/** A progress bar with events/s and ETA on a terminal; a plain line every few seconds otherwise. */
function progressReporter(io: CliIo, names: string[]) {
  const label = names.length > 3 ? `${names.length} projections` : names.join(', ');
  let bar: cliProgress.SingleBar | null = null;
  let lastLine = 0;
  return {
    update(p: RebuildProgress) {
      const total = Math.max(1, p.target - p.startPosition);
      const done = Math.min(total, Math.max(0, p.position - p.startPosition));
      const rate = `${formatCount(p.eventsPerSecond)} events/s`;
      if (io.stderr.isTTY) {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            {
              format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate} | ETA {eta_formatted} | {phase}`,
              stream: io.stderr,
              hideCursor: true,
              etaBuffer: 50,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, done, { rate, phase: p.phase });
        }
        bar.setTotal(total);
        bar.update(done, { rate, phase: p.phase });
        return;
      }
      const now = Date.now();
      if (p.applied === 0 || p.phase !== 'catching-up' || now - lastLine >= 2_000) {
        lastLine = now;
        const start = p.applied === 0 ? (p.startPosition > 0 ? ` (resuming from position ${p.startPosition})` : ' (from the start)') : '';
        const eta = p.etaSeconds === null ? '' : `, ETA ${formatDuration(p.etaSeconds)}`;
        io.stderr.write(`rebuild ${label}: ${p.phase} ${formatCount(done)}/${formatCount(total)} events${start}, ${rate}${eta}\n`);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}
