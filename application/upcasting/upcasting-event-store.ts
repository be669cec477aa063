import type { AppendResult, EventStore, ExpectedRevision, NewEvent, RecordedEvent, Subscription } from '../ports/event-store.js';
import { withCanonicalIds } from './canonical-event-ids.js';
import type { UpcasterRegistry } from './upcaster-registry.js';

/**
 * Wraps any event-store adapter so that every read (`readStream`, `readAll`, `subscribeToAll`) returns
 * events in their current shape, with canonical ids; appends are stamped with the current schema version
 * of their type.
 */
export class UpcastingEventStore implements EventStore {
  constructor(
    /** The wrapped store: what was stored, as it was stored (exports read this). */
    readonly raw: EventStore,
    readonly upcasters: UpcasterRegistry,
  ) {}

  /** New events come from today's code, so they are stamped with today's version of their type. */
  appendToStream(stream: string, events: NewEvent[], options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult> {
    const stamped = events.map((event) => {
      const version = this.upcasters.currentVersion(event.type);
      return event.metadata.schemaVersion === version ? event : { ...event, metadata: { ...event.metadata, schemaVersion: version } };
    });
    return this.raw.appendToStream(stream, stamped, options);
  }

  async readStream(stream: string, options?: { from?: number; limit?: number }): Promise<RecordedEvent[]> {
    return this.upcastAll(await this.raw.readStream(stream, options));
  }

  async readAll(options: { after: number; limit: number }): Promise<RecordedEvent[]> {
    return this.upcastAll(await this.raw.readAll(options));
  }

  subscribeToAll(options: { after: number; batchSize?: number }): Subscription {
    const inner = this.raw.subscribeToAll(options);
    const upcast = (event: RecordedEvent) => this.upcast(event);
    async function* upcasted(): AsyncGenerator<RecordedEvent> {
      for await (const event of inner) yield upcast(event);
    }
    const generator = upcasted();
    return {
      [Symbol.asyncIterator]: () => generator,
      async close() {
        await inner.close();
        await generator.return(undefined);
      },
    };
  }

  headPosition(): Promise<number> {
    return this.raw.headPosition();
  }

  close(): Promise<void> {
    return this.raw.close();
  }

  /**
   * One stored event as readers must see it: in the current shape, then with canonical ids (after the chain,
   * so the id fields are those of today's types, whatever version was stored). The same object when unchanged.
   */
  upcast<E extends RecordedEvent>(event: E): E {
    return withCanonicalIds(this.upcasters.upcast(event));
  }

  private upcastAll(events: RecordedEvent[]): RecordedEvent[] {
    for (let i = 0; i < events.length; i++) events[i] = this.upcast(events[i]);
    return events;
  }
}

/** The store every reader should use: `store` with the given upcasters applied on read. */
export function withUpcasting(store: EventStore, upcasters: UpcasterRegistry): UpcastingEventStore {
  return store instanceof UpcastingEventStore ? store : new UpcastingEventStore(store, upcasters);
}
