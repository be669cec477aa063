import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ConversationAudit } from '../../../projections/messages/conversation-audit.js';
import type { AppContext } from '../../app-context.js';
import { errors, Uuid } from '../schemas.js';

const MessageChange = Type.Object({
  type: Type.Union([Type.Literal('MessageEdited'), Type.Literal('MessageDeleted')]),
  messageId: Uuid,
  userId: Uuid,
  at: Type.String(),
  revision: Type.Integer(),
  position: Type.Integer(),
  previousText: Type.Union([Type.String(), Type.Null()]),
  text: Type.Union([Type.String(), Type.Null()]),
});

/** The edit and delete history of a conversation, from its stream, for its members. */
export const auditRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const audit = new ConversationAudit(ctx.store, ctx.contacts);
    app.get(
      '/api/contacts/:contactId/audit',
      {
        schema: {
          tags: ['messages'],
          description: 'Every edit and deletion in this conversation, oldest first (members only).',
          params: Type.Object({ contactId: Uuid }),
          response: { 200: Type.Object({ changes: Type.Array(MessageChange) }), ...errors(400, 401, 404) },
        },
      },
      async (request) => ({ changes: await audit.changes(request.session.userId, request.params.contactId) }),
    );
  };
