import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { ConversationAudit } from '../../../projections/messages/conversation-audit.js';
import { listMessagesJson, type MessagePeriod } from '../../../projections/messages/messages.queries.js';
import type { AppContext } from '../../app-context.js';
import { HttpError } from '../error-codes.js';
import { historyPageTag } from '../history-page-cache.js';
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
  304: Type.Null({ description: 'Unchanged since the `ETag` that `If-None-Match` names: no body.' }),
  ...errors(400, 401, 404),
};

/** Who asks for which page of which conversation. */
export interface HistoryPageRequest {
  userId: string;
  contactId: string;
  query: Static<typeof HistoryQuery>;
  ifNoneMatch?: string;
}

/**
 * Answers a live history page of a conversation the caller may read (the route checked that, and read the
 * conversation's `version` in the same statement, `historyAccess`): from the messages read model, with
 * `periods` only the messages inside them. It comes from this node's page cache while the conversation's
 * version is the one it was read at, and is 304 Not Modified when the caller's `If-None-Match` names that
 * version already.
 */
export async function sendHistoryPage(
  ctx: AppContext,
  reply: FastifyReply,
  request: HistoryPageRequest,
  version: string,
  periods?: readonly MessagePeriod[],
) {
  const { contactId } = request;
  const { before, after, limit } = oneCursor(request.query);
  const key = { contactId, before, after, limit, periods };
  // Revalidation every time (`no-cache`): a browser keeps the page and gets 304 while it is unchanged.
  reply.header('cache-control', 'private, no-cache');
  let tag = historyPageTag(version, periods);
  if (namesTag(request.ifNoneMatch, tag)) return reply.code(304).header('etag', tag).send();
  let body = ctx.historyPages.get(key, version);
  if (!body) {
    const page = await listMessagesJson(ctx.pool, contactId, { before, after, limit }, periods);
    if (page === null) throw new HttpError(400, 'UNKNOWN_CURSOR', 'No message with that id in this conversation');
    body = Buffer.from(page.json);
    // Read in one snapshot with the page: maybe newer than `version`, never older.
    ctx.historyPages.set(key, page.version, body);
    tag = historyPageTag(page.version, periods);
  }
  // Written by PostgreSQL in the response's schema: sent as it is.
  return reply.header('etag', tag).type('application/json; charset=utf-8').send(body);
}

/**
 * A page as the conversation stood at `asOf` (time travel): computed from the log, with the caller's periods as
 * the stream has them; it checks who may look itself.
 */
export async function sendPastHistoryPage(timeTravel: ConversationAudit, reply: FastifyReply, request: HistoryPageRequest, asOf: string) {
  const { before, after, limit } = oneCursor(request.query);
  const past = await timeTravel.messagesAsOf(request.userId, request.contactId, { asOf: new Date(asOf), before, after, limit });
  if (!past) throw new HttpError(400, 'UNKNOWN_CURSOR', 'No message with that id in this conversation at that time');
  return reply.send(past);
}

function oneCursor(query: Static<typeof HistoryQuery>) {
  if (query.before && query.after) throw new HttpError(400, 'VALIDATION_ERROR', 'Pass either before or after, not both');
  return query;
}

/** Whether an `If-None-Match` header lists `tag` (weak or strong, as RFC 9110's weak comparison has it). */
function namesTag(ifNoneMatch: string | undefined, tag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((listed) => listed.trim().replace(/^W\//, '') === tag);
}
