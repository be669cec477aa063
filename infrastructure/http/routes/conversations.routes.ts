import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { GROUP_MAX_MEMBERS } from '../../../domain/contacts/group.js';
import { GROUP_TITLE_MAX_LENGTH, groupTitle } from '../../../domain/contacts/group-title.js';
import { DomainError } from '../../../domain/decider.js';
import type { AppContext } from '../../app-context.js';
import { perUserLimit } from '../per-user-limit.js';
import { errors, Uuid } from '../schemas.js';
import { messageCommandRoutes } from './message-commands.routes.js';

const ConversationParams = Type.Object({ contactId: Uuid });
const MemberParams = Type.Object({ contactId: Uuid, userId: Uuid });
const PositionOnly = Type.Object({ position: Type.Union([Type.Integer(), Type.Null()]) });
// Trimmed and checked by the decider (INVALID_GROUP_TITLE); the length here only bounds the request.
const Title = Type.String({ maxLength: GROUP_TITLE_MAX_LENGTH * 4 });
// Bounds the request; past GROUP_MAX_MEMBERS the decider answers GROUP_TOO_LARGE.
const MemberIds = Type.Array(Uuid, { minItems: 1, maxItems: GROUP_MAX_MEMBERS * 10, uniqueItems: true });

const GroupMember = Type.Object({
  id: Uuid,
  username: Type.String(),
  displayName: Type.String(),
  role: Type.Union([Type.Literal('admin'), Type.Literal('member')]),
});
const CreatedGroup = Type.Object({
  id: Uuid,
  kind: Type.Literal('group'),
  title: Type.String(),
  members: Type.Array(GroupMember),
});

/** Whatever does not exist for the caller, on these routes, is one answer: no such conversation. */
const isNotFound = (error: unknown) =>
  error instanceof DomainError && (error.code === 'CONTACT_NOT_FOUND' || error.code === 'NOT_A_MEMBER');

/**
 * Conversations, direct and group (docs/groups.md): creating and changing groups, and the message commands
 * under `/api/conversations/:id/…` for either kind. Non-members, former members included, get 404
 * CONVERSATION_NOT_FOUND on everything.
 */
export const conversationRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    // Rethrown, the error reaches the app's error handler, which answers it.
    app.setErrorHandler((error) => {
      throw isNotFound(error) ? new DomainError('CONVERSATION_NOT_FOUND', 'No such conversation') : error;
    });

    await app.register(messageCommandRoutes(ctx, '/api/conversations', 'conversations'));

    app.post(
      '/api/conversations',
      {
        preHandler: perUserLimit(ctx, 'contactAdds'),
        schema: {
          tags: ['conversations'],
          description:
            'Creates a group of you and 2–99 of your accepted contacts; you are its first admin. `membersMayAdd` (default true): whether members who are not admins may add members.',
          body: Type.Object(
            { title: Title, memberIds: MemberIds, membersMayAdd: Type.Optional(Type.Boolean()) },
            { additionalProperties: false },
          ),
          response: { 201: Type.Object({ conversation: CreatedGroup, position: Type.Integer() }), ...errors(400, 401, 429) },
        },
      },
      async (request, reply) => {
        const { title, memberIds, membersMayAdd = true } = request.body;
        const created = await ctx.groups.createGroup(request.session.userId, { title, memberIds, membersMayAdd }, request.commandContext);
        return reply.status(201).send(created);
      },
    );

    app.patch(
      '/api/conversations/:contactId',
      {
        preHandler: perUserLimit(ctx, 'edits'),
        schema: {
          tags: ['conversations'],
          description:
            'Renames a group (any member) and/or changes whether members may add members (admins). `position` is null when nothing changed.',
          params: ConversationParams,
          body: Type.Object(
            { title: Type.Optional(Title), membersMayAdd: Type.Optional(Type.Boolean()) },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: { 200: PositionOnly, ...errors(400, 401, 403, 404, 429) },
        },
      },
      async (request) => {
        const { userId } = request.session;
        const { contactId } = request.params;
        const { title, membersMayAdd } = request.body;
        let position: number | null = null;
        // Both checked before either is appended: a request that does both is refused whole or done whole.
        if (title !== undefined) groupTitle(title);
        if (membersMayAdd !== undefined)
          position = (await ctx.groups.changeSettings(userId, contactId, membersMayAdd, request.commandContext)).position ?? position;
        if (title !== undefined)
          position = (await ctx.groups.renameGroup(userId, contactId, title, request.commandContext)).position ?? position;
        return { position };
      },
    );

    app.post(
      '/api/conversations/:contactId/members',
      {
        preHandler: perUserLimit(ctx, 'contactAdds'),
        schema: {
          tags: ['conversations'],
          description: 'Adds your accepted contacts to a group (any member, or admins only when the group says so).',
          params: ConversationParams,
          body: Type.Object({ userIds: MemberIds }, { additionalProperties: false }),
          response: { 200: PositionOnly, ...errors(400, 401, 403, 404, 409, 429) },
        },
      },
      async (request) =>
        ctx.groups.addMembers(request.session.userId, request.params.contactId, request.body.userIds, request.commandContext),
    );

    app.delete(
      '/api/conversations/:contactId/members/:userId',
      {
        preHandler: perUserLimit(ctx, 'edits'),
        schema: {
          tags: ['conversations'],
          description: 'Removes a member (admins); removing yourself is leaving. `position` is null when they were no member.',
          params: MemberParams,
          response: { 200: PositionOnly, ...errors(400, 401, 403, 404, 429) },
        },
      },
      async (request) =>
        ctx.groups.removeMember(request.session.userId, request.params.contactId, request.params.userId, request.commandContext),
    );

    app.post(
      '/api/conversations/:contactId/leave',
      {
        schema: {
          tags: ['conversations'],
          description: 'Leaves a group; if you were its last admin, the longest-standing member becomes admin.',
          params: ConversationParams,
          response: { 200: PositionOnly, ...errors(400, 401, 404) },
        },
      },
      async (request) => ctx.groups.leaveGroup(request.session.userId, request.params.contactId, request.commandContext),
    );
  };
