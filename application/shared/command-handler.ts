import { LRUCache } from 'lru-cache';
import type { Decider } from '../../domain/decider.js';
import type { EventStore, RecordedEvent } from '../ports/event-store.js';
import { WrongExpectedRevisionError } from '../ports/event-store.js';
import type { Clock, IdGenerator } from './clock.js';
import type { CommandContext } from './command-context.js';
import { KeyedMutex } from './keyed-mutex.js';

type DomainEvent = { type: string; data: unknown };

export interface CommandResult<State, Event> {
  /** The events this command appended (empty when the decider decided nothing: an idempotent retry). */
  events: Event[];
  /** Global position of the last appended event; null when nothing was appended. */
  position: number | null;
  state: State;
  revision: number;
  /** The timestamp written into the appended events' metadata (null when nothing was appended). */
  timestamp: string | null;
}

interface CachedState<State> {
  state: State;
  /** Revision of the last event folded into `state`; -1 for a stream that does not exist. */
  revision: number;
}

/**
 * Load → decide → append with the expected revision → retry on conflict.
 *
 * Decider state is cached per stream together with the revision it reflects, and only events after that
 * revision are read and folded, so a command's cost does not grow with its stream's length. Commands on
 * one stream are serialized in this process (the state object may be evolved in place); other nodes'
 * writes surface as revision conflicts, which reload the missing events and retry.
 */
export class CommandHandler<State, Command, Event extends DomainEvent> {
  private readonly cache: LRUCache<string, CachedState<State>>;
  private readonly mutex = new KeyedMutex();

  constructor(
    private readonly store: EventStore,
    private readonly decider: Decider<State, Command, Event>,
    private readonly deps: { clock: Clock; ids: IdGenerator; cacheSize?: number; maxRetries?: number },
  ) {
    this.cache = new LRUCache({ max: deps.cacheSize ?? 10_000 });
  }

  handle(stream: string, command: Command, context: CommandContext): Promise<CommandResult<State, Event>> {
    return this.mutex.run(stream, () => this.handleSerialized(stream, command, context));
  }

  /** Whether this handler holds some state of `stream` (it may be behind: `load` catches up). */
  isCached(stream: string): boolean {
    return this.cache.has(stream);
  }

  /** The current state of a stream (through the same cache). */
  load(stream: string): Promise<CachedState<State>> {
    return this.mutex.run(stream, () => this.catchUp(stream));
  }

  private async handleSerialized(stream: string, command: Command, context: CommandContext) {
    const maxRetries = this.deps.maxRetries ?? 20;
    for (let attempt = 0; ; attempt++) {
      // Optimistically decide on the cached state without reading the stream: if another node appended
      // meanwhile, the append's expected revision fails and we catch up. A refusal is only trusted after
      // catching up, since it may come from stale state.
      const cached = attempt === 0 ? this.cache.get(stream) : undefined;
      let current = cached ?? (await this.catchUp(stream));
      let events: Event[];
      try {
        events = this.decider.decide(command, current.state);
      } catch (error) {
        if (!cached) throw error;
        current = await this.catchUp(stream);
        events = this.decider.decide(command, current.state);
      }
      if (events.length === 0) return { events, position: null, state: current.state, revision: current.revision, timestamp: null };
      const timestamp = this.deps.clock.now().toISOString();
      try {
        const result = await this.store.appendToStream(
          stream,
          events.map((event) => ({
            id: this.deps.ids.newId(),
            type: event.type,
            data: event.data,
            metadata: {
              userId: context.userId,
              correlationId: context.correlationId,
              causationId: context.causationId ?? context.correlationId,
              timestamp,
              schemaVersion: 1,
            },
          })),
          { expectedRevision: current.revision < 0 ? 'no_stream' : current.revision },
        );
        let state = current.state;
        for (const event of events) state = this.decider.evolve(state, event);
        this.cache.set(stream, { state, revision: result.nextRevision });
        return { events, position: result.position, state, revision: result.nextRevision, timestamp };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= maxRetries) throw error;
        // Another node appended meanwhile: the next catchUp folds its events in, then we decide again.
      }
    }
  }

  private async catchUp(stream: string): Promise<CachedState<State>> {
    const cached = this.cache.get(stream) ?? { state: this.decider.initialState(), revision: -1 };
    let { state, revision } = cached;
    for (;;) {
      const page: RecordedEvent[] = await this.store.readStream(stream, { from: revision + 1, limit: 5_000 });
      for (const event of page) {
        state = this.decider.evolve(state, { type: event.type, data: event.data } as Event);
        revision = event.revision;
      }
      // Recorded after every page: the state object may have been evolved in place.
      if (revision >= 0) this.cache.set(stream, { state, revision });
      if (page.length < 5_000) break;
    }
    return { state, revision };
  }
}
