import type { Projection, Sql } from './projection.js';
import type { RecordedDerbelEvent } from './recorded-event.js';

/** A read model written by SQL per event, with no fold: a batch is its events one after the other. */
export function sqlPerEvent(
  name: string,
  tables: readonly string[],
  applyEvent: (sql: Sql, event: RecordedDerbelEvent) => Promise<void>,
): Projection {
  return {
    name,
    tables,
    async apply(sql, events) {
      for (const event of events) await applyEvent(sql, event);
    },
  };
}
