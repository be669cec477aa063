import type pg from 'pg';
import { LRUCache } from 'lru-cache';
import { queryPrepared } from '../database/prepared-statements.js';
import { batchedPerTick } from '../lifecycle/batched-per-tick.js';
import { SessionTrust } from './session-trust.js';
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

interface Trusted {
  checkedAt: number;
  expiresAt: number;
  epoch: number;
}

/**
 * Sessions are checked on every request; a positive answer is trusted for a while (`SessionTrust`), so a
 * person's requests cost a query only now and then. A sign-out on another node makes every node forget the
 * session at once (the socket gateway relays it), and an answer that was on its way meanwhile is dropped;
 * socket handshakes always ask the database. The checks of one turn of the event loop are one query (a
 * reconnect storm's handshakes: one statement for many sessions, not one each).
 */
export class PostgresSessions implements SessionRepository {
  private readonly trusted = new LRUCache<string, Trusted>({ max: 50_000 });
  /** When (in `checks`) this node heard each session was ended: answers asked for before it are not believed. */
  private readonly ended = new LRUCache<string, number>({ max: 50_000, ttl: 60_000 });
  private checks = 0;
  private readonly activeAmong = batchedPerTick((sessionIds: string[]) => this.findActive(sessionIds));
  private readonly trust: SessionTrust;
  private readonly now: () => number;

  constructor(
    private readonly pool: pg.Pool,
    options: { trust?: SessionTrust; now?: () => number } = {},
  ) {
    this.trust = options.trust ?? new SessionTrust();
    this.now = options.now ?? Date.now;
  }

  async create(session: { id: string; userId: string; expiresAt: Date }) {
    await this.pool.query('INSERT INTO sessions (id, user_id, expires_at) VALUES ($1, $2, $3)', [
      session.id,
      session.userId,
      session.expiresAt,
    ]);
  }
  async isActive(sessionId: string, options: { fresh?: boolean } = {}) {
    if (!options.fresh && this.isTrusted(sessionId)) return true;
    const asked = ++this.checks;
    const epoch = this.trust.epoch;
    const checkedAt = this.now();
    const expiresAt = UUID_TEXT.test(sessionId) ? await this.activeAmong(sessionId) : await this.findActiveOne(sessionId);
    if (expiresAt === null || (this.ended.get(sessionId) ?? 0) > asked) return false;
    this.trusted.set(sessionId, { checkedAt, expiresAt, epoch });
    return true;
  }
  private isTrusted(sessionId: string) {
    const entry = this.trusted.get(sessionId);
    if (!entry) return false;
    const now = this.now();
    return now < entry.expiresAt && now - entry.checkedAt < this.trust.trustMs(entry.epoch);
  }
  /** Each session's expiry (milliseconds since the epoch) when active, else null. */
  private async findActive(sessionIds: string[]): Promise<Array<PromiseSettledResult<number | null>>> {
    const { rows } = await queryPrepared<{ id: string; expires_ms: number }>(
      this.pool,
      `SELECT id::text AS id, extract(epoch FROM expires_at) * 1000 AS expires_ms FROM sessions
       WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL AND expires_at > now()`,
      [sessionIds],
    );
    const active = new Map(rows.map((row) => [row.id, Number(row.expires_ms)]));
    return sessionIds.map((id) => ({ status: 'fulfilled', value: active.get(id.toLowerCase()) ?? null }));
  }
  /** Any other spelling PostgreSQL may take (or refuse) as a uuid: alone, so it cannot fail the others' batch. */
  private async findActiveOne(sessionId: string) {
    const { rows } = await queryPrepared<{ expires_ms: number }>(
      this.pool,
      'SELECT extract(epoch FROM expires_at) * 1000 AS expires_ms FROM sessions WHERE id = $1 AND revoked_at IS NULL AND expires_at > now()',
      [sessionId],
    );
    return rows.length > 0 ? Number(rows[0].expires_ms) : null;
  }
  forget(sessionId: string) {
    this.trusted.delete(sessionId);
    this.ended.set(sessionId, ++this.checks);
  }
  async revoke(sessionId: string) {
    this.forget(sessionId);
    await this.pool.query('UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [sessionId]);
  }
}
