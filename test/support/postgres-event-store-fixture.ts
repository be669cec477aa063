import type pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { createPool } from '../../infrastructure/database/pool.js';
import { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import { createMigratedTestDatabase, type TestDatabase } from './database.js';

export interface PostgresEventStoreFixture {
  db: TestDatabase;
  pool: pg.Pool;
  store: PostgresEventStore;
  teardown(): Promise<void>;
}

/** A migrated fresh database with a PostgreSQL event store on it. */
export async function createPostgresEventStoreFixture(): Promise<PostgresEventStoreFixture> {
  const db = await createMigratedTestDatabase();
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

/** The fixture for the enclosing `describe`: created before its tests, torn down after them. */
export function usePostgresEventStoreFixture(): PostgresEventStoreFixture {
  const fixture = {} as PostgresEventStoreFixture;
  beforeAll(async () => {
    Object.assign(fixture, await createPostgresEventStoreFixture());
  });
  afterAll(() => fixture.teardown?.());
  return fixture;
}
