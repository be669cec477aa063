/** Ports the accounts slice needs from the outside world. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
}

/** Password hashes live outside the event log: events are forever and must carry no secrets. */
export interface CredentialsRepository {
  save(userId: string, passwordHash: string): Promise<void>;
  find(userId: string): Promise<string | null>;
  delete(userId: string): Promise<void>;
}

export interface SessionRepository {
  create(session: { id: string; userId: string; expiresAt: Date }): Promise<void>;
  /** `fresh`: ask the store itself, never a cache (a socket handshake must not outlive a sign-out). */
  isActive(sessionId: string, options?: { fresh?: boolean }): Promise<boolean>;
  revoke(sessionId: string): Promise<void>;
  /** Drops what this process remembers of the session (another node ended it). */
  forget(sessionId: string): void;
}

/** What using a refresh token came to (see `RefreshTokenRepository.rotate`). */
export type RefreshOutcome =
  | { status: 'renewed'; sessionId: string; userId: string; refreshToken: string; sessionEndsAt: Date }
  /** No such token, or its session was revoked, reached its absolute end or stayed idle too long. */
  | { status: 'ended' }
  /** The token was used before (past the grace): it was stolen or replayed; the session is now revoked. */
  | { status: 'reused'; sessionId: string };

/** Rotating refresh tokens of sessions that slide. Only hashes are stored. */
export interface RefreshTokenRepository {
  /** Lets the session live up to `maxAgeSeconds` from now, renewed while used; returns its first refresh token. */
  begin(sessionId: string, maxAgeSeconds: number): Promise<{ refreshToken: string; sessionEndsAt: Date }>;
  /**
   * Uses `refreshToken` once and returns its successor. A token used again within `reuseGraceSeconds` (two tabs
   * renewing at once) gets a successor too; later, the session is revoked.
   */
  rotate(refreshToken: string, policy: { idleSeconds: number; reuseGraceSeconds: number }): Promise<RefreshOutcome>;
  /** The user's sessions that are still active. */
  activeSessionsOf(userId: string): Promise<string[]>;
}

export interface SessionClaims {
  userId: string;
  sessionId: string;
  /** Expiry, seconds since the epoch. */
  expiresAt: number;
}

export interface TokenService {
  issue(claims: { userId: string; sessionId: string }): { token: string; expiresAt: Date };
  /** Throws on a bad or expired token. */
  verify(token: string): SessionClaims;
  /** A per-session CSRF token for cookie-authenticated writes. */
  csrfTokenFor(sessionId: string): string;
}
