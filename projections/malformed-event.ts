import type { RecordedEvent } from '../application/ports/event-store.js';

/**
 * An event a fold cannot apply because of its own data (an id that is not a canonical uuid, a missing field).
 * Retrying it cannot help, so the runtime parks it for that projection and goes on with the rest.
 */
export class MalformedEventError extends Error {
  constructor(
    readonly event: Pick<RecordedEvent, 'type' | 'position'>,
    reason: string,
  ) {
    super(`${event.type} at position ${event.position}: ${reason}`);
    this.name = 'MalformedEventError';
  }
}
