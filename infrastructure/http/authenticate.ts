import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SessionClaims } from '../../application/ports/auth.js';
import type { CommandContext } from '../../application/shared/command-context.js';
import type { AppContext } from '../app-context.js';
import { HttpError } from './error-codes.js';
import { SESSION_COOKIE } from './session-cookie.js';

declare module 'fastify' {
  interface FastifyRequest {
    session: SessionClaims & { via: 'bearer' | 'cookie' };
    /** Who a command of this request comes from (the signed-in user) and the request id that correlates its events. */
    readonly commandContext: CommandContext & { userId: string };
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session token from `Authorization: Bearer …` or the session cookie, if any. */
export function tokenFrom(headers: { authorization?: string; cookie?: string }, cookies?: Record<string, string | undefined>) {
  const bearer = headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer) return { token: bearer, via: 'bearer' as const };
  const cookie = cookies?.[SESSION_COOKIE];
  return cookie ? { token: cookie, via: 'cookie' as const } : null;
}

/**
 * `app.authenticate`, the signed-in routes' `onRequest` hook (build-http-app.ts): a valid, unrevoked session or 401. Cookie-authenticated writes also
 * need the session's CSRF token in `x-csrf-token` (a cross-site form can send the cookie, not the header).
 */
export function registerAuthentication(app: FastifyInstance, ctx: AppContext) {
  app.decorateRequest('session', null as unknown as FastifyRequest['session']);
  app.decorateRequest('commandContext', {
    getter(this: FastifyRequest) {
      return { userId: this.session.userId, correlationId: this.id };
    },
  });
  app.decorate('authenticate', async (request: FastifyRequest) => {
    const found = tokenFrom(request.headers, request.cookies);
    if (!found) throw new HttpError(401, 'UNAUTHORIZED', 'Sign in first');
    let claims: SessionClaims;
    try {
      claims = ctx.tokens.verify(found.token);
    } catch {
      throw new HttpError(401, 'UNAUTHORIZED', 'Your session is invalid or has expired; sign in again');
    }
    if (!(await ctx.sessions.isActive(claims.sessionId))) {
      throw new HttpError(401, 'UNAUTHORIZED', 'Your session has ended; sign in again');
    }
    if (found.via === 'cookie' && !SAFE_METHODS.has(request.method)) {
      if (request.headers['x-csrf-token'] !== ctx.tokens.csrfTokenFor(claims.sessionId)) {
        throw new HttpError(403, 'CSRF_TOKEN_INVALID', 'Missing or wrong x-csrf-token header');
      }
    }
    request.session = { ...claims, via: found.via };
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    authenticate: (request: FastifyRequest) => Promise<void>;
  }
}
