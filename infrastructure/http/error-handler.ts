import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyInstance } from 'fastify';
import { WrongExpectedRevisionError } from '../../application/ports/event-store.js';
import { DomainError } from '../../domain/decider.js';
import { RateLimitedError } from '../rate-limits/rate-limited-error.js';
import { HttpError, STATUS_BY_CODE } from './error-codes.js';
import { describeValidationError } from './validation-error.js';
import { SQLSTATE, SQLSTATE_CLASS, sqlState } from '../database/sqlstate.js';

const DATABASE_DOWN_CODES = new Set<string>([
  'ECONNREFUSED',
  'ECONNRESET',
  SQLSTATE.adminShutdown,
  SQLSTATE.crashShutdown,
  SQLSTATE.cannotConnectNow,
  SQLSTATE.connectionFailure,
  SQLSTATE.unableToConnect,
  SQLSTATE.connectionDoesNotExist,
]);

function isDatabaseDown(error: { code?: unknown; message?: unknown } | null | undefined): boolean {
  return (
    (typeof error?.code === 'string' && DATABASE_DOWN_CODES.has(error.code)) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|is not currently accepting connections/.test(
      String(error?.message),
    )
  );
}

/** Every error leaves as `{ statusCode, code, message }`; a client's mistake is never a 500. */
export function registerErrorHandler(app: FastifyInstance) {
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ statusCode: 404, code: 'NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}` });
  });

  app.setErrorHandler((error: FastifyError & { retryAfterMs?: unknown }, request, reply) => {
    const send = (statusCode: number, code: string, message: string, extra: Record<string, unknown> = {}) => {
      // Every 503 says when to come back, whichever part of the app raised it.
      if (statusCode === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', '2');
      return reply.status(statusCode).send({ statusCode, code, message, ...extra });
    };

    if (error instanceof RateLimitedError) reply.header('retry-after', String(Math.ceil(error.retryAfterMs / 1000)));
    if (error instanceof HttpError) return send(error.statusCode, error.code, error.message, error.extra);
    if (error instanceof DomainError) return send(STATUS_BY_CODE[error.code], error.code, error.message);
    if (error instanceof WrongExpectedRevisionError) return send(409, 'CONFLICT', 'Too many concurrent changes; try again');
    if (error.validation) {
      const { code, message } = describeValidationError(
        error.validation[0] as ErrorObject | undefined,
        error.validationContext ?? 'request',
      );
      return send(400, code, message);
    }
    if (error.statusCode === 429)
      return send(429, 'RATE_LIMITED', error.message, typeof error.retryAfterMs === 'number' ? { retryAfterMs: error.retryAfterMs } : {});
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(413, 'PAYLOAD_TOO_LARGE', 'Request body is too large');
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return send(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send JSON (application/json)');
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return send(error.statusCode, error.code?.startsWith('FST_') ? 'BAD_REQUEST' : (error.code ?? 'BAD_REQUEST'), error.message);
    }
    if (isDatabaseDown(error)) {
      reply.header('retry-after', '2');
      return send(503, 'SERVICE_UNAVAILABLE', 'The service is temporarily unavailable; try again shortly');
    }
    if (sqlState(error)?.startsWith(SQLSTATE_CLASS.insufficientResources)) {
      // The operator's to fix (max_connections against the replicas' pools, memory, disk); the client's to retry.
      request.log.warn({ sqlState: sqlState(error), message: error.message }, 'database out of resources');
      return send(503, 'SERVICE_UNAVAILABLE', 'The service is temporarily unavailable; try again shortly');
    }
    request.log.error({ err: error }, 'unhandled error');
    return send(500, 'INTERNAL_ERROR', 'Something went wrong on our side');
  });
}
