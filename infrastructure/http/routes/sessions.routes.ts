import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { RefreshTokenReusedError } from '../../../application/accounts/session-renewal.js';
import type { AppContext } from '../../app-context.js';
import type { Device } from '../../auth/session-journal.js';
import { HttpError } from '../error-codes.js';
import { errors, Uuid } from '../schemas.js';
import { clearSessionCookie, REFRESH_COOKIE, setRefreshCookie, setSessionCookie } from '../session-cookie.js';

const Renewed = Type.Object({ token: Type.String(), csrfToken: Type.String(), expiresAt: Type.String(), refreshToken: Type.String() });

const ActiveSession = Type.Object({
  id: Uuid,
  current: Type.Boolean(),
  createdAt: Type.String(),
  lastActiveAt: Type.String(),
  address: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
});

export const deviceOf = (request: { ip: string; headers: Record<string, unknown> }): Device => ({
  address: request.ip,
  userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
});

/**
 * A user's sessions beyond sign-in and sign-out: renewing one (the app does it before its access token runs
 * out), listing the active ones with the device each was opened on, ending one, ending all.
 */
export const sessionRefreshRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/api/sessions/refresh',
      {
        schema: {
          tags: ['sessions'],
          description:
            'Trades a refresh token (the `derbel_refresh` cookie, or `refreshToken` in the body) for a new access token and refresh token. ' +
            'Each refresh token works once: a second use ends the session (401 REFRESH_TOKEN_REUSED).',
          response: { 200: Renewed, ...errors(400, 401) },
        },
      },
      async (request, reply) => {
        const refreshToken = refreshTokenIn(request.body) ?? request.cookies[REFRESH_COOKIE];
        if (!refreshToken) throw new HttpError(401, 'UNAUTHORIZED', 'No refresh token');
        try {
          const renewed = await ctx.renewal.renew(refreshToken);
          await ctx.sessionJournal.record({ kind: 'renewed', userId: renewed.userId, sessionId: renewed.sessionId, ...deviceOf(request) });
          setSessionCookie(reply, ctx.config, renewed.token, renewed.expiresAt);
          setRefreshCookie(reply, ctx.config, renewed.refreshToken, renewed.sessionEndsAt);
          return {
            token: renewed.token,
            csrfToken: renewed.csrfToken,
            expiresAt: renewed.expiresAt.toISOString(),
            refreshToken: renewed.refreshToken,
          };
        } catch (error) {
          clearSessionCookie(reply, ctx.config);
          if (error instanceof RefreshTokenReusedError) {
            await ctx.realtime.endSession(error.sessionId);
            await ctx.sessionJournal.record({ kind: 'refresh-token-reused', sessionId: error.sessionId, ...deviceOf(request) });
          }
          throw error;
        }
      },
    );
  };

/** The signed-in user's sessions: listing them, ending one, ending all. */
export const sessionRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.delete(
      '/api/sessions/everywhere',
      {
        schema: {
          tags: ['sessions'],
          description: 'Signs the user out on every device: every session ends and every socket of the user is closed, on every node.',
          response: { 204: Type.Null(), ...errors(401, 403) },
        },
      },
      async (request, reply) => {
        const ended = await ctx.renewal.endEverywhere(request.session.userId);
        for (const sessionId of new Set([...ended, request.session.sessionId])) await ctx.realtime.endSession(sessionId);
        await ctx.sessionJournal.record({
          kind: 'signed-out-everywhere',
          userId: request.session.userId,
          sessionId: request.session.sessionId,
          ...deviceOf(request),
        });
        clearSessionCookie(reply, ctx.config);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/sessions',
      {
        schema: {
          tags: ['sessions'],
          description: "The user's active sessions, most recently active first, with the device each was opened on; `current` is this one.",
          response: { 200: Type.Object({ sessions: Type.Array(ActiveSession) }), ...errors(401) },
        },
      },
      async (request) => {
        const sessions = await ctx.sessionJournal.activeSessionsOf(request.session.userId);
        return { sessions: sessions.map((s) => ({ ...s, current: s.id === request.session.sessionId })) };
      },
    );

    app.delete(
      '/api/sessions/:sessionId',
      {
        schema: {
          tags: ['sessions'],
          description: "Ends one of the user's sessions (another device): its sockets close on every node.",
          params: Type.Object({ sessionId: Uuid }),
          response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { sessionId } = request.params;
        const own = (await ctx.sessionJournal.activeSessionsOf(request.session.userId)).some((s) => s.id === sessionId);
        // Another user's session and no session at all look the same.
        if (!own) throw new HttpError(404, 'SESSION_NOT_FOUND', 'No such session');
        await ctx.accounts.signOut(sessionId);
        await ctx.realtime.endSession(sessionId);
        await ctx.sessionJournal.record({
          kind: 'ended-from-another-device',
          userId: request.session.userId,
          sessionId,
          ...deviceOf(request),
        });
        if (sessionId === request.session.sessionId) clearSessionCookie(reply, ctx.config);
        return reply.status(204).send(null);
      },
    );
  };

/** The body is optional (a browser sends the cookie alone), so it is checked here rather than by a schema. */
function refreshTokenIn(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  const token = typeof body === 'object' && !Array.isArray(body) ? (body as { refreshToken?: unknown }).refreshToken : null;
  if (token === undefined) return undefined;
  if (typeof token !== 'string' || token.length === 0 || token.length > 200) {
    throw new HttpError(400, 'VALIDATION_ERROR', 'body/refreshToken must be a refresh token');
  }
  return token;
}
