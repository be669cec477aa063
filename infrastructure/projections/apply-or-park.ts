import type { RecordedDerbelEvent } from '../../projections/recorded-event.js';
import type { ApplyOptions, Projection, Sql } from '../../projections/projection.js';
import { isEventFault } from './apply-errors.js';
import { parkEvent } from './parked-events.js';

export interface AppliedOrParked<Output> {
  outputs: Output[];
  parked: Array<{ event: RecordedDerbelEvent; error: unknown }>;
}

/**
 * Applies events to one projection inside the caller's transaction, so that no event can stop it: when the
 * batch fails because of an event (see `isEventFault`), it is applied again one event at a time, each in a
 * savepoint, and each event that fails on its own is parked for this projection only. Any other error
 * (connection, serialization, lock timeout, a missing table) is thrown for the caller to retry.
 */
export async function applyOrPark<Output>(
  sql: Sql,
  projection: Projection<Output>,
  events: readonly RecordedDerbelEvent[],
  options: ApplyOptions = {},
  onlyOneByOne = false,
): Promise<AppliedOrParked<Output>> {
  // Nothing here for it: no savepoints (a rebuild one event at a time would pay two round trips per event).
  if (projection.handles && !events.some((event) => projection.handles!(event))) return { outputs: [], parked: [] };
  if (!onlyOneByOne) {
    await sql.query('SAVEPOINT apply_batch');
    try {
      const outputs = (await projection.apply(sql, events, options)) ?? [];
      await sql.query('RELEASE SAVEPOINT apply_batch');
      return { outputs, parked: [] };
    } catch (error) {
      if (!isEventFault(error)) throw error;
      await sql.query('ROLLBACK TO SAVEPOINT apply_batch');
    }
  }
  // The failed attempt may have remembered rows it never wrote; one by one, nothing is remembered.
  options.memory?.clear();
  const result: AppliedOrParked<Output> = { outputs: [], parked: [] };
  for (const event of events) {
    // An event it does not read changes nothing and cannot fail: no savepoint for it.
    if (projection.handles && !projection.handles(event)) continue;
    await sql.query('SAVEPOINT apply_event');
    try {
      result.outputs.push(...((await projection.apply(sql, [event], { outputs: options.outputs })) ?? []));
      await sql.query('RELEASE SAVEPOINT apply_event');
    } catch (error) {
      if (!isEventFault(error)) throw error;
      await sql.query('ROLLBACK TO SAVEPOINT apply_event');
      await parkEvent(sql, projection.name, event, error);
      result.parked.push({ event, error });
    }
  }
  return result;
}
