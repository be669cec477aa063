import { Type } from '@sinclair/typebox';
import type pg from 'pg';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { searchMessages, type SearchCursor, type SearchKey } from '../../../projections/search/search.queries.js';
import { searchTerms } from '../../../projections/search/search-terms.js';
import { PROJECTIONS } from '../../../projections/names.js';
import type { AppContext } from '../../app-context.js';
import { HttpError } from '../error-codes.js';
import { perUserLimit } from '../per-user-limit.js';
import { errors, MinPositionQuery, Uuid } from '../schemas.js';

const Snippet = Type.Object({
  text: Type.String(),
  highlights: Type.Array(Type.Tuple([Type.Integer(), Type.Integer()])),
});
const SearchResult = Type.Object({
  conversationId: Type.String(),
  message: Type.Object({
    id: Type.String(),
    senderId: Type.String(),
    text: Type.String(),
    sentAt: Type.String(),
    editedAt: Type.Union([Type.String(), Type.Null()]),
  }),
  snippet: Snippet,
});

/** `next` as the client sees it: opaque (base64url JSON of the last result's place and its window's bounds). */
const keyArray = (k: SearchKey | null) => k && [k.sentAt, k.contactId, k.id];
const encodeCursor = (c: SearchCursor) =>
  Buffer.from(JSON.stringify([c.rank, c.sentAt, c.contactId, c.id, keyArray(c.window.ceiling), keyArray(c.window.floor)])).toString(
    'base64url',
  );
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function decodeKey(value: unknown): SearchKey | null | undefined {
  if (value === null) return null;
  if (!Array.isArray(value) || value.length !== 3) return undefined;
  const [sentAt, contactId, id] = value as unknown[];
  const ok = typeof sentAt === 'string' && typeof contactId === 'string' && typeof id === 'string';
  return ok && UUID.test(contactId) && UUID.test(id) ? { sentAt, contactId, id } : undefined;
}

function decodeCursor(value: string): SearchCursor | null {
  try {
    const [rank, sentAt, contactId, id, ceiling, floor] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown[];
    const place = decodeKey([sentAt, contactId, id]);
    const window = { ceiling: decodeKey(ceiling), floor: decodeKey(floor) };
    if (typeof rank !== 'string' || !place || window.ceiling === undefined || window.floor === undefined) return null;
    return { rank, ...place, window: { ceiling: window.ceiling, floor: window.floor } };
  } catch {
    return null;
  }
}

/** A cursor as `next` wrote it, its rank and times in PostgreSQL's own text (checked by PostgreSQL: a forged one is a 400). */
async function readCursor(pool: pg.Pool, value: string): Promise<SearchCursor> {
  const cursor = decodeCursor(value);
  const valid =
    cursor &&
    (await pool
      .query<{ ok: boolean }>(
        `SELECT $1::real >= 0 AND $1::real < 'Infinity' AND $2::timestamptz IS NOT NULL
                AND ($3::text IS NULL OR $3::timestamptz IS NOT NULL) AND ($4::text IS NULL OR $4::timestamptz IS NOT NULL) AS ok`,
        [cursor.rank, cursor.sentAt, cursor.window.ceiling?.sentAt ?? null, cursor.window.floor?.sentAt ?? null],
      )
      .then(
        ({ rows }) => rows[0].ok,
        (error: { code?: string }) => {
          if (error.code?.startsWith('22')) return false; // data exception: not a number, not a time, out of range
          throw error;
        },
      ));
  if (!valid) throw new HttpError(400, 'UNKNOWN_CURSOR', 'cursor is not a next value this search returned');
  return cursor;
}

/** `GET /api/search`: full-text search over the signed-in user's conversations (docs/search.md). */
export const searchRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/api/search',
      {
        // Its own count in the `searches` limit, apart from the user directory's.
        preHandler: perUserLimit(ctx, 'searches', () => 'messages'),
        config: { readModels: [PROJECTIONS.search, PROJECTIONS.contactList, PROJECTIONS.conversationMembers] },
        schema: {
          tags: ['messages'],
          querystring: Type.Object({
            q: Type.String({ minLength: 1, maxLength: 200 }),
            conversationId: Type.Optional(Uuid),
            senderId: Type.Optional(Uuid),
            /** Only messages sent before this time. */
            before: Type.Optional(Type.String({ format: 'date-time' })),
            /** The `next` of the previous page. */
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
            limit: Type.Integer({ minimum: 1, maximum: 50, default: 20 }),
            ...MinPositionQuery,
          }),
          response: {
            200: Type.Object({ results: Type.Array(SearchResult), next: Type.Union([Type.String(), Type.Null()]) }),
            ...errors(400, 401, 429),
          },
        },
      },
      async (request) => {
        const { q, conversationId, senderId, before, cursor, limit } = request.query;
        const terms = searchTerms(q);
        if (terms.length === 0) throw new HttpError(400, 'VALIDATION_ERROR', 'q must hold at least one word (letters or digits)');
        const after = cursor === undefined ? undefined : await readCursor(ctx.pool, cursor);
        const page = await searchMessages(
          ctx.pool,
          request.session.userId,
          terms,
          { conversationId, senderId, before: before === undefined ? undefined : new Date(before) },
          { limit, after },
        );
        return { results: page.results, next: page.next && encodeCursor(page.next) };
      },
    );
  };
