import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { ConversationAudit } from '../../../projections/messages/conversation-audit.js';
import { listMessagesJson, type MessagePeriod } from '../../../projections/messages/messages.queries.js';
import type { AppContext } from '../../app-context.js';
import { COMPRESSION_THRESHOLD, encode, negotiatedEncoding, type Encoding } from '../compression.js';
import { namesTag } from '../entity-tags.js';
import { HttpError } from '../error-codes.js';
import { historyPageTag, type HistoryPageKey } from '../history-page-cache.js';
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
  acceptEncoding?: string;
}

/** The page a history route's request asks for. */
export function historyPageRequest(
  request: { session: { userId: string }; query: Static<typeof HistoryQuery>; headers: IncomingHttpHeaders },
  contactId: string,
): HistoryPageRequest {
  const { headers } = request;
  return {
    userId: request.session.userId,
    contactId,
    query: request.query,
    ifNoneMatch: headers['if-none-match'],
    acceptEncoding: headers['accept-encoding'],
  };
}

/** A page as it goes out: its body (compressed in `encoding`, if any) and the conversation's version it holds. */
interface PageBytes {
  version: string;
  body: Buffer;
  encoding?: Encoding;
}

/**
 * Answers a live history page of a conversation the caller may read (the route checked that, and read the
 * conversation's `version` in the same statement, `historyAccess`): from the messages read model, with
 * `periods` only the messages inside them. It comes from this node's page cache while the conversation's
 * version is the one it was read at, and is 304 Not Modified when the caller's `If-None-Match` names that
 * version already. A browser gets it compressed, as the cache keeps it: compressed once per version, not per
 * request.
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
  const encoding = negotiatedEncoding(request.acceptEncoding);
  // Revalidation every time (`no-cache`): a browser keeps the page and gets 304 while it is unchanged.
  reply.header('cache-control', 'private, no-cache').header('vary', 'accept-encoding');
  if (namesTag(request.ifNoneMatch, historyPageTag(version, periods)))
    return reply.code(304).header('etag', entityTag(version, periods)).send();
  const page = await pageBytes(ctx, { contactId, before, after, limit, periods }, version, encoding);
  if (page.encoding) reply.header('content-encoding', page.encoding);
  // Written by PostgreSQL in the response's schema: sent as it is.
  return reply.header('etag', entityTag(page.version, periods)).type('application/json; charset=utf-8').send(page.body);
}

/**
 * The page at `version` or newer, from this node's cache or else PostgreSQL, in `encoding` when it is worth
 * compressing; kept in the cache as it goes out.
 */
async function pageBytes(ctx: AppContext, key: HistoryPageKey, version: string, encoding?: Encoding): Promise<PageBytes> {
  const encoded = encoding && ctx.historyPages.get({ ...key, encoding }, version);
  if (encoded) return { version, body: encoded, encoding };
  const cached = ctx.historyPages.get(key, version);
  if (cached) return inEncoding(ctx, key, { version, body: cached }, encoding);
  const page = await listMessagesJson(ctx.pool, key.contactId, key, key.periods);
  if (page === null) throw new HttpError(400, 'UNKNOWN_CURSOR', 'No message with that id in this conversation');
  // Read in one snapshot with the page: maybe newer than `version`, never older.
  const read = { version: page.version, body: Buffer.from(page.json) };
  const sent = inEncoding(ctx, key, read, encoding);
  if (!sent.encoding) ctx.historyPages.set(key, read.version, read.body);
  return sent;
}

function inEncoding(ctx: AppContext, key: HistoryPageKey, page: PageBytes, encoding?: Encoding): PageBytes {
  if (!encoding || page.body.length < COMPRESSION_THRESHOLD) return page;
  const body = encode(page.body, encoding);
  ctx.historyPages.set({ ...key, encoding }, page.version, body);
  return { version: page.version, body, encoding };
}

/**
 * Weak: the same page goes out in several codings, each other bytes (RFC 9110, 8.8.3), and `If-None-Match`
 * compares weakly anyway.
 */
function entityTag(version: string, periods: readonly MessagePeriod[] | undefined) {
  return `W/${historyPageTag(version, periods)}`;
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
