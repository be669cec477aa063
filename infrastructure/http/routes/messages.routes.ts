import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ConversationAudit } from '../../../projections/messages/conversation-audit.js';
import type { AppContext } from '../../app-context.js';
import { Uuid } from '../schemas.js';
import { HistoryQuery, HistoryResponses, sendHistoryPage } from './history-page.js';
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
        config: { readModels: [PROJECTIONS.messages] },
        schema: {
          tags: ['messages'],
          params: ContactParams,
          querystring: HistoryQuery,
          response: HistoryResponses,
        },
      },
      async (request, reply) => {
        const { contactId } = request.params;
        const userId = request.session.userId;
        // Time travel checks membership itself, from the stream.
        if (!request.query.asOf) await ctx.contacts.membersFor(userId, contactId);
        return sendHistoryPage(ctx, timeTravel, reply, {
          userId,
          contactId,
          query: request.query,
          ifNoneMatch: request.headers['if-none-match'],
        });
      },
    );
  };
