import { parseArgs } from 'node:util';
import type { RecordedEvent } from '../../../application/ports/event-store.js';
import type { CliDatabase } from './cli-database.js';
import { CliError, integerOption, timeOption, UsageError, writeLine, type CliIo } from './cli-io.js';
import { readEventFile } from './event-file.js';
import { formatCount } from './format-table.js';
import { importIntoPostgres, importThroughPort } from './import-log.js';
import { seedEvents } from './seed-log.js';

export const EVENTS_USAGE = [
  'derbel events export [--after <position>] [--until <position>|<ISO time>] > file.jsonl',
  'derbel events import <file.jsonl>          (into an empty store)',
  'derbel events tail [--after <position>] [--json]',
  'derbel events seed [--events N] [--users N] [--contacts N]',
];

const PAGE = 2_000;

export function parseEventsCommand(args: string[]) {
  const [sub, ...rest] = args;
  if (sub === 'export') {
    const { values } = parseArgs({
      args: rest,
      options: { after: { type: 'string' }, until: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
    const after = integerOption('after', values.after) ?? 0;
    const until =
      values.until === undefined ? undefined : /^\d+$/.test(values.until) ? Number(values.until) : timeOption('until', values.until);
    return { run: (db: CliDatabase, io: CliIo) => exportEvents(db, io, after, until) };
  }
  if (sub === 'import') {
    const { positionals } = parseArgs({ args: rest, options: {}, strict: true, allowPositionals: true });
    if (positionals.length !== 1) throw new UsageError('events import takes exactly one file');
    return {
      prepare: () => readEventFile(positionals[0]),
      run: (db: CliDatabase, io: CliIo, events: Awaited<ReturnType<typeof readEventFile>>) => importEvents(db, io, positionals[0], events),
    };
  }
  if (sub === 'tail') {
    const { values } = parseArgs({
      args: rest,
      options: { after: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    });
    const after = integerOption('after', values.after);
    return { run: (db: CliDatabase, io: CliIo) => tail(db, io, after, values.json ?? false) };
  }
  if (sub === 'seed') {
    const { values } = parseArgs({
      args: rest,
      options: { events: { type: 'string' }, users: { type: 'string' }, contacts: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
    const events = integerOption('events', values.events, { min: 10, max: 100_000_000 }) ?? 1_000_000;
    const users = integerOption('users', values.users, { min: 2, max: 1_000_000 });
    const contacts = integerOption('contacts', values.contacts, { min: 1, max: 10_000_000 });
    return { run: (db: CliDatabase, io: CliIo) => seed(db, io, { events, users, contacts }) };
  }
  throw new UsageError(sub ? `Unknown events command '${sub}'` : 'Missing events command');
}

/** The log as stored (no upcasting), one JSON object per line, in global order. */
async function exportEvents(db: CliDatabase, io: CliIo, after: number, until: number | Date | undefined): Promise<number> {
  let count = 0;
  for (let position = after; ;) {
    const page = await db.store.raw.readAll({ after: position, limit: PAGE });
    for (const e of page) {
      if (typeof until === 'number' && e.position > until) return done();
      if (until instanceof Date && Date.parse(e.metadata.timestamp) > until.getTime()) continue;
      await writeLine(
        io.stdout,
        JSON.stringify({
          position: e.position,
          streamId: e.streamId,
          revision: e.revision,
          id: e.id,
          type: e.type,
          data: e.data,
          metadata: e.metadata,
        }),
      );
      count++;
    }
    if (page.length < PAGE) return done();
    position = page[page.length - 1].position;
  }
  async function done() {
    await writeLine(io.stderr, `exported ${formatCount(count)} events`);
    return 0;
  }
}

async function importEvents(db: CliDatabase, io: CliIo, file: string, events: Awaited<ReturnType<typeof readEventFile>>): Promise<number> {
  let result: { first: number; last: number };
  if (db.logInPostgres) {
    const client = await db.pool.connect();
    try {
      result = await importIntoPostgres(client, events);
    } finally {
      client.release();
    }
  } else {
    result = await importThroughPort(db.store.raw, events);
  }
  await writeLine(
    io.stdout,
    `imported ${formatCount(events.length)} events from ${file} (positions ${result.first}–${result.last}); the projections replay them as they run`,
  );
  return 0;
}

/** Follows the log live until interrupted. */
async function tail(db: CliDatabase, io: CliIo, after: number | undefined, json: boolean): Promise<number> {
  const from = after ?? (await db.store.headPosition());
  await writeLine(io.stderr, `following the log after position ${from} (Ctrl-C to stop)`);
  const subscription = db.store.subscribeToAll({ after: from });
  const stop = () => void subscription.close();
  io.signal.addEventListener('abort', stop, { once: true });
  try {
    for await (const e of subscription) {
      await writeLine(io.stdout, json ? JSON.stringify(e) : tailLine(e));
    }
  } finally {
    io.signal.removeEventListener('abort', stop);
  }
  return 0;
}

const tailLine = (e: RecordedEvent) =>
  [String(e.position), e.metadata.timestamp, `${e.streamId}@${e.revision}`, e.type, e.metadata.userId ?? '-', JSON.stringify(e.data)].join(
    '  ',
  );

async function seed(db: CliDatabase, io: CliIo, options: { events: number; users?: number; contacts?: number }): Promise<number> {
  if (!db.logInPostgres) throw new CliError('events seed writes into the PostgreSQL events table; it does not work with EVENTSTORE_URL');
  const client = await db.pool.connect();
  try {
    const started = performance.now();
    const result = await seedEvents(client, {
      ...options,
      onProgress: (written, total) => void io.stderr.write(`seeding: ${formatCount(written)}/${formatCount(total)} events\n`),
    });
    const seconds = (performance.now() - started) / 1000;
    await writeLine(
      io.stdout,
      `seeded ${formatCount(result.events)} events (${result.users} users, ${result.contacts} contacts, ${formatCount(result.messages)} messages) at positions ${result.firstPosition}–${result.lastPosition} in ${seconds.toFixed(1)} s`,
    );
    return 0;
  } finally {
    client.release();
  }
}
