import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DomainError } from '../../../domain/decider.js';
import { getConversation, listConversations } from '../../../projections/contact-list/conversations.queries.js';
import { ConversationAudit } from '../../../projections/messages/conversation-audit.js';
import { readHistoryAccess } from '../batched-history-access.js';
import { PROJECTIONS } from '../../../projections/names.js';
import type { AppContext } from '../../app-context.js';
import { errors, HistoryMessage, MinPositionQuery, User, Uuid } from '../schemas.js';
import { historyPageRequest, HistoryQuery, HistoryResponses, sendHistoryPage, sendPastHistoryPage } from './history-page.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

/** A conversation as docs/groups.md ("Wire details") gives it. */
const Conversation = Type.Object({
  id: Uuid,
  kind: Type.Union([Type.Literal('direct'), Type.Literal('group')]),
  title: Nullable(Type.String()),
  peer: Nullable(User),
  members: Type.Array(
    Type.Object({ ...User.properties, role: Type.Union([Type.Literal('admin'), Type.Literal('member')]) }, { additionalProperties: false }),
  ),
  membersMayAdd: Type.Boolean(),
  joinedAt: Type.String(),
  lastMessage: Nullable(HistoryMessage),
  unreadCount: Type.Integer(),
  lastActivityAt: Type.String(),
  lastReadMessageId: Nullable(Uuid),
  readMarks: Type.Array(Type.Object({ userId: Uuid, messageId: Uuid })),
  peerLastReadMessageId: Nullable(Uuid),
  activeMeeting: Nullable(Type.Object({ id: Uuid, state: Type.String(), startedBy: Uuid })),
});

const ConversationParams = Type.Object({ contactId: Uuid });

/** The list reads these together: the entries, their history, the members' names and their periods. */
const LIST_READ_MODELS = [PROJECTIONS.contactList, PROJECTIONS.messages, PROJECTIONS.accounts, PROJECTIONS.conversationMembers];

const notFound = () => new DomainError('CONVERSATION_NOT_FOUND', 'No such conversation');

/**
 * The read side of conversations, direct and group (docs/groups.md): the list, one conversation, and its
 * history within the caller's membership periods. Someone who is not a member now (never was, or left or
 * was removed) gets 404 CONVERSATION_NOT_FOUND, whether the conversation exists or not.
 */
export const conversationReadRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const timeTravel = new ConversationAudit(ctx.store, ctx.contacts);

    app.get(
      '/api/conversations',
      {
        config: { readModels: LIST_READ_MODELS },
        schema: {
          tags: ['conversations'],
          description: 'Your conversations, direct and group, newest activity first.',
          querystring: Type.Object(MinPositionQuery),
          response: { 200: Type.Object({ conversations: Type.Array(Conversation) }), ...errors(400, 401) },
        },
      },
      async (request) => ({ conversations: await listConversations(ctx.pool, request.session.userId) }),
    );

    app.get(
      '/api/conversations/:contactId',
      {
        config: { readModels: LIST_READ_MODELS },
        schema: {
          tags: ['conversations'],
          description: 'One of your conversations, as the list gives it.',
          params: ConversationParams,
          querystring: Type.Object(MinPositionQuery),
          response: { 200: Type.Object({ conversation: Conversation }), ...errors(400, 401, 404) },
        },
      },
      async (request) => {
        const conversation = await getConversation(ctx.pool, request.session.userId, request.params.contactId);
        if (!conversation) throw notFound();
        return { conversation };
      },
    );

    app.get(
      '/api/conversations/:contactId/messages',
      {
        config: { readModels: [PROJECTIONS.messages, PROJECTIONS.conversationMembers] },
        schema: {
          tags: ['conversations'],
          description:
            'A page of the history, as `GET /api/contacts/:id/messages` gives it, limited to your membership periods (a member added later sees from when they joined).',
          params: ConversationParams,
          querystring: HistoryQuery,
          response: HistoryResponses,
        },
      },
      async (request, reply) => {
        const userId = request.session.userId;
        const { contactId } = request.params;
        const { version, periods } = await readHistoryAccess(ctx.pool, userId, contactId);
        if (!periods) throw notFound();
        const page = historyPageRequest(request, contactId);
        if (request.query.asOf) return sendPastHistoryPage(timeTravel, reply, page, request.query.asOf);
        return sendHistoryPage(ctx, reply, page, version, periods);
      },
    );
  };
