import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MeetingInProgressError } from '../../../domain/meetings/meeting-slot.js';
import { listActiveMeetings } from '../../../projections/active-meetings/active-meetings.queries.js';
import { listCalls } from '../../../projections/call-log/call-log.queries.js';
import type { AppContext } from '../../app-context.js';
import { perUserLimit } from '../per-user-limit.js';
import { HttpError } from '../error-codes.js';
import { errors, MinPositionQuery, User, Uuid } from '../schemas.js';
import { PROJECTIONS } from '../../../projections/names.js';

const Participant = Type.Object({ userId: Uuid, peerId: Uuid });
const EndReason = Type.Union([Type.Literal('ended'), Type.Literal('empty'), Type.Literal('missed'), Type.Literal('declined')]);
const Meeting = Type.Object({
  id: Uuid,
  contactId: Uuid,
  state: Type.Union([Type.Literal('ringing'), Type.Literal('active'), Type.Literal('ended')]),
  startedBy: Uuid,
  invitees: Type.Array(Uuid),
  participants: Type.Array(Participant),
  ringUntil: Type.String(),
  startedAt: Type.String(),
  endedAt: Type.Optional(Type.String()),
  endReason: Type.Optional(EndReason),
});
const Call = Type.Object({
  meetingId: Uuid,
  contactId: Uuid,
  peer: User,
  direction: Type.Union([Type.Literal('outgoing'), Type.Literal('incoming')]),
  outcome: Type.Union([Type.Literal('missed'), Type.Literal('declined'), Type.Literal('finished')]),
  startedAt: Type.String(),
  endedAt: Type.String(),
  durationSeconds: Type.Integer(),
});
const MeetingParams = Type.Object({ meetingId: Uuid });
const PositionOnly = Type.Object({ position: Type.Union([Type.Integer(), Type.Null()]) });

/** Start, decline and end over HTTP; join, leave and signaling are socket events (meeting-socket-events.ts). */
export const meetingRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/api/contacts/:contactId/meetings',
      {
        preHandler: perUserLimit(ctx, 'rings', (r) => (r.params as { contactId: string }).contactId),
        schema: {
          tags: ['meetings'],
          description:
            "Starts a meeting in a contact and rings its other members. 409 MEETING_IN_PROGRESS carries the running meeting's `meetingId`.",
          params: Type.Object({ contactId: Uuid }),
          response: { 201: Type.Object({ meeting: Meeting, position: Type.Integer() }), ...errors(400, 401, 403, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        try {
          const result = await ctx.meetings.start(request.session.userId, request.params.contactId, request.commandContext);
          return reply.status(201).send(result);
        } catch (error) {
          if (error instanceof MeetingInProgressError) {
            throw new HttpError(409, error.code, error.message, { meetingId: error.meetingId });
          }
          throw error;
        }
      },
    );

    app.get(
      '/api/meetings',
      {
        config: { readModels: [PROJECTIONS.activeMeetings, PROJECTIONS.conversationMembers] },
        schema: {
          tags: ['meetings'],
          description: "The ringing and ongoing meetings of the caller's conversations (not of a group they left or were removed from).",
          querystring: Type.Object(MinPositionQuery),
          response: { 200: Type.Object({ meetings: Type.Array(Meeting) }), ...errors(400, 401) },
        },
      },
      async (request) => ({ meetings: await listActiveMeetings(ctx.pool, request.session.userId) }),
    );

    app.get(
      '/api/meetings/:meetingId',
      {
        schema: {
          tags: ['meetings'],
          description: 'One meeting of a contact of the caller, read from its stream (also once ended).',
          params: MeetingParams,
          response: { 200: Type.Object({ meeting: Meeting }), ...errors(400, 401, 404) },
        },
      },
      async (request) => ({ meeting: await ctx.meetings.view(request.session.userId, request.params.meetingId) }),
    );

    app.post(
      '/api/meetings/:meetingId/decline',
      {
        schema: { tags: ['meetings'], params: MeetingParams, response: { 200: PositionOnly, ...errors(400, 401, 403, 404, 409) } },
      },
      async (request) => ctx.meetings.decline(request.session.userId, request.params.meetingId, request.commandContext),
    );

    app.post(
      '/api/meetings/:meetingId/end',
      {
        schema: { tags: ['meetings'], params: MeetingParams, response: { 200: PositionOnly, ...errors(400, 401, 403, 404, 409) } },
      },
      async (request) => ctx.meetings.end(request.session.userId, request.params.meetingId, request.commandContext),
    );

    app.get(
      '/api/calls',
      {
        config: { readModels: [PROJECTIONS.callLog, PROJECTIONS.accounts] },
        schema: {
          tags: ['meetings'],
          description: "The caller's call log, newest first; `before` is the meetingId of the previous page's last call.",
          querystring: Type.Object({
            before: Type.Optional(Uuid),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
            ...MinPositionQuery,
          }),
          response: { 200: Type.Object({ calls: Type.Array(Call), hasMore: Type.Boolean() }), ...errors(400, 401) },
        },
      },
      async (request) => {
        const page = await listCalls(ctx.pool, request.session.userId, request.query);
        if (!page) throw new HttpError(400, 'UNKNOWN_CURSOR', 'No call with that meeting id in your call log');
        return page;
      },
    );
  };
