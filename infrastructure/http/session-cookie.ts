import type { FastifyReply } from 'fastify';
import type { Config } from '../config/config.js';

export const SESSION_COOKIE = 'derbel_session';

export function setSessionCookie(reply: FastifyReply, config: Config, token: string, expiresAt: Date) {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    // Cross-origin embeds need SameSite=None, which browsers only accept on Secure cookies.
    sameSite: config.cookieSecure ? 'none' : 'lax',
    secure: config.cookieSecure,
    path: '/',
    expires: expiresAt,
  });
}

export function clearSessionCookie(reply: FastifyReply, config: Config) {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, secure: config.cookieSecure, sameSite: config.cookieSecure ? 'none' : 'lax' });
}
