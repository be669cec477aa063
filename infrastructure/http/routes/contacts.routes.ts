import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listContacts } from '../../../projections/contact-list/contact-list.queries.js';
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

export const contactRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/api/contacts',
      {
        preHandler: [app.authenticate, perUserLimit(ctx, 'contactAdds')],
        schema: {
          tags: ['contacts'],
          body: Type.Object({ username: Username }, { additionalProperties: false }),
          response: { 201: Type.Object({ contact: Type.Object({ id: Uuid, peer: User }), position: Type.Integer() }), ...errors(400, 401, 403, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        const result = await ctx.contacts.addContact(request.session.userId, request.body.username, {
          userId: request.session.userId,
          correlationId: request.id,
        });
        return reply.status(201).send(result);
      },
    );

    app.get(
      '/api/contacts',
      {
        preHandler: app.authenticate,
        config: { readModels: [PROJECTIONS.contactList, PROJECTIONS.messages, PROJECTIONS.accounts] },
        schema: {
          tags: ['contacts'],
          querystring: Type.Object(MinPositionQuery),
          response: { 200: Type.Object({ contacts: Type.Array(Contact) }), ...errors(400, 401) },
        },
      },
      async (request) => {
        const contacts = await listContacts(ctx.pool, request.session.userId);
        const online = await ctx.realtime.isOnline(contacts.map((c) => c.peer.id));
        return { contacts: contacts.map((c) => ({ ...c, peerOnline: online.has(c.peer.id) })) };
      },
    );
  };
