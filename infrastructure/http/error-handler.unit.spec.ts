import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/decider.js';
import type { DomainErrorCode } from '../../domain/error-codes.js';
import { RateLimitedError } from '../rate-limits/rate-limited-error.js';
import { HttpError } from './error-codes.js';
import { registerErrorHandler } from './error-handler.js';
import { PayloadTooLargeError } from './transport-limit-error.js';

const appThrowing = async (error: unknown) => {
  const app = Fastify();
  registerErrorHandler(app);
  app.get('/', async () => {
    throw error;
  });
  await app.ready();
  return app.inject({ method: 'GET', url: '/' });
};

/** Each domain code leaves with its own status; codes once missing from the map fell back to 400. */
describe('error handler: domain error codes', () => {
  it.each<[DomainErrorCode, number]>([
    ['PEER_NOT_IN_MEETING', 409],
    ['MEETING_FULL', 409],
    ['INVALID_RING_TIMEOUT', 400],
    ['NOT_A_MEMBER', 404],
    ['CONTACT_NOT_FOUND', 404],
    ['NOT_MESSAGE_SENDER', 403],
  ])('%s → %i', async (code, status) => {
    const response = await appThrowing(new DomainError(code, 'why'));
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({ statusCode: status, code, message: 'why' });
  });
});

/** Transport limits are their own errors, not business rules: 413, and 429 with when to come back. */
describe('error handler: transport limits', () => {
  it('a payload too large → 413 PAYLOAD_TOO_LARGE', async () => {
    const response = await appThrowing(new PayloadTooLargeError('at most 8 KiB'));
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: 'at most 8 KiB' });
  });

  it('too many too fast → 429 RATE_LIMITED with Retry-After and retryAfterMs', async () => {
    const response = await appThrowing(new RateLimitedError(1_500, 'slow down'));
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('2');
    expect(response.json()).toEqual({ statusCode: 429, code: 'RATE_LIMITED', message: 'slow down', retryAfterMs: 1_500 });
  });
});

/** A database that went away is a 503 with Retry-After, never a 500; so is any other 503. */
describe('error handler: unavailable database', () => {
  const pgError = (code: string, message = 'db') => Object.assign(new Error(message), { code });

  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['connection reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['admin shutdown (57P01)', pgError('57P01', 'terminating connection due to administrator command')],
    ['starting up (57P03)', pgError('57P03', 'the database system is starting up')],
    ['connection lost mid-query', new Error('Connection terminated unexpectedly')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['database closed to connections (55000)', pgError('55000', 'database "derbel" is not currently accepting connections')],
    // Class 53, insufficient resources: full for now, not broken (a storm's nodes holding every connection).
    ['every connection taken (53300)', pgError('53300', 'sorry, too many clients already')],
    ['out of memory (53200)', pgError('53200', 'out of memory')],
    ['disk full (53100)', pgError('53100', 'could not extend file: No space left on device')],
  ])('%s → 503 SERVICE_UNAVAILABLE with Retry-After', async (_, error) => {
    const response = await appThrowing(error);
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('2');
    expect(response.json()).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' });
  });

  it('adds Retry-After to a 503 a route raises itself', async () => {
    const response = await appThrowing(new HttpError(503, 'SERVICE_UNAVAILABLE', 'not readable yet'));
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('2');
  });

  it('keeps other server errors 500, without Retry-After', async () => {
    const response = await appThrowing(new Error('a bug'));
    expect(response.statusCode).toBe(500);
    expect(response.headers['retry-after']).toBeUndefined();
  });
});
