import type { RecordedEvent } from '../application/ports/event-store.js';
import type { GroupEvent } from '../domain/contacts/group-events.js';
import type { DerbelEvent } from '../domain/events.js';

/** A stored event whose `type` narrows its `data` in a `switch`. */
export type Recorded<E extends { type: string; data: unknown }> = E extends unknown
  ? Omit<RecordedEvent, 'type' | 'data'> & { type: E['type']; data: E['data'] }
  : never;

/**
 * Any event of the log, typed by what this product writes. The type is a claim about the log, not a
 * guarantee (an old or hostile event may lack a field or spell an id differently): folds check the fields
 * they use with `event-fields.ts` and throw `MalformedEventError` when one is off.
 */
export type RecordedDerbelEvent = Recorded<DerbelEvent>;

/** A group's membership events (docs/groups.md), in the same `contact-<contactId>` streams. */
export type RecordedGroupEvent = Recorded<GroupEvent>;
export { GROUP_EVENT_TYPES } from '../domain/contacts/group-events.js';

/** The single place the log's untyped events become typed ones. */
export const asDerbelEvents = (events: readonly RecordedEvent[]) => events as readonly RecordedDerbelEvent[];
