import type { Static, TSchema } from '@sinclair/typebox';
import type { ErrorObject } from 'ajv';
import { describeValidationError } from '../http/validation-error.js';
import { compileJsonValidator } from '../http/validator-compiler.js';

export type Ack = (
  response: { ok: true; [key: string]: unknown } | { ok: false; code: string; message: string; retryAfterMs?: number },
) => void;

const ignore = () => {};

/**
 * Wraps a socket event handler: validates the payload against its schema and answers through the ack
 * (when the client asked for one) with `{ ok: false, code, message }` on bad input or a refused action.
 * Validation lower-cases upper-case ids in the payload before the handler sees it.
 */
export function validated<S extends TSchema>(
  schema: S,
  handler: (payload: Static<S>) => Promise<Record<string, unknown> | void>,
  onUnexpected: (error: unknown) => void = ignore,
) {
  const check = compileJsonValidator(schema);
  return async (...args: unknown[]) => answer(check, args, handler, onUnexpected);
}

/**
 * `validated`, made once for every socket: the handler is told which socket the event came on (Socket.io
 * calls a listener with the socket as `this`), so a connection adds a listener, not closures of its own.
 */
export function validatedEvent<S extends TSchema, T>(
  schema: S,
  handler: (socket: T, payload: Static<S>) => Promise<Record<string, unknown> | void>,
  onUnexpected: (error: unknown) => void = ignore,
) {
  const check = compileJsonValidator(schema);
  return async function (this: T, ...args: unknown[]) {
    return answer(check, args, (payload: Static<S>) => handler(this, payload), onUnexpected);
  };
}

async function answer<P>(
  check: ReturnType<typeof compileJsonValidator>,
  args: unknown[],
  handler: (payload: P) => Promise<Record<string, unknown> | void>,
  onUnexpected: (error: unknown) => void,
) {
  // The ack is the last argument, whatever came before it: a client that sends none, or several, is answered too.
  const reply: Ack = typeof args.at(-1) === 'function' ? (args.pop() as Ack) : () => {};
  const [payload] = args;
  if (args.length !== 1)
    return reply({ ok: false, code: 'VALIDATION_ERROR', message: `payload must be one object, got ${args.length} arguments` });
  if (!check(payload)) {
    return reply({ ok: false, ...describeValidationError(check.errors?.[0] as ErrorObject | undefined, 'payload') });
  }
  try {
    const result = await handler(payload as P);
    reply({ ok: true, ...(result ?? {}) });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) {
      // A refusal for going too fast says when to come back.
      const retryAfterMs = (error as { retryAfterMs?: unknown }).retryAfterMs;
      return reply({ ok: false, code, message: (error as Error).message, ...(typeof retryAfterMs === 'number' ? { retryAfterMs } : {}) });
    }
    onUnexpected(error);
    reply({ ok: false, code: 'INTERNAL_ERROR', message: 'Something went wrong on our side' });
  }
}
