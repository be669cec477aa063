import { DomainError } from '../../domain/decider.js';
import type { RefreshTokenRepository, SessionRepository, TokenService } from '../ports/auth.js';

export interface SessionPolicy {
  /** A session ends this long after sign-in, however active. */
  maxAgeSeconds: number;
  /** A session ends when it was not renewed for this long (the app renews while it is open). */
  idleSeconds: number;
}

/** Two tabs of one browser share the refresh cookie and may renew at the same moment. */
const REUSE_GRACE_SECONDS = 10;

/**
 * Sessions that slide: sign-in gives a short-lived access token (the JWT) and a refresh token; the app
 * trades the refresh token for a new pair before the access token runs out, for as long as the user keeps
 * it open (up to the idle timeout between renewals and the absolute lifetime). Refresh tokens rotate: each
 * is used once, and a second use revokes the whole session, since one of the two users is a thief.
 */
export class SessionRenewal {
  constructor(
    private readonly deps: {
      refreshTokens: RefreshTokenRepository;
      sessions: SessionRepository;
      tokens: TokenService;
      policy: SessionPolicy;
    },
  ) {}

  /** Called at sign-in: the session becomes renewable. */
  begin(sessionId: string) {
    return this.deps.refreshTokens.begin(sessionId, this.deps.policy.maxAgeSeconds);
  }

  async renew(refreshToken: string) {
    const outcome = await this.deps.refreshTokens.rotate(refreshToken, {
      idleSeconds: this.deps.policy.idleSeconds,
      reuseGraceSeconds: REUSE_GRACE_SECONDS,
    });
    if (outcome.status === 'reused') {
      this.deps.sessions.forget(outcome.sessionId);
      throw new RefreshTokenReusedError(outcome.sessionId);
    }
    if (outcome.status === 'ended') throw new DomainError('SESSION_EXPIRED', 'The session has ended; sign in again');
    const { token, expiresAt } = this.deps.tokens.issue({ userId: outcome.userId, sessionId: outcome.sessionId });
    return {
      token,
      // The access token never outlives its session.
      expiresAt: expiresAt < outcome.sessionEndsAt ? expiresAt : outcome.sessionEndsAt,
      refreshToken: outcome.refreshToken,
      sessionEndsAt: outcome.sessionEndsAt,
      sessionId: outcome.sessionId,
      userId: outcome.userId,
      csrfToken: this.deps.tokens.csrfTokenFor(outcome.sessionId),
    };
  }

  /** "Sign out everywhere": every session of the user ends. Returns them, for their sockets to be closed. */
  async endEverywhere(userId: string): Promise<string[]> {
    const sessionIds = await this.deps.refreshTokens.activeSessionsOf(userId);
    for (const sessionId of sessionIds) await this.deps.sessions.revoke(sessionId);
    return sessionIds;
  }
}

/** A refresh token was used twice: its session is revoked, and its sockets must be closed too. */
export class RefreshTokenReusedError extends DomainError {
  constructor(readonly sessionId: string) {
    super('REFRESH_TOKEN_REUSED', 'This sign-in was used from somewhere else; it has been ended. Sign in again');
  }
}
