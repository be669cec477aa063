import { EventEmitter } from 'node:events';
import {
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  type Subscription,
} from '../../application/ports/event-store.js';

/**
 * The event-store port in process memory, for fast specifications of the application's rules (no I/O). It
 * passes the same contract as the PostgreSQL and KurrentDB adapters (`test/contract/event-store.contract.ts`).
 */
export class InMemoryEventStore implements EventStore {
  private readonly all: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly byId = new Map<string, RecordedEvent>();
  private readonly appended = new EventEmitter().setMaxListeners(0);

  async appendToStream(stream: string, events: NewEvent[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    const current = this.streams.get(stream) ?? [];
    // An event id already stored makes the append a no-op answered with what was stored.
    const stored = events.length > 0 ? this.byId.get(events[0].id) : undefined;
    if (stored) return { nextRevision: this.streams.get(stored.streamId)!.length - 1, position: stored.position };
    const expected = options.expectedRevision ?? 'any';
    const actual = current.length === 0 ? 'no_stream' : current.length - 1;
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' ? actual === 'no_stream' : expected === 'stream_exists' ? actual !== 'no_stream' : expected === actual);
    if (!ok) throw new WrongExpectedRevisionError(stream, expected, actual);
    const recorded = events.map((event, i) => ({
      ...structuredClone(event),
      streamId: stream,
      revision: current.length + i,
      position: this.all.length + i + 1,
    }));
    this.streams.set(stream, [...current, ...recorded]);
    for (const event of recorded) {
      this.all.push(event);
      this.byId.set(event.id, event);
    }
    this.appended.emit('appended');
    const last = recorded[recorded.length - 1];
    return { nextRevision: last ? last.revision : current.length - 1, position: last ? last.position : 0 };
  }

  async readStream(stream: string, options: { from?: number; limit?: number } = {}): Promise<RecordedEvent[]> {
    const from = options.from ?? 0;
    return (this.streams.get(stream) ?? []).slice(from, options.limit === undefined ? undefined : from + options.limit).map(copy);
  }

  async readAll({ after, limit }: { after: number; limit: number }): Promise<RecordedEvent[]> {
    // Positions are 1, 2, 3…: the events after `after` start at index `after`.
    return this.all.slice(Math.max(0, after), Math.max(0, after) + limit).map(copy);
  }

  subscribeToAll({ after, batchSize = 500 }: { after: number; batchSize?: number }): Subscription {
    let closed = false;
    let wake: (() => void) | null = null;
    const onAppend = () => wake?.();
    this.appended.on('appended', onAppend);
    // The generator below is a function (a generator has no arrow form), with its own `this`.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const store = this;
    async function* follow(): AsyncGenerator<RecordedEvent> {
      let position = after;
      while (!closed) {
        const page = await store.readAll({ after: position, limit: batchSize });
        for (const event of page) {
          if (closed) return;
          position = event.position;
          yield event;
        }
        if (page.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      }
    }
    const generator = follow();
    return {
      [Symbol.asyncIterator]: () => generator,
      async close() {
        closed = true;
        store.appended.off('appended', onAppend);
        wake?.();
        await generator.return(undefined);
      },
    };
  }

  async headPosition(): Promise<number> {
    return this.all.length;
  }

  async close(): Promise<void> {
    this.appended.removeAllListeners();
  }
}

const copy = (event: RecordedEvent): RecordedEvent => structuredClone(event);
