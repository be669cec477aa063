import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import readline from 'node:readline';
import type { EventMetadata } from '../../../application/ports/event-store.js';
import { withCanonicalIds } from './canonical-event-ids.js';
import { CliError } from './cli-io.js';

/** One line of an export: an event as stored, with its place in the log. */
export interface ExportedEvent {
  position?: number;
  streamId: string;
  revision: number;
  id: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

const MAX_REPORTED = 5;

/**
 * Reads and checks a whole export before anything is written: every line an event object, ids unique,
 * each stream's revisions 0, 1, 2… in file order, positions (when present) strictly increasing, and every
 * id (the event's, its data's, its user's) a uuid, lower-cased when spelled in upper case.
 */
export async function readEventFile(file: string): Promise<ExportedEvent[]> {
  try {
    await access(file);
  } catch {
    throw new CliError(`Cannot read ${file}: no such file`);
  }
  const events: ExportedEvent[] = [];
  const problems: string[] = [];
  const nextRevision = new Map<string, number>();
  const ids = new Set<string>();
  let lastPosition = 0;
  let lineNumber = 0;
  const lines = readline.createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    const problem = (message: string) => problems.push(`line ${lineNumber}: ${message}`);
    // Untyped JSON until shapeProblem has checked each field.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let value: any;
    try {
      value = JSON.parse(line);
    } catch (error) {
      problem(`not valid JSON (${(error as Error).message})`);
      if (problems.length >= MAX_REPORTED) break;
      continue;
    }
    const issue = shapeProblem(value);
    const checked = issue ? { problem: issue } : withCanonicalIds(value);
    if ('problem' in checked) {
      problem(checked.problem);
    } else {
      const event = checked.event;
      const expected = nextRevision.get(event.streamId) ?? 0;
      if (event.revision !== expected) problem(`stream ${event.streamId} expects revision ${expected} next, found ${event.revision}`);
      else if (ids.has(event.id)) problem(`event id ${event.id} appears twice`);
      else if (event.position !== undefined && event.position <= lastPosition)
        problem(`position ${event.position} is not after ${lastPosition}`);
      else {
        nextRevision.set(event.streamId, expected + 1);
        ids.add(event.id);
        if (event.position !== undefined) lastPosition = event.position;
        events.push(event);
      }
    }
    if (problems.length >= MAX_REPORTED) break;
  }
  lines.close();
  if (problems.length > 0) {
    throw new CliError(`${file} is not a valid event export; nothing was imported:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
  if (events.length > 0 && events.some((e) => e.position === undefined) && events.some((e) => e.position !== undefined)) {
    throw new CliError(`${file} mixes lines with and without positions; nothing was imported`);
  }
  return events;
}

// A validator of untyped JSON: it checks each field before it reads the next.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function shapeProblem(value: any): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an event object';
  if (typeof value.streamId !== 'string' || value.streamId === '') return 'streamId must be a non-empty string';
  if (!Number.isSafeInteger(value.revision) || value.revision < 0) return 'revision must be a whole number ≥ 0';
  if (value.position !== undefined && (!Number.isSafeInteger(value.position) || value.position < 1))
    return 'position must be a whole number ≥ 1';
  if (typeof value.type !== 'string' || value.type === '') return 'type must be a non-empty string';
  if (!('data' in value)) return 'data is missing';
  const m = value.metadata;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'metadata must be an object';
  if (typeof m.timestamp !== 'string' || Number.isNaN(Date.parse(m.timestamp))) return 'metadata.timestamp must be an ISO time';
  if (m.schemaVersion !== undefined && (!Number.isSafeInteger(m.schemaVersion) || m.schemaVersion < 1))
    return 'metadata.schemaVersion must be a whole number ≥ 1';
  return null;
}
