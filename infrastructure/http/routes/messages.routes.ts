import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listMessagesJson } from '../../../projections/messages/messages.queries.js';
import { ConversationAudit } from '../../../projections/messages/conversation-audit.js';
import type { AppContext } from '../../app-context.js';
import { HttpError } from '../error-codes.js';
import { errors, HistoryMessage, MinPositionQuery, Uuid } from '../schemas.js';
import { PROJECTIONS } from '../../../projections/names.js';
import { messageCommandRoutes } from './message-commands.routes.js';

const ContactParams = Type.Object({ contactId: Uuid });

export const messageRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const timeTravel = new ConversationAudit(ctx.store, ctx.contacts);

    await app.register(messageCommandRoutes(ctx, '/api/contacts', 'messages'));

    app.get(
      '/api/contacts/:contactId/messages',
      {
        preHandler: app.authenticate,
        config: { readModels: [PROJECTIONS.messages] },
        schema: {
          tags: ['messages'],
          params: ContactParams,
          querystring: Type.Object({
            before: Type.Optional(Uuid),
            after: Type.Optional(Uuid),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
            /** Time travel: the conversation as it stood then, computed from the log. */
            asOf: Type.Optional(Type.String({ format: 'date-time' })),
            ...MinPositionQuery,
          }),
          response: { 200: Type.Object({ messages: Type.Array(HistoryMessage), hasMore: Type.Boolean() }), ...errors(400, 401, 404) },
        },
      },
      async (request, reply) => {
        const { contactId } = request.params;
        const { before, after, limit } = request.query;
        if (before && after) throw new HttpError(400, 'VALIDATION_ERROR', 'Pass either before or after, not both');
        const asOf = request.query.asOf ? new Date(request.query.asOf) : null;
        if (asOf) {
          const past = await timeTravel.messagesAsOf(request.session.userId, contactId, { asOf, before, after, limit });
          if (!past) throw new HttpError(400, 'UNKNOWN_CURSOR', 'No message with that id in this conversation at that time');
          return past;
        }
        await ctx.contacts.membersFor(request.session.userId, contactId);
        const page = await listMessagesJson(ctx.pool, contactId, { before, after, limit });
        if (page === null) throw new HttpError(400, 'UNKNOWN_CURSOR', 'No message with that id in this conversation');
        // Written by PostgreSQL in the response's schema: sent as it is.
        return reply.type('application/json; charset=utf-8').send(page as never);
      },
    );
  };
