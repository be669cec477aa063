import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { readFeedAfter } from '../batched-feed.js';
import type { AppContext } from '../../app-context.js';
import { errors, MinPositionQuery, Position } from '../schemas.js';
import { PROJECTIONS } from '../../../projections/names.js';

export const eventRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/api/events',
      {
        config: { readModels: [PROJECTIONS.feed] },
        schema: {
          tags: ['events'],
          description: "The caller's feed after a position: what a reconnecting client missed.",
          querystring: Type.Object({
            after: Position,
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
            ...MinPositionQuery,
          }),
          response: {
            200: Type.Object({
              events: Type.Array(
                Type.Object({ type: Type.String(), position: Type.Integer(), data: Type.Object({}, { additionalProperties: true }) }),
              ),
              hasMore: Type.Boolean(),
            }),
            ...errors(400, 401),
          },
        },
      },
      async (request) => readFeedAfter(ctx.pool, request.session.userId, request.query.after, request.query.limit),
    );
  };
