import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DomainError } from '../../../domain/decider.js';
import type { AppContext } from '../../app-context.js';
import { clearSessionCookie, setRefreshCookie, setSessionCookie } from '../session-cookie.js';
import { deviceOf } from './sessions.routes.js';
import { DisplayName, errors, Password, User, Username } from '../schemas.js';

/** Signing up and signing in: the routes open to anyone. */
export const signInRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/api/accounts',
      {
        config: { rateLimit: { max: ctx.config.rateLimits.signUp.points, timeWindow: ctx.config.rateLimits.signUp.seconds * 1000 } },
        schema: {
          tags: ['accounts'],
          body: Type.Object({ username: Username, displayName: DisplayName, password: Password }, { additionalProperties: false }),
          response: { 201: Type.Object({ user: User, position: Type.Integer() }), ...errors(400, 409, 429) },
        },
      },
      async (request, reply) => {
        const result = await ctx.accounts.register(request.body, { userId: null, correlationId: request.id });
        return reply.status(201).send(result);
      },
    );

    app.post(
      '/api/sessions',
      {
        // Per address and username: guessing one account's password is slow; others are unaffected.
        // Failed sign-ins are also counted per address across usernames (password spraying), below.
        config: {
          rateLimit: {
            max: ctx.config.rateLimits.signInPerAccount.points,
            timeWindow: ctx.config.rateLimits.signInPerAccount.seconds * 1000,
            keyGenerator: (request) => `${request.ip}:${String((request.body as { username?: unknown })?.username ?? '').toLowerCase()}`,
          },
        },
        schema: {
          tags: ['sessions'],
          body: Type.Object(
            { username: Type.String({ maxLength: 64 }), password: Type.String({ maxLength: 200 }) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              token: Type.String(),
              user: User,
              csrfToken: Type.String(),
              expiresAt: Type.String(),
              refreshToken: Type.String(),
            }),
            ...errors(400, 401, 429),
          },
        },
      },
      async (request, reply) => {
        await ctx.limits.assertNotExhausted('signInPerAddress', request.ip);
        const { token, expiresAt, user, csrfToken } = await ctx.accounts.signIn(request.body).catch(async (error) => {
          if (error instanceof DomainError && error.code === 'INVALID_CREDENTIALS') {
            await ctx.limits.penalize('signInPerAddress', request.ip);
            await ctx.sessionJournal.record({ kind: 'sign-in-failed', username: request.body.username, ...deviceOf(request) });
          }
          throw error;
        });
        setSessionCookie(reply, ctx.config, token, expiresAt);
        // The app renews the short-lived token with this before it runs out (see sessions.routes.ts).
        const { sessionId } = ctx.tokens.verify(token);
        const { refreshToken, sessionEndsAt } = await ctx.renewal.begin(sessionId);
        await ctx.sessionJournal.openedOn(sessionId, deviceOf(request));
        await ctx.sessionJournal.record({ kind: 'signed-in', userId: user.id, sessionId, ...deviceOf(request) });
        setRefreshCookie(reply, ctx.config, refreshToken, sessionEndsAt);
        return { token, user, csrfToken, expiresAt: expiresAt.toISOString(), refreshToken };
      },
    );
  };

/** The signed-in user: signing out, and who they are. */
export const accountRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.delete(
      '/api/sessions',
      { schema: { tags: ['sessions'], response: { 204: Type.Null(), ...errors(401, 403) } } },
      async (request, reply) => {
        await ctx.accounts.signOut(request.session.sessionId);
        await ctx.realtime.endSession(request.session.sessionId);
        await ctx.sessionJournal.record({
          kind: 'signed-out',
          userId: request.session.userId,
          sessionId: request.session.sessionId,
          ...deviceOf(request),
        });
        clearSessionCookie(reply, ctx.config);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/me',
      {
        schema: {
          tags: ['sessions'],
          response: { 200: Type.Object({ user: User, csrfToken: Type.String(), expiresAt: Type.String() }), ...errors(401) },
        },
      },
      async (request) => {
        const user = await ctx.accounts.findUser(request.session.userId);
        if (!user) throw new Error('session of an unknown user');
        return {
          user,
          csrfToken: ctx.tokens.csrfTokenFor(request.session.sessionId),
          expiresAt: new Date(request.session.expiresAt * 1000).toISOString(),
        };
      },
    );
  };
