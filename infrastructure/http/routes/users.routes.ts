import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { searchUsers } from '../../../projections/accounts/accounts.queries.js';
import { assertPlainText } from '../../../domain/plain-text.js';
import type { AppContext } from '../../app-context.js';
import { perUserLimit } from '../per-user-limit.js';
import { errors, MinPositionQuery, User } from '../schemas.js';
import { PROJECTIONS } from '../../../projections/names.js';

export const userRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/api/users',
      {
        preHandler: perUserLimit(ctx, 'searches'),
        config: { readModels: [PROJECTIONS.accounts] },
        schema: {
          tags: ['users'],
          querystring: Type.Object({ query: Type.String({ maxLength: 64, default: '' }), ...MinPositionQuery }),
          response: { 200: Type.Object({ users: Type.Array(User) }), ...errors(400, 401, 429) },
        },
      },
      async (request) => {
        // PostgreSQL refuses NUL in text: a 400 here, not a failed query.
        assertPlainText(request.query.query, 'query');
        return { users: await searchUsers(ctx.pool, request.query.query, request.session.userId, 20) };
      },
    );
  };
