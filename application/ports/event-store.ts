/**
 * The event-store port. Two adapters implement it (PostgreSQL, KurrentDB) and both pass
 * the contract suite in `test/contract/event-store.contract.ts`.
 *
 * Revisions are 0-based per stream. Positions are global, strictly increasing numbers (> 0);
 * `after: 0` means "from the beginning".
 */
export interface EventMetadata {
  userId: string | null;
  correlationId: string;
  causationId: string;
  /** ISO 8601, supplied by the command handler (never by a decider). */
  timestamp: string;
  /** Schema version of `data` for this event type; 1 when absent. */
  schemaVersion?: number;
  [key: string]: unknown;
}

export interface NewEvent {
  /** Unique event id (UUID). Appending an id that is already stored is a no-op. */
  id: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

export interface RecordedEvent extends NewEvent {
  streamId: string;
  revision: number;
  position: number;
}

export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  nextRevision: number;
  /** Global position of the last event appended (or of the stored event on an idempotent retry). */
  position: number;
}

export interface Subscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  appendToStream(stream: string, events: NewEvent[], options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult>;
  /** Events of one stream in revision order, from revision `from` (inclusive, default 0). Unknown stream → []. */
  readStream(stream: string, options?: { from?: number; limit?: number }): Promise<RecordedEvent[]>;
  /** Events of all streams in global order with position > `after`. Never skips an event committed later. */
  readAll(options: { after: number; limit: number }): Promise<RecordedEvent[]>;
  /** Catches up from `after`, then follows new events live, until closed. */
  subscribeToAll(options: { after: number; batchSize?: number }): Subscription;
  /** Position of the newest event readable now (0 when empty). */
  headPosition(): Promise<number>;
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  readonly code = 'WRONG_EXPECTED_REVISION';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`Stream ${stream}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}
