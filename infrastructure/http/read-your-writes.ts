import type { FastifyInstance } from 'fastify';
import type { ProjectionName } from '../../projections/names.js';
import type { AppContext } from '../app-context.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Projections a GET reads; `?minPosition=` waits (up to 2 s) until they reached it. */
    readModels?: ProjectionName[];
  }
}

/** Read-your-writes: a GET with `minPosition` waits, bounded, for the projections it reads. */
export function registerReadYourWrites(app: FastifyInstance, ctx: AppContext) {
  app.addHook('preHandler', async (request, reply) => {
    const readModels = request.routeOptions.config?.readModels;
    const minPosition = (request.query as { minPosition?: number } | undefined)?.minPosition;
    if (!readModels || minPosition === undefined) return;
    const reached = await ctx.checkpoints.waitFor(readModels, minPosition, 2_000);
    if (!reached) reply.header('x-derbel-stale', 'true');
  });
}
