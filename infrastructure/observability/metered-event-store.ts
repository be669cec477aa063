import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  RecordedEvent,
  Subscription,
} from '../../application/ports/event-store.js';
import type { Metrics } from './metrics.js';

/** The event store, counting what this node appends (`derbel_events_appended_total`). */
export class MeteredEventStore implements EventStore {
  constructor(
    private readonly inner: EventStore,
    private readonly metrics: Metrics,
  ) {}

  async appendToStream(stream: string, events: NewEvent[], options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult> {
    const result = await this.inner.appendToStream(stream, events, options);
    for (const event of events) this.metrics.eventsAppended.inc({ type: event.type });
    return result;
  }

  readStream(stream: string, options?: { from?: number; limit?: number }): Promise<RecordedEvent[]> {
    return this.inner.readStream(stream, options);
  }

  readAll(options: { after: number; limit: number }): Promise<RecordedEvent[]> {
    return this.inner.readAll(options);
  }

  subscribeToAll(options: { after: number; batchSize?: number }): Subscription {
    return this.inner.subscribeToAll(options);
  }

  headPosition(): Promise<number> {
    return this.inner.headPosition();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
