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
