import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { RefreshTokenReusedError } from '../../../application/accounts/session-renewal.js';
import type { AppContext } from '../../app-context.js';
import { HttpError } from '../error-codes.js';
import { errors } from '../schemas.js';
import { clearSessionCookie, REFRESH_COOKIE, setRefreshCookie, setSessionCookie } from '../session-cookie.js';

const Renewed = Type.Object({ token: Type.String(), csrfToken: Type.String(), expiresAt: Type.String(), refreshToken: Type.String() });

/** Renewing a session (the app does it before its access token runs out) and ending all of a user's. */
export const sessionRenewalRoutes =
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
          setSessionCookie(reply, ctx.config, renewed.token, renewed.expiresAt);
          setRefreshCookie(reply, ctx.config, renewed.refreshToken, renewed.sessionEndsAt);
          return { token: renewed.token, csrfToken: renewed.csrfToken, expiresAt: renewed.expiresAt.toISOString(), refreshToken: renewed.refreshToken };
        } catch (error) {
          clearSessionCookie(reply, ctx.config);
          if (error instanceof RefreshTokenReusedError) await ctx.realtime.endSession(error.sessionId);
          throw error;
        }
      },
    );

    app.delete(
      '/api/sessions/everywhere',
      {
        preHandler: app.authenticate,
        schema: {
          tags: ['sessions'],
          description: 'Signs the user out on every device: every session ends and every socket of the user is closed, on every node.',
          response: { 204: Type.Null(), ...errors(401, 403) },
        },
      },
      async (request, reply) => {
        const ended = await ctx.renewal.endEverywhere(request.session.userId);
        for (const sessionId of new Set([...ended, request.session.sessionId])) await ctx.realtime.endSession(sessionId);
        clearSessionCookie(reply, ctx.config);
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
