import type pg from 'pg';
import { migrate } from '../../infrastructure/database/migrate.js';
import { createPool } from '../../infrastructure/database/pool.js';
import { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface PostgresEventStoreFixture {
  db: TestDatabase;
  pool: pg.Pool;
  store: PostgresEventStore;
  teardown(): Promise<void>;
}

/** A migrated fresh database with a PostgreSQL event store on it. */
export async function createPostgresEventStoreFixture(): Promise<PostgresEventStoreFixture> {
  const db = await createTestDatabase();
  await migrate(db.url);
  const pool = createPool(db.url);
  const store = new PostgresEventStore(pool, db.url);
  return {
    db,
    pool,
    store,
    async teardown() {
      await store.close();
      await pool.end();
      await db.drop();
    },
  };
}
