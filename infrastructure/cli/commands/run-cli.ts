import { ACCOUNTS_USAGE, parseAccountsCommand } from './accounts.command.js';
import { AUDIT_USAGE, parseAuditCommand } from './audit.command.js';
import { openCliDatabase, type CliDatabase } from './cli-database.js';
import { CliError, UsageError, writeLine, type CliIo } from './cli-io.js';
import { EVENTS_USAGE, parseEventsCommand } from './events.command.js';
import { parseProjectionsCommand, PROJECTIONS_USAGE } from './projections.command.js';

export const USAGE = [
  'Usage:',
  ...[...PROJECTIONS_USAGE, ...AUDIT_USAGE, ...EVENTS_USAGE, ...ACCOUNTS_USAGE].map((line) => `  ${line}`),
  '',
  'Configuration comes from the same environment as the server: DATABASE_URL (or the embedded',
  'PostgreSQL in DATA_DIR), EVENTSTORE_URL for a KurrentDB log.',
];

interface ParsedCommand {
  /** Work that needs no database (reading and checking an import file), done before connecting. */
  prepare?: () => Promise<unknown>;
  run(db: CliDatabase, io: CliIo, prepared?: unknown): Promise<number>;
}

/**
 * `derbel <group> <command> …`: parses everything before connecting, so bad arguments change nothing.
 * Exit codes: 0 done, 1 failed, 2 bad arguments or configuration, 130 interrupted.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let command: ParsedCommand;
  try {
    command = parse(argv);
  } catch (error) {
    if (error instanceof HelpRequested) {
      for (const line of USAGE) await writeLine(io.stdout, line);
      return 0;
    }
    const message = error instanceof UsageError ? error.message : isParseArgsError(error) ? (error as Error).message : null;
    if (message === null) throw error;
    await writeLine(io.stderr, `derbel: ${message}`);
    await writeLine(io.stderr, '');
    for (const line of USAGE) await writeLine(io.stderr, line);
    return 2;
  }
  let db: CliDatabase | null = null;
  try {
    const prepared = await command.prepare?.();
    db = await openCliDatabase(io.env);
    return await command.run(db, io, prepared);
  } catch (error) {
    if (error instanceof CliError) {
      await writeLine(io.stderr, `derbel: ${error.message}`);
      return error.exitCode;
    }
    await writeLine(io.stderr, `derbel: ${(error as Error).stack ?? String(error)}`);
    return 1;
  } finally {
    await db?.close();
  }
}

class HelpRequested extends Error {}

function parse(argv: string[]): ParsedCommand {
  const [group, ...rest] = argv;
  if (group === undefined || group === 'help' || group === '--help' || group === '-h') throw new HelpRequested();
  switch (group) {
    case 'projections':
      return parseProjectionsCommand(rest);
    case 'audit':
      return parseAuditCommand(rest);
    case 'events':
      return parseEventsCommand(rest);
    case 'accounts':
      return parseAccountsCommand(rest);
    default:
      throw new UsageError(`Unknown command '${group}'`);
  }
}

/** node:util parseArgs reports unknown options and missing values with these codes. */
const isParseArgsError = (error: unknown) =>
  typeof (error as { code?: unknown })?.code === 'string' && (error as { code: string }).code.startsWith('ERR_PARSE_ARGS');
