import type { Projection, Sql } from './projection.js';
import type { RecordedDerbelEvent } from './recorded-event.js';

/**
 * A read model written by SQL per event, with no fold: a batch is its events one after the other. `types`,
 * when given, are the only events it reads (see `Projection.handles`).
 */
export function sqlPerEvent(
  name: string,
  tables: readonly string[],
  applyEvent: (sql: Sql, event: RecordedDerbelEvent) => Promise<void>,
  types?: readonly string[],
  options: Pick<Projection, 'readsOnlyByKey'> = {},
): Projection {
  const mine = types && new Set(types);
  return {
    name,
    tables,
    ...options,
    async apply(sql, events) {
      for (const event of events) if (!mine || mine.has(event.type)) await applyEvent(sql, event);
    },
    ...(mine ? { handles: (event: RecordedDerbelEvent) => mine.has(event.type) } : {}),
  };
}
