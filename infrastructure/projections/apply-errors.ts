import { MalformedEventError } from '../../projections/malformed-event.js';
import { SQLSTATE_CLASS, sqlState } from '../database/sqlstate.js';

/** SQLSTATE classes caused by the data a statement wrote: retrying the same event will fail the same way. */
const DATA_CLASSES = new Set<string>([SQLSTATE_CLASS.dataException, SQLSTATE_CLASS.integrityConstraintViolation]);

/**
 * Whether an error applying an event is the event's own fault, so the projection parks the event and goes on:
 * a malformed event, data its tables refuse (SQLSTATE class 22 data exception, 23 integrity violation), or a
 * fold failing on the event's data (TypeError, RangeError). Anything else — a lost connection, a
 * serialization failure, a lock timeout, a missing table — is the runtime's and is retried, never parked.
 */
export function isEventFault(error: unknown): boolean {
  if (error instanceof MalformedEventError) return true;
  const code = sqlState(error);
  if (code !== undefined) return DATA_CLASSES.has(code.slice(0, 2));
  return error instanceof TypeError || error instanceof RangeError;
}

/** What the parked-events table records of an error: a short code and its message. */
export function describeFault(error: unknown): { code: string; message: string } {
  if (error instanceof MalformedEventError) return { code: 'MALFORMED_EVENT', message: error.message };
  const code = sqlState(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code !== undefined) return { code, message };
  return { code: error instanceof Error ? error.name : 'Error', message };
}
