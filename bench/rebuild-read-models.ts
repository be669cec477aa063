import { derbelUpcasters } from '../application/upcasting/derbel-upcasters.js';
import { withUpcasting } from '../application/upcasting/upcasting-event-store.js';
import { createPool } from '../infrastructure/database/pool.js';
import { PostgresEventStore } from '../infrastructure/event-store/postgres-event-store.js';
import { rebuildProjections } from '../infrastructure/projections/rebuild.js';
import { allProjections } from '../projections/all-projections.js';

/**
 * Builds every read model of a freshly seeded database with the rebuild path (`derbel projections rebuild --all`):
 * far faster than letting the nodes' live projections catch up on a large seeded log.
 */
export async function rebuildReadModels(databaseUrl: string) {
  const pool = createPool(databaseUrl, 4);
  try {
    await pool.query('VACUUM ANALYZE events');
    const store = withUpcasting(new PostgresEventStore(pool, databaseUrl), derbelUpcasters());
    const started = performance.now();
    const rebuilt = await rebuildProjections({ connectionString: databaseUrl, store, projections: allProjections() });
    const seconds = (performance.now() - started) / 1000;
    await pool.query('VACUUM ANALYZE'); // as autovacuum would have by now
    return { seconds, eventsPerSecond: rebuilt.eventsPerSecond };
  } finally {
    await pool.end();
  }
}
