import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { HttpError } from './error-codes.js';
import { registerErrorHandler } from './error-handler.js';

/** A database that went away is a 503 with Retry-After, never a 500; so is any other 503. */
describe('error handler: unavailable database', () => {
  const appThrowing = async (error: unknown) => {
    const app = Fastify();
    registerErrorHandler(app);
    app.get('/', async () => {
      throw error;
    });
    await app.ready();
    return app.inject({ method: 'GET', url: '/' });
  };
  const pgError = (code: string, message = 'db') => Object.assign(new Error(message), { code });

  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['connection reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['admin shutdown (57P01)', pgError('57P01', 'terminating connection due to administrator command')],
    ['starting up (57P03)', pgError('57P03', 'the database system is starting up')],
    ['connection lost mid-query', new Error('Connection terminated unexpectedly')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
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
