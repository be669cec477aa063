import type pg from 'pg';
import { LRUCache } from 'lru-cache';
import { queryPrepared } from '../database/prepared-statements.js';
import { batchedPerTick } from '../lifecycle/batched-per-tick.js';
import type { CredentialsRepository, SessionRepository } from '../../application/ports/auth.js';

export class PostgresCredentials implements CredentialsRepository {
  constructor(private readonly pool: pg.Pool) {}

  async save(userId: string, passwordHash: string) {
    await this.pool.query('INSERT INTO credentials (user_id, password_hash) VALUES ($1, $2)', [userId, passwordHash]);
  }
  async find(userId: string) {
    const { rows } = await this.pool.query<{ password_hash: string }>('SELECT password_hash FROM credentials WHERE user_id = $1', [userId]);
    return rows[0]?.password_hash ?? null;
  }
  async delete(userId: string) {
    await this.pool.query('DELETE FROM credentials WHERE user_id = $1', [userId]);
  }
}

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Sessions are checked on every request; a positive answer is remembered for a second so the hot path
 * costs no query. A sign-out on another node makes every node forget the session at once (the socket
 * gateway relays it); socket handshakes always ask the database. The checks of one turn of the event loop
 * are one query (a reconnect storm's handshakes: one statement for many sessions, not one each).
 */
export class PostgresSessions implements SessionRepository {
  private readonly active = new LRUCache<string, true>({ max: 50_000, ttl: 1_000 });
  private readonly activeAmong = batchedPerTick((sessionIds: string[]) => this.findActive(sessionIds));

  constructor(private readonly pool: pg.Pool) {}

  async create(session: { id: string; userId: string; expiresAt: Date }) {
    await this.pool.query('INSERT INTO sessions (id, user_id, expires_at) VALUES ($1, $2, $3)', [
      session.id,
      session.userId,
      session.expiresAt,
    ]);
  }
  async isActive(sessionId: string, options: { fresh?: boolean } = {}) {
    if (!options.fresh && this.active.get(sessionId)) return true;
    const active = UUID_TEXT.test(sessionId) ? await this.activeAmong(sessionId) : await this.findActiveOne(sessionId);
    if (active) this.active.set(sessionId, true);
    return active;
  }
  private async findActive(sessionIds: string[]): Promise<Array<PromiseSettledResult<boolean>>> {
    const { rows } = await queryPrepared<{ id: string }>(
      this.pool,
      'SELECT id::text AS id FROM sessions WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL AND expires_at > now()',
      [sessionIds],
    );
    const active = new Set(rows.map((row) => row.id));
    return sessionIds.map((id) => ({ status: 'fulfilled', value: active.has(id.toLowerCase()) }));
  }
  /** Any other spelling PostgreSQL may take (or refuse) as a uuid: alone, so it cannot fail the others' batch. */
  private async findActiveOne(sessionId: string) {
    const { rows } = await queryPrepared(this.pool, 'SELECT 1 FROM sessions WHERE id = $1 AND revoked_at IS NULL AND expires_at > now()', [
      sessionId,
    ]);
    return rows.length > 0;
  }
  forget(sessionId: string) {
    this.active.delete(sessionId);
  }
  async revoke(sessionId: string) {
    this.active.delete(sessionId);
    await this.pool.query('UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [sessionId]);
  }
}
