import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../app-context.js';
import { iceServersFor } from '../../meetings/ice-servers.js';
import { errors } from '../schemas.js';

const IceServer = Type.Object({
  urls: Type.Array(Type.String()),
  username: Type.Optional(Type.String()),
  credential: Type.Optional(Type.String()),
});

export const iceServerRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/api/ice-servers',
      {
        schema: {
          tags: ['meetings'],
          description:
            "STUN, and TURN with short-lived credentials in coturn's REST-API format when a TURN secret is configured, and the ICE transport policy browsers should use ('relay': TURN only).",
          response: {
            200: Type.Object({
              iceServers: Type.Array(IceServer),
              ttl: Type.Integer(),
              iceTransportPolicy: Type.Union([Type.Literal('all'), Type.Literal('relay')]),
            }),
            ...errors(401),
          },
        },
      },
      async (request, reply) => {
        reply.header('cache-control', 'private, no-store');
        return iceServersFor(request.session.userId, ctx.config, ctx.clock.now());
      },
    );
  };
