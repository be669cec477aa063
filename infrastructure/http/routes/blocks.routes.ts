import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listBlocks } from '../../../projections/blocks/blocks.queries.js';
import { PROJECTIONS } from '../../../projections/names.js';
import type { AppContext } from '../../app-context.js';
import { errors, MinPositionQuery, Uuid } from '../schemas.js';

const Block = Type.Object({ user: Type.Object({ id: Uuid, username: Type.String() }), blockedAt: Type.String() });

/** Blocking is private: only the blocker sees these (docs/contacts-consent.md). */
export const blockRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/api/blocks',
      {
        schema: {
          tags: ['blocks'],
          description:
            'Blocks a user: your contact or requests with them end at once, and so does a call; their later requests never reach you.',
          body: Type.Object({ userId: Uuid }, { additionalProperties: false }),
          response: { 201: Type.Object({ block: Block, position: Type.Integer() }), ...errors(400, 401, 404) },
        },
      },
      async (request, reply) => {
        const result = await ctx.contacts.block(request.session.userId, request.body.userId, request.commandContext);
        return reply.status(201).send(result);
      },
    );

    app.delete(
      '/api/blocks/:userId',
      {
        schema: {
          tags: ['blocks'],
          description: 'Lifts a block (idempotent). The contact does not come back: a new request is needed.',
          params: Type.Object({ userId: Uuid }),
          response: { 200: Type.Object({ position: Type.Integer() }), ...errors(400, 401) },
        },
      },
      async (request) => ctx.contacts.unblock(request.session.userId, request.params.userId, request.commandContext),
    );

    app.get(
      '/api/blocks',
      {
        config: { readModels: [PROJECTIONS.blocks, PROJECTIONS.accounts] },
        schema: {
          tags: ['blocks'],
          description: 'Whom you have blocked, newest first.',
          querystring: Type.Object(MinPositionQuery),
          response: { 200: Type.Object({ blocks: Type.Array(Block) }), ...errors(400, 401) },
        },
      },
      async (request) => ({ blocks: await listBlocks(ctx.pool, request.session.userId) }),
    );
  };
