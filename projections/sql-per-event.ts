import type { ApplyOptions, Projection, Sql } from './projection.js';
import type { RecordedDerbelEvent } from './recorded-event.js';

/**
 * A read model written by SQL per event, with no fold: a batch is its events one after the other. `types`,
 * when given, are the only events it reads (see `Projection.handles`). The batch's last event gets the batch's
 * options, so that its last statement can say it is the last (`lastQuery`); the others get none.
 */
export function sqlPerEvent(
  name: string,
  tables: readonly string[],
  applyEvent: (sql: Sql, event: RecordedDerbelEvent, options: ApplyOptions) => Promise<void>,
  types?: readonly string[],
  options: Pick<Projection, 'readsOnlyByKey'> = {},
): Projection {
  const mine = types && new Set(types);
  return {
    name,
    tables,
    ...options,
    async apply(sql, events, options = {}) {
      const handled = mine ? events.filter((event) => mine.has(event.type)) : events;
      for (const [i, event] of handled.entries()) await applyEvent(sql, event, i === handled.length - 1 ? options : {});
    },
    ...(mine ? { handles: (event: RecordedDerbelEvent) => mine.has(event.type) } : {}),
  };
}
