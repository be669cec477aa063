import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getMessage } from '../../../projections/messages/messages.queries.js';
import { quoteOf } from '../../../projections/messages/message-view.js';
import type { AppContext } from '../../app-context.js';
import { perUserLimit } from '../per-user-limit.js';
import { HttpError } from '../error-codes.js';
import { errors, Message, MessageText, Uuid } from '../schemas.js';
import { MAX_ATTACHMENTS_PER_MESSAGE } from '../../../domain/contacts/message-attachments.js';
import { MESSAGE_TEXT_MAX_LENGTH } from '../../../domain/contacts/message-text.js';
import { PROJECTIONS } from '../../../projections/names.js';
import { REACTION_EMOJI_MAX_LENGTH } from '../../../domain/contacts/reaction-emoji.js';

const ContactParams = Type.Object({ contactId: Uuid });
const MessageParams = Type.Object({ contactId: Uuid, messageId: Uuid });
const ReactionParams = Type.Object({
  contactId: Uuid,
  messageId: Uuid,
  // The decider checks it is one emoji grapheme; the length only bounds what it reads.
  emoji: Type.String({ minLength: 1, maxLength: REACTION_EMOJI_MAX_LENGTH }),
});
const PositionOnly = Type.Object({ position: Type.Union([Type.Integer(), Type.Null()]) });

/**
 * Send, edit, delete and mark read, under `/api/contacts/:contactId/…` (direct conversations) and
 * `/api/conversations/:contactId/…` (groups and direct conversations alike): one set of handlers for both.
 */
export const messageCommandRoutes =
  (ctx: AppContext, base: '/api/contacts' | '/api/conversations', tag: string): FastifyPluginAsyncTypebox =>
  async (app) => {
    /**
     * The stored message of a retried send, once the messages projection has it: the original was committed
     * before the retry found it, so it lies at or below the log's head.
     */
    async function storedMessage(contactId: string, messageId: string) {
      const stored = await getMessage(ctx.pool, contactId, messageId);
      if (stored) return stored;
      await ctx.checkpoints.waitFor([PROJECTIONS.messages], await ctx.store.headPosition(), 2_000);
      const message = await getMessage(ctx.pool, contactId, messageId);
      if (message) return message;
      throw new HttpError(503, 'SERVICE_UNAVAILABLE', 'The message is stored but not readable yet; retry');
    }

    /**
     * The quote of a reply's original: older than the reply at `position`, so in the read model once the
     * projection has reached it (null if it has not within the wait: the history will show it).
     */
    async function quoteFor(contactId: string, messageId: string, position: number) {
      const original =
        (await getMessage(ctx.pool, contactId, messageId)) ??
        (await ctx.checkpoints
          .waitFor([PROJECTIONS.messages], position, 2_000)
          .then(() => getMessage(ctx.pool, contactId, messageId))
          .catch(() => null));
      return original ? quoteOf(original) : null;
    }

    app.post(
      `${base}/:contactId/messages`,
      {
        preHandler: perUserLimit(ctx, 'messages'),
        schema: {
          tags: [tag],
          params: ContactParams,
          body: Type.Object(
            {
              id: Type.Optional(Uuid),
              // May be empty when the message carries files (the decider decides).
              text: Type.String({ maxLength: MESSAGE_TEXT_MAX_LENGTH }),
              attachmentIds: Type.Optional(Type.Array(Uuid, { maxItems: MAX_ATTACHMENTS_PER_MESSAGE, uniqueItems: true })),
              replyTo: Type.Optional(Uuid),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({ message: Message, position: Type.Union([Type.Integer(), Type.Null()]) }),
            201: Type.Object({ message: Message, position: Type.Integer() }),
            ...errors(400, 401, 403, 404, 409, 422, 429),
          },
        },
      },
      async (request, reply) => {
        const { contactId } = request.params;
        const senderId = request.session.userId;
        const { text, attachmentIds = [], replyTo } = request.body;
        const messageId = request.body.id ?? ctx.ids.newId();
        const sentIn = { contactId, messageId };
        // The files are claimed for this message before it is appended, and given back if the send is refused.
        const attachments = await ctx.attachments.claimForMessage(senderId, sentIn, attachmentIds);
        const sent = await ctx.contacts
          .sendMessage(senderId, contactId, { id: messageId, text, attachments, replyTo }, request.commandContext)
          .catch(async (error) => {
            await ctx.attachments.release(attachmentIds, sentIn);
            throw error;
          });
        if (sent.duplicate) {
          const stored = await storedMessage(contactId, sent.messageId);
          // A retry that named files the original did not carry leaves them unsent.
          await ctx.attachments.release(
            attachmentIds.filter((id) => !stored.attachments.some((a) => a.id === id)),
            sentIn,
          );
          return reply.status(200).send({ message: stored, position: null });
        }
        const message = {
          id: sent.messageId,
          contactId,
          senderId,
          text,
          sentAt: sent.sentAt!,
          editedAt: null,
          deleted: false,
          attachments,
          // The quote as the read model has it (the target is older, so normally there already).
          replyTo: replyTo === undefined ? null : await quoteFor(contactId, replyTo, sent.position!),
          reactions: [],
        };
        return reply.status(201).send({ message, position: sent.position! });
      },
    );

    app.patch(
      `${base}/:contactId/messages/:messageId`,
      {
        preHandler: perUserLimit(ctx, 'edits'),
        schema: {
          tags: [tag],
          params: MessageParams,
          body: Type.Object({ text: MessageText }, { additionalProperties: false }),
          response: { 200: PositionOnly, ...errors(400, 401, 403, 404, 409, 429) },
        },
      },
      async (request) => {
        const { contactId, messageId } = request.params;
        const { position } = await ctx.contacts.editMessage(
          request.session.userId,
          contactId,
          messageId,
          request.body.text,
          request.commandContext,
        );
        return { position };
      },
    );

    app.delete(
      `${base}/:contactId/messages/:messageId`,
      {
        preHandler: perUserLimit(ctx, 'edits'),
        schema: { tags: [tag], params: MessageParams, response: { 200: PositionOnly, ...errors(400, 401, 403, 404, 429) } },
      },
      async (request) => {
        const { contactId, messageId } = request.params;
        const deleted = await ctx.contacts.deleteMessage(request.session.userId, contactId, messageId, request.commandContext);
        // Its files go once the delete is committed; not awaited: a slow or failing storage never holds the answer up.
        void ctx.attachments.removeForMessage(contactId, messageId);
        return deleted;
      },
    );

    for (const [method, on] of [
      ['PUT', true],
      ['DELETE', false],
    ] as const) {
      app.route({
        method,
        url: `${base}/:contactId/messages/:messageId/reactions/:emoji`,
        preHandler: perUserLimit(ctx, 'edits'),
        schema: { tags: [tag], params: ReactionParams, response: { 200: PositionOnly, ...errors(400, 401, 404, 409, 429) } },
        handler: async (request) => {
          const { contactId, messageId, emoji } = request.params;
          return ctx.contacts.react(request.session.userId, contactId, messageId, emoji, on, request.commandContext);
        },
      });
    }

    app.post(
      `${base}/:contactId/read`,
      {
        schema: {
          tags: [tag],
          params: ContactParams,
          body: Type.Object({ messageId: Uuid }, { additionalProperties: false }),
          response: { 200: PositionOnly, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        return ctx.contacts.markRead(request.session.userId, request.params.contactId, request.body.messageId, request.commandContext);
      },
    );
  };
