import {
  ANY,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  WrongExpectedVersionError,
  eventTypeFilter,
  type AllStreamResolvedEvent,
  type AppendStreamState,
  type CurrentStreamState,
  type Filter,
  type Position,
  type ReadPosition,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import type { EventMetadata, ExpectedRevision, RecordedEvent } from '../../application/ports/event-store.js';
import { WrongExpectedRevisionError } from '../../application/ports/event-store.js';

/*
 * How the port's types map onto KurrentDB's.
 *
 * Positions. A KurrentDB `$all` position is `{ commit, prepare }`, two byte offsets in the transaction
 * log. Every event appended through the gRPC API is its own committed prepare record, for which the
 * server reports `commit === prepare` (only legacy TCP-era explicit transactions had a separate commit
 * record shared by several events). So the port's number is that one offset, and it goes back as
 * `{ commit: n, prepare: n }`. Offsets are unique, strictly increasing in `$all` order and > 0 for any
 * event after the log's first (system) record, which is exactly what the port asks of a position; they
 * are not dense, so "head − checkpoint" is a distance in log bytes, not an event count. A position with
 * commit ≠ prepare, or beyond 2^53, cannot be represented and is refused loudly rather than rounded.
 *
 * Revisions. The port's revisions and KurrentDB's stream revisions are both 0-based event numbers;
 * the client uses bigint. Expected revisions: 'any' → ANY, 'no_stream' → NO_STREAM,
 * 'stream_exists' → STREAM_EXISTS, n → BigInt(n) (revision of the stream's last event).
 */

export class UnrepresentablePositionError extends Error {
  constructor(position: Position) {
    super(
      `KurrentDB position commit=${position.commit} prepare=${position.prepare} cannot be mapped to one number ` +
        '(a legacy explicit-transaction record, or a log beyond 2^53 bytes)',
    );
    this.name = 'UnrepresentablePositionError';
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A KurrentDB `$all` position as the port's number. */
export function toPortPosition(position: Position): number {
  if (position.commit !== position.prepare || position.commit < 0n || position.commit > MAX_SAFE) {
    throw new UnrepresentablePositionError(position);
  }
  return Number(position.commit);
}

/** The port's number as a KurrentDB position; 0 ("from the beginning") is the start of `$all`. */
export function toClientPosition(position: number): ReadPosition {
  if (!Number.isSafeInteger(position) || position < 0) throw new RangeError(`Not a position: ${position}`);
  if (position === 0) return START;
  const offset = BigInt(position);
  return { commit: offset, prepare: offset };
}

export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      if (!Number.isSafeInteger(expected) || expected < 0) throw new RangeError(`Not a revision: ${expected}`);
      return BigInt(expected);
  }
}

export function toPortRevision(revision: bigint): number {
  if (revision < 0n || revision > MAX_SAFE) throw new RangeError(`Revision ${revision} out of range`);
  return Number(revision);
}

function toActualRevision(state: CurrentStreamState): number | 'no_stream' {
  // Errors built from gRPC trailers carry the server's raw number, where -1 means "no stream".
  return state === NO_STREAM || state < 0n ? 'no_stream' : toPortRevision(state);
}

/** KurrentDB's concurrency error as the port's; anything else is returned unchanged. */
export function translateAppendError(error: unknown, stream: string, expected: ExpectedRevision): unknown {
  if (error instanceof WrongExpectedVersionError) {
    return new WrongExpectedRevisionError(stream, expected, toActualRevision(error.actualState));
  }
  return error;
}

/**
 * Which events of `$all` the adapter reads and subscribes to: by default exactly the given event types
 * (the product's own, `DERBEL_EVENT_TYPES`), or, with `null`, every event except KurrentDB's system
 * events (whose types start with `$`).
 */
export function eventFilter(eventTypes: readonly string[] | null): Filter {
  if (eventTypes === null) return eventTypeFilter({ regex: '^[^$]' });
  if (eventTypes.length === 0) throw new Error('eventFilter needs at least one event type');
  return eventTypeFilter({ regex: `^(?:${eventTypes.map(escapeRegex).join('|')})$` });
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A resolved KurrentDB event as the port's recorded event; undefined for what is not one of ours. */
export function toRecordedEvent(resolved: AllStreamResolvedEvent | ResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event || !event.isJson || event.type.startsWith('$')) return undefined;
  if (!event.position) throw new Error(`KurrentDB returned event ${event.id} without a position (server older than 22.6?)`);
  return {
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata as EventMetadata,
    streamId: event.streamId,
    revision: toPortRevision(event.revision),
    position: toPortPosition(event.position),
  };
}
