import type { Writable } from 'node:stream';

/** Where a command writes and what it knows about its terminal; tests pass collectors. */
export interface CliIo {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C: long commands stop cleanly (a rebuild saves its progress). */
  signal: AbortSignal;
}

/** Bad arguments: printed with the usage, exit code 2, nothing touched. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

/** A command that cannot do what was asked (unknown stream, malformed file…): exit code 1. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

export const EXIT_INTERRUPTED = 130;

export function writeLine(stream: Writable, line = ''): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = stream.write(`${line}\n`, (error) => (error ? reject(error) : undefined));
    if (ok) resolve();
    else stream.once('drain', resolve);
  });
}

/** Parses a non-negative integer option, or explains what was expected. */
export function integerOption(
  name: string,
  value: string | undefined,
  { min = 0, max = Number.MAX_SAFE_INTEGER } = {},
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** Parses an ISO 8601 date-time option. */
export function timeOption(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const time = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time.getTime())) {
    throw new UsageError(`--${name} must be an ISO 8601 time such as 2026-11-25T10:00:00Z, not ${JSON.stringify(value)}`);
  }
  return time;
}
