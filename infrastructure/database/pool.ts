import pg from 'pg';

/** One pool per process; sized for a 2-core node and shared by handlers, queries and projections. */
export function createPool(connectionString: string, max = 20): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000 });
  // An idle client's error (e.g. PostgreSQL restarted) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return pool;
}
