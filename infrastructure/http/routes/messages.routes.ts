import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ConversationAudit } from '../../../projections/messages/conversation-audit.js';
import { readHistoryAccess } from '../batched-history-access.js';
import type { AppContext } from '../../app-context.js';
import { Uuid } from '../schemas.js';
import { historyPageRequest, HistoryQuery, HistoryResponses, sendHistoryPage, sendPastHistoryPage } from './history-page.js';
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
        const page = historyPageRequest(request, contactId);
        if (request.query.asOf) return sendPastHistoryPage(timeTravel, reply, page, request.query.asOf);
        const { version, periods } = await readHistoryAccess(ctx.pool, userId, contactId);
        // Not a member as the read model has it, maybe only not yet (an add the API confirmed is in the log,
        // maybe not projected): the stream decides, as for a write (CONTACT_NOT_FOUND to anyone else).
        if (!periods) await ctx.contacts.membersFor(userId, contactId);
        return sendHistoryPage(ctx, reply, page, version);
      },
    );
  };
