import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import type { LimitName } from '../rate-limits/limiters.js';

/**
 * A preHandler (after `authenticate`) spending one of the signed-in user's points for `name`: 429
 * `RATE_LIMITED` with `Retry-After` when none is left. `by` narrows the count (e.g. per callee).
 */
export function perUserLimit(ctx: AppContext, name: LimitName, by?: (request: FastifyRequest) => string) {
  return async (request: FastifyRequest) => {
    const userId = request.session.userId;
    await ctx.limits.consume(name, by ? `${userId}:${by(request)}` : userId);
  };
}
