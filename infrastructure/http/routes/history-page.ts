import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { ConversationAudit } from '../../../projections/messages/conversation-audit.js';
import { listMessagesJson, type MessagePeriod } from '../../../projections/messages/messages.queries.js';
import type { AppContext } from '../../app-context.js';
import { HttpError } from '../error-codes.js';
import { errors, HistoryMessage, MinPositionQuery, Uuid } from '../schemas.js';

/** The query of a history page: `GET /api/contacts/:id/messages` and `GET /api/conversations/:id/messages`. */
export const HistoryQuery = Type.Object({
  before: Type.Optional(Uuid),
  after: Type.Optional(Uuid),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  /** Time travel: the conversation as it stood then, computed from the log. */
  asOf: Type.Optional(Type.String({ format: 'date-time' })),
  ...MinPositionQuery,
});

export const HistoryResponses = {
  200: Type.Object({ messages: Type.Array(HistoryMessage), hasMore: Type.Boolean() }),
  ...errors(400, 401, 404),
};

/**
 * Answers a history page of a conversation the caller may read (the route checked that): live from the
 * messages read model, with `periods` only the messages inside them; or as it stood at `asOf`.
 */
export async function sendHistoryPage(
  ctx: AppContext,
  timeTravel: ConversationAudit,
  reply: FastifyReply,
  request: { userId: string; contactId: string; query: Static<typeof HistoryQuery> },
  periods?: readonly MessagePeriod[],
) {
  const { userId, contactId } = request;
  const { before, after, limit } = request.query;
  if (before && after) throw new HttpError(400, 'VALIDATION_ERROR', 'Pass either before or after, not both');
  if (request.query.asOf) {
    const asOf = new Date(request.query.asOf);
    // Computed from the stream, with the caller's periods as the stream has them.
    const past = await timeTravel.messagesAsOf(userId, contactId, { asOf, before, after, limit });
    if (!past) throw new HttpError(400, 'UNKNOWN_CURSOR', 'No message with that id in this conversation at that time');
    return reply.send(past);
  }
  const page = await listMessagesJson(ctx.pool, contactId, { before, after, limit }, periods);
  if (page === null) throw new HttpError(400, 'UNKNOWN_CURSOR', 'No message with that id in this conversation');
  // Written by PostgreSQL in the response's schema: sent as it is.
  return reply.type('application/json; charset=utf-8').send(page as never);
}
