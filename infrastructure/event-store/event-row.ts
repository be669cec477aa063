import type { NewEvent, RecordedEvent } from '../../application/ports/event-store.js';

/** A row of `events` as a read returns it (bigints as text) or a NOTIFY payload carries it (as JSON numbers). */
export interface EventRow {
  position: string | number;
  stream_id: string;
  revision: string | number;
  event_id: string;
  type: string;
  data: unknown;
  metadata: NewEvent['metadata'];
}

export function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    streamId: row.stream_id,
    revision: Number(row.revision),
    position: Number(row.position),
  };
}
