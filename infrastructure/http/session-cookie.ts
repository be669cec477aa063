import type { FastifyReply } from 'fastify';
import type { Config } from '../config/config.js';

export const SESSION_COOKIE = 'derbel_session';
/** The refresh token: sent only to `/api/sessions…` (sign-in, renewal, sign-out). */
export const REFRESH_COOKIE = 'derbel_refresh';
const REFRESH_PATH = '/api/sessions';

/**
 * `Lax` keeps a foreign site's requests from carrying the session. Only when embed origins are configured
 * does the cookie need `None` (they are other sites), which browsers accept only on a `Secure` cookie.
 */
const sameSiteFor = (config: Config) => (config.cookieSecure && config.corsOrigins.length > 0 ? 'none' : 'lax');

export function setSessionCookie(reply: FastifyReply, config: Config, token: string, expiresAt: Date) {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: sameSiteFor(config),
    secure: config.cookieSecure,
    path: '/',
    expires: expiresAt,
  });
}

export function setRefreshCookie(reply: FastifyReply, config: Config, refreshToken: string, sessionEndsAt: Date) {
  reply.setCookie(REFRESH_COOKIE, refreshToken, {
    httpOnly: true,
    sameSite: sameSiteFor(config),
    secure: config.cookieSecure,
    path: REFRESH_PATH,
    expires: sessionEndsAt,
  });
}

export function clearSessionCookie(reply: FastifyReply, config: Config) {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, secure: config.cookieSecure, sameSite: sameSiteFor(config) });
  reply.clearCookie(REFRESH_COOKIE, { path: REFRESH_PATH, httpOnly: true, secure: config.cookieSecure, sameSite: sameSiteFor(config) });
}
