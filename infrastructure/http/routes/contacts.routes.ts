import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { REQUEST_MESSAGE_MAX_LENGTH } from '../../../domain/contacts/message-text.js';
import { listContacts } from '../../../projections/contact-list/contact-list.queries.js';
import { listRequests } from '../../../projections/contact-requests/contact-requests.queries.js';
import type { AppContext } from '../../app-context.js';
import { perUserLimit } from '../per-user-limit.js';
import { errors, MinPositionQuery, User, Username, Uuid } from '../schemas.js';
import { PROJECTIONS } from '../../../projections/names.js';

const Contact = Type.Object({
  id: Uuid,
  peer: User,
  lastMessage: Type.Union([Type.Null(), Type.Object({}, { additionalProperties: true })]),
  unreadCount: Type.Integer(),
  lastActivityAt: Type.String(),
  lastReadMessageId: Type.Union([Uuid, Type.Null()]),
  peerLastReadMessageId: Type.Union([Uuid, Type.Null()]),
  activeMeeting: Type.Union([Type.Null(), Type.Object({}, { additionalProperties: true })]),
  peerOnline: Type.Boolean(),
});

const ContactRequest = Type.Object({
  id: Uuid,
  peer: Type.Object({ id: Uuid, username: Type.String() }),
  direction: Type.Union([Type.Literal('incoming'), Type.Literal('outgoing')]),
  message: Type.Union([Type.String(), Type.Null()]),
  requestedAt: Type.String(),
});

const ContactWithStatus = Type.Object({ id: Uuid, peer: User, status: Type.Union([Type.Literal('pending'), Type.Literal('accepted')]) });
const ContactParams = Type.Object({ contactId: Uuid });
const PositionOnly = Type.Object({ position: Type.Integer() });

/** Contacts with consent (docs/contacts-consent.md): request, accept, decline, cancel or remove, and the list. */
export const contactRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/api/contacts',
      {
        preHandler: perUserLimit(ctx, 'contactAdds'),
        schema: {
          tags: ['contacts'],
          description:
            'Asks a user to become a contact, with an optional first message. `accepted` when they had asked you already; a repeat is a no-op.',
          body: Type.Object(
            { username: Username, message: Type.Optional(Type.String({ minLength: 1, maxLength: REQUEST_MESSAGE_MAX_LENGTH })) },
            { additionalProperties: false },
          ),
          response: { 201: Type.Object({ contact: ContactWithStatus, position: Type.Integer() }), ...errors(400, 401, 403, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        const { userId } = request.session;
        const result = await ctx.contacts.requestContact(
          userId,
          request.body.username,
          request.body.message ?? null,
          request.commandContext,
        );
        return reply.status(201).send(result);
      },
    );

    app.get(
      '/api/contacts',
      {
        config: { readModels: [PROJECTIONS.contactList, PROJECTIONS.messages, PROJECTIONS.accounts, PROJECTIONS.contactRequests] },
        schema: {
          tags: ['contacts'],
          description: 'Your accepted contacts (newest activity first) and your requests, incoming and outgoing (newest first).',
          querystring: Type.Object(MinPositionQuery),
          response: { 200: Type.Object({ contacts: Type.Array(Contact), requests: Type.Array(ContactRequest) }), ...errors(400, 401) },
        },
      },
      async (request) => {
        const { userId } = request.session;
        const [contacts, requests] = await Promise.all([listContacts(ctx.pool, userId), listRequests(ctx.pool, userId)]);
        const online = await ctx.realtime.isOnline(contacts.map((c) => c.peer.id));
        return { contacts: contacts.map((c) => ({ ...c, peerOnline: online.has(c.peer.id) })), requests };
      },
    );

    app.post(
      '/api/contacts/:contactId/accept',
      {
        schema: {
          tags: ['contacts'],
          description: 'Accepts a request made to you.',
          params: ContactParams,
          response: { 200: Type.Object({ contact: ContactWithStatus, position: Type.Integer() }), ...errors(400, 401, 404) },
        },
      },
      async (request) => ctx.contacts.acceptRequest(request.session.userId, request.params.contactId, request.commandContext),
    );

    app.post(
      '/api/contacts/:contactId/decline',
      {
        schema: {
          tags: ['contacts'],
          description: 'Declines a request made to you; its requester is not told.',
          params: ContactParams,
          response: { 200: PositionOnly, ...errors(400, 401, 404) },
        },
      },
      async (request) => ctx.contacts.declineRequest(request.session.userId, request.params.contactId, request.commandContext),
    );

    app.delete(
      '/api/contacts/:contactId',
      {
        schema: {
          tags: ['contacts'],
          description: 'Removes a contact (ending any call with them), or cancels your request.',
          params: ContactParams,
          response: { 200: PositionOnly, ...errors(400, 401, 404) },
        },
      },
      async (request) => ctx.contacts.removeContact(request.session.userId, request.params.contactId, request.commandContext),
    );
  };
