import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { RefreshOutcome, RefreshTokenRepository } from '../../application/ports/auth.js';

const newToken = () => randomBytes(32).toString('base64url');
const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

/** Refresh tokens in `session_refresh_tokens` (migration 010), rotated in one transaction per use. */
export class PostgresRefreshTokens implements RefreshTokenRepository {
  constructor(private readonly pool: pg.Pool) {}

  async begin(sessionId: string, maxAgeSeconds: number) {
    const refreshToken = newToken();
    const { rows } = await this.pool.query<{ expires_at: Date }>(
      `WITH session AS (
         UPDATE sessions SET expires_at = now() + make_interval(secs => $2), renewed_at = now() WHERE id = $1 RETURNING expires_at
       ), token AS (
         INSERT INTO session_refresh_tokens (token_hash, session_id) VALUES ($3, $1)
       )
       SELECT expires_at FROM session`,
      [sessionId, maxAgeSeconds, hashOf(refreshToken)],
    );
    return { refreshToken, sessionEndsAt: rows[0].expires_at };
  }

  async rotate(refreshToken: string, policy: { idleSeconds: number; reuseGraceSeconds: number }): Promise<RefreshOutcome> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{
        session_id: string;
        user_id: string;
        used_for: number | null;
        live: boolean;
      }>(
        `SELECT t.session_id, s.user_id, extract(epoch FROM now() - t.used_at)::float8 AS used_for,
                (s.revoked_at IS NULL AND s.expires_at > now() AND s.renewed_at + make_interval(secs => $2) > now()) AS live
         FROM session_refresh_tokens t JOIN sessions s ON s.id = t.session_id
         WHERE t.token_hash = $1 FOR UPDATE OF t, s`,
        [hashOf(refreshToken), policy.idleSeconds],
      );
      const found = rows[0];
      let outcome: RefreshOutcome;
      if (!found || !found.live) {
        outcome = { status: 'ended' };
      } else if (found.used_for !== null && found.used_for > policy.reuseGraceSeconds) {
        await client.query('UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [found.session_id]);
        outcome = { status: 'reused', sessionId: found.session_id };
      } else {
        const next = newToken();
        const { rows: session } = await client.query<{ expires_at: Date }>(
          `WITH used AS (UPDATE session_refresh_tokens SET used_at = coalesce(used_at, now()) WHERE token_hash = $1),
                successor AS (INSERT INTO session_refresh_tokens (token_hash, session_id) VALUES ($2, $3))
           UPDATE sessions SET renewed_at = now() WHERE id = $3 RETURNING expires_at`,
          [hashOf(refreshToken), hashOf(next), found.session_id],
        );
        outcome = {
          status: 'renewed',
          sessionId: found.session_id,
          userId: found.user_id,
          refreshToken: next,
          sessionEndsAt: session[0].expires_at,
        };
      }
      await client.query('COMMIT');
      return outcome;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async activeSessionsOf(userId: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      'SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()',
      [userId],
    );
    return rows.map((r) => r.id);
  }
}
