import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';
import type { SessionClaims, TokenService } from '../../application/ports/auth.js';

/** HS256 session tokens: `sub` is the user, `sid` the session (revocable in the sessions table). */
export class JwtTokenService implements TokenService {
  // Made once: given a string, jsonwebtoken builds a key object on every sign and verify.
  private readonly key: KeyObject;
  // Every request verifies its token; a token is immutable, so one verified already needs only its expiry
  // checked again (the signature check and decoding were ~9 % of a busy node's CPU).
  private readonly verified = new LRUCache<string, SessionClaims>({ max: 100_000 });

  constructor(
    private readonly secret: string,
    private readonly expiresInSeconds: number,
  ) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  issue({ userId, sessionId }: { userId: string; sessionId: string }) {
    const token = jwt.sign({ sid: sessionId }, this.key, {
      algorithm: 'HS256',
      subject: userId,
      expiresIn: this.expiresInSeconds,
    });
    const { exp } = jwt.decode(token) as { exp: number };
    return { token, expiresAt: new Date(exp * 1000) };
  }

  verify(token: string): SessionClaims {
    const cached = this.verified.get(token);
    if (cached && cached.expiresAt * 1000 > Date.now()) return cached;
    const claims = this.verifySignature(token);
    this.verified.set(token, claims);
    return claims;
  }

  private verifySignature(token: string): SessionClaims {
    const payload = jwt.verify(token, this.key, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.exp !== 'number') {
      throw new Error('malformed session token');
    }
    return { userId: payload.sub, sessionId: payload.sid, expiresAt: payload.exp };
  }

  csrfTokenFor(sessionId: string): string {
    return createHmac('sha256', this.secret).update(`csrf:${sessionId}`).digest('base64url');
  }
}
