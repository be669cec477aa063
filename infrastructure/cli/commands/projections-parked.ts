import { parseArgs } from 'node:util';
import { allProjections } from '../../../projections/all-projections.js';
import { listParkedEvents } from '../../projections/parked-events.js';
import { retryParkedEvent, type RetryOutcome } from '../../projections/retry-parked.js';
import type { CliDatabase } from './cli-database.js';
import { CliError, integerOption, UsageError, writeLine, type CliIo } from './cli-io.js';
import { formatTable } from './format-table.js';
import { SQLSTATE, sqlState } from '../../database/sqlstate.js';

export const PARKED_USAGE = [
  'derbel projections parked [--projection <name>] [--json]',
  'derbel projections parked --retry <position> [--projection <name>] [--json]',
  "    --retry applies the event again (read through today's upcasters) to each projection it is parked for;",
  '    it lands after every later event: `projections rebuild <name>` is the thorough repair',
];

/** `projections parked …`: what the projections skipped because they cannot apply it, and retrying one. */
export function parseParkedCommand(args: string[]) {
  const { values } = parseArgs({
    args,
    options: { json: { type: 'boolean' }, projection: { type: 'string' }, retry: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const known = allProjections().map((p) => p.name);
  const projection = values.projection;
  if (projection !== undefined && !known.includes(projection)) {
    throw new UsageError(`Unknown projection '${projection}'. Known projections: ${known.join(', ')}`);
  }
  const json = values.json ?? false;
  const retry = integerOption('retry', values.retry, { min: 1 });
  if (retry !== undefined) return { run: (db: CliDatabase, io: CliIo) => retryParked(db, io, retry, projection, json) };
  return { run: (db: CliDatabase, io: CliIo) => list(db, io, projection, json) };
}

async function list(db: CliDatabase, io: CliIo, projection: string | undefined, json: boolean): Promise<number> {
  const parked = await listParkedEvents(db.pool, { projection });
  if (json) {
    await writeLine(io.stdout, JSON.stringify(parked, null, 2));
    return 0;
  }
  if (parked.length === 0) {
    await writeLine(io.stdout, projection ? `no events parked for ${projection}` : 'no events parked');
    return 0;
  }
  const table = formatTable(
    ['POSITION', 'PROJECTION', 'EVENT TYPE', 'STREAM', 'ERROR CODE', 'ERROR', 'ATTEMPTS', 'PARKED AT'],
    parked.map((p) => [
      String(p.position),
      p.projection,
      p.eventType,
      p.streamId,
      p.errorCode,
      oneLine(p.error, 80),
      String(p.attempts),
      p.parkedAt,
    ]),
  );
  for (const line of table) await writeLine(io.stdout, line);
  return 0;
}

async function retryParked(db: CliDatabase, io: CliIo, position: number, projection: string | undefined, json: boolean): Promise<number> {
  const projections = allProjections().filter((p) => projection === undefined || p.name === projection);
  let outcomes: RetryOutcome[];
  try {
    outcomes = await retryParkedEvent(db.pool, db.store, position, projections);
  } catch (error) {
    if (sqlState(error) === SQLSTATE.lockNotAvailable) {
      throw new CliError(`a projection batch or a rebuild held the checkpoint for too long; try again (${(error as Error).message})`);
    }
    throw error;
  }
  if (outcomes.length === 0) throw new CliError(`no event is parked at position ${position}${projection ? ` for ${projection}` : ''}`);
  if (json) await writeLine(io.stdout, JSON.stringify(outcomes, null, 2));
  else {
    for (const o of outcomes) {
      await writeLine(
        io.stdout,
        o.applied
          ? `${o.projection}: applied ${o.eventType} at position ${o.position}; no longer parked`
          : `${o.projection}: ${o.eventType} at position ${o.position} is still parked (attempt ${o.attempts}): ${o.errorCode} ${oneLine(o.error ?? '', 200)}`,
      );
    }
  }
  return outcomes.every((o) => o.applied) ? 0 : 1;
}

const oneLine = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};
