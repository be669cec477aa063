import {
  BACKWARDS,
  END,
  KurrentDBClient,
  StreamNotFoundError,
  jsonEvent,
  type AllStreamSubscription,
  type Filter,
  type JSONType,
} from '@kurrent/kurrentdb-client';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  RecordedEvent,
  Subscription,
} from '../../application/ports/event-store.js';
import { DERBEL_EVENT_TYPES } from '../../domain/events.js';
import {
  eventFilter,
  toClientPosition,
  toPortPosition,
  toPortRevision,
  toRecordedEvent,
  toStreamState,
  translateAppendError,
} from './kurrentdb-mapping.js';

export interface KurrentDbEventStoreOptions {
  /** Event types `$all` reads and subscriptions deliver; `null`: every non-system event. Default: ours. */
  eventTypes?: readonly string[] | null;
  /** Told when a live subscription dropped and is being re-established. */
  onSubscriptionDropped?: (error: unknown) => void;
}

const RESUBSCRIBE_MIN_MS = 100;
const RESUBSCRIBE_MAX_MS = 5_000;

/**
 * The KurrentDB (EventStoreDB) adapter of the event-store port, selected by `EVENTSTORE_URL`.
 * Position and revision mapping: see kurrentdb-mapping.ts.
 */
export class KurrentDbEventStore implements EventStore {
  private readonly filter: Filter;

  constructor(
    private readonly client: KurrentDBClient,
    private readonly options: KurrentDbEventStoreOptions = {},
  ) {
    this.filter = eventFilter(options.eventTypes === undefined ? DERBEL_EVENT_TYPES : options.eventTypes);
  }

  static connect(url: string, options?: KurrentDbEventStoreOptions): KurrentDbEventStore {
    return new KurrentDbEventStore(KurrentDBClient.connectionString(url), options);
  }

  async appendToStream(stream: string, events: NewEvent[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const expected = options.expectedRevision ?? 'any';
    try {
      const result = await this.client.appendToStream(
        stream,
        events.map(({ id, type, data, metadata }) => jsonEvent({ id, type, data: data as JSONType, metadata })),
        { streamState: toStreamState(expected) },
      );
      const nextRevision = toPortRevision(result.nextExpectedRevision);
      // An idempotent retry may be answered without a position: it is the stored last event's.
      const position = result.position ? toPortPosition(result.position) : await this.positionOfRevision(stream, nextRevision);
      return { nextRevision, position };
    } catch (error) {
      throw translateAppendError(error, stream, expected);
    }
  }

  async readStream(stream: string, options: { from?: number; limit?: number } = {}): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(stream, {
        fromRevision: BigInt(options.from ?? 0),
        maxCount: options.limit ?? Number.MAX_SAFE_INTEGER,
      })) {
        const event = toRecordedEvent(resolved);
        if (event) events.push(event);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  async readAll({ after, limit }: { after: number; limit: number }): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    // KurrentDB reads `$all` from a position inclusively; the port reads strictly after it.
    for await (const resolved of this.client.readAll({ fromPosition: toClientPosition(after), maxCount: limit + 1, filter: this.filter })) {
      const event = toRecordedEvent(resolved);
      if (!event || event.position <= after) continue;
      events.push(event);
      if (events.length === limit) break;
    }
    return events;
  }

  async headPosition(): Promise<number> {
    for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, filter: this.filter })) {
      const event = toRecordedEvent(resolved);
      if (event) return event.position;
    }
    return 0;
  }

  /**
   * A catch-up subscription to `$all` (filtered to our event types) from `after`, live once caught up.
   * When the server drops it (restart, leader change) it resubscribes from the last delivered position,
   * so the caller sees a pause, never a gap or a repeat.
   */
  subscribeToAll({ after }: { after: number; batchSize?: number }): Subscription {
    const client = this.client;
    const filter = this.filter;
    const onDropped = this.options.onSubscriptionDropped;
    let closed = false;
    let current: AllStreamSubscription | null = null;
    const wake = new AbortController();

    const iterator = async function* (): AsyncGenerator<RecordedEvent> {
      let position = after;
      let delay = RESUBSCRIBE_MIN_MS;
      while (!closed) {
        const subscription = client.subscribeToAll({ fromPosition: toClientPosition(position), filter });
        current = subscription;
        try {
          for await (const resolved of subscription) {
            const event = toRecordedEvent(resolved);
            if (!event || event.position <= position) continue;
            position = event.position;
            delay = RESUBSCRIBE_MIN_MS;
            yield event;
            if (closed) return;
          }
        } catch (error) {
          if (closed) return;
          onDropped?.(error);
        } finally {
          current = null;
          await subscription.unsubscribe().catch(() => {});
        }
        await sleep(delay, wake.signal);
        delay = Math.min(delay * 2, RESUBSCRIBE_MAX_MS);
      }
    };
    const generator = iterator();
    return {
      [Symbol.asyncIterator]: () => generator,
      async close() {
        closed = true;
        wake.abort();
        await current?.unsubscribe().catch(() => {});
        await generator.return(undefined);
      },
    };
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }

  private async positionOfRevision(stream: string, revision: number): Promise<number> {
    const [event] = await this.readStream(stream, { from: revision, limit: 1 });
    if (!event) throw new Error(`Stream ${stream} has no event at revision ${revision} after a successful append`);
    return event.position;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => (clearTimeout(timer), resolve());
    const timer = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve()), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
