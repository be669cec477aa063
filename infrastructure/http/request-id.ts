import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A caller's `x-request-id` becomes the correlation id of the events it causes: only a short, plain token is kept. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9_.-]{1,64}$/;

export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}
