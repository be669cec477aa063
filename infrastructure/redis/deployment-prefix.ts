import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * The Redis prefix of a deployment that sets no REDIS_PREFIX: a hash of its database's identity (the
 * PostgreSQL cluster's system identifier and the database name), which every node of the deployment shares
 * and no other deployment has, even a copy of the same data restored on another server.
 */
export async function derivedRedisPrefix(pool: pg.Pool): Promise<string> {
  const identity = await pool
    .query<{ id: string }>(`SELECT concat(system_identifier, '/', current_database()) AS id FROM pg_control_system()`)
    // A role that may not read it: the server's address is the next best tell.
    .catch(() => pool.query<{ id: string }>(`SELECT concat(inet_server_addr(), ':', inet_server_port(), '/', current_database()) AS id`));
  return `derbel-${createHash('sha256').update(identity.rows[0].id).digest('hex').slice(0, 12)}`;
}
