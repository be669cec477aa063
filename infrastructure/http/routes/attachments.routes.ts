import type { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { INLINE_IMAGE_TYPES } from '../../../application/attachments/attachment.js';
import { DomainError } from '../../../domain/decider.js';
import type { AppContext } from '../../app-context.js';
import { contentDisposition } from '../content-disposition.js';
import { HttpError } from '../error-codes.js';
import { perUserLimit } from '../per-user-limit.js';
import { Attachment, errors, Uuid } from '../schemas.js';

const AttachmentParams = Type.Object({ attachmentId: Uuid });
/** Types a browser would run or render as a document: always served as opaque bytes. */
const ACTIVE_CONTENT = /html|xml|svg|javascript|ecmascript|x-sh|pdf/;

/**
 * `POST /api/attachments?name=` takes the file's raw bytes as the body, streamed (never parsed or buffered
 * whole); `GET /api/attachments/:id` and `…/thumbnail` serve them to whoever may see them, with headers that
 * keep a file from running as part of the app.
 */
export const attachmentRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    // In this plugin only: every body, whatever its type (JSON included), reaches the handler as the raw stream.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    app.post(
      '/api/attachments',
      {
        preHandler: perUserLimit(ctx, 'uploads'),
        schema: {
          tags: ['attachments'],
          description: 'The raw bytes of one file as the body, with its Content-Type; the file name in ?name=.',
          querystring: Type.Object({ name: Type.String({ minLength: 1, maxLength: 1024 }) }),
          response: { 201: Type.Object({ attachment: Attachment }), ...errors(400, 401, 403, 413, 415, 429) },
        },
      },
      async (request, reply) => {
        const body = request.body as Readable | undefined;
        if (!body || typeof body.pipe !== 'function') throw new HttpError(400, 'EMPTY_ATTACHMENT', 'Send the file as the request body');
        const length = request.headers['content-length'];
        try {
          const attachment = await ctx.attachments.upload({
            uploaderId: request.session.userId,
            name: request.query.name,
            declaredType: request.headers['content-type'],
            declaredSize: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
            body,
          });
          return reply.status(201).send({ attachment });
        } catch (error) {
          // A body that stopped before its end: the client went away or cut it short.
          if (!request.raw.complete && !(error instanceof DomainError)) {
            throw new HttpError(400, 'UPLOAD_INCOMPLETE', 'The upload ended before the whole file arrived');
          }
          throw error;
        }
      },
    );

    for (const variant of ['original', 'thumbnail'] as const) {
      app.get(
        variant === 'original' ? '/api/attachments/:attachmentId' : '/api/attachments/:attachmentId/thumbnail',
        {
          // No HEAD twin: it would open the stored file only for Fastify to drop its stream unread.
          exposeHeadRoute: false,
          schema: { tags: ['attachments'], params: AttachmentParams, response: errors(400, 401, 404) },
        },
        async (request, reply) => {
          const { record, object } = await ctx.attachments.download(request.session.userId, request.params.attachmentId, variant);
          const inline = INLINE_IMAGE_TYPES.has(object.contentType);
          const type = inline || !ACTIVE_CONTENT.test(object.contentType) ? object.contentType : 'application/octet-stream';
          const name = variant === 'thumbnail' ? `${record.name}.webp` : record.name;
          return reply
            .header('content-type', type)
            .header('content-length', String(object.size))
            .header('content-disposition', contentDisposition(inline ? 'inline' : 'attachment', name))
            .header('x-content-type-options', 'nosniff')
            .header('content-security-policy', "sandbox; default-src 'none'")
            .header('cache-control', 'private, max-age=3600')
            .send(object.body);
        },
      );
    }
  };
