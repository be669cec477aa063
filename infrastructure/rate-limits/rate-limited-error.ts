import { HttpError } from '../http/error-codes.js';

/** 429 `RATE_LIMITED`; `retryAfterMs` goes to the REST `Retry-After` header and into a socket ack. */
export class RateLimitedError extends HttpError {
  constructor(readonly retryAfterMs: number) {
    super(429, 'RATE_LIMITED', `Too many requests; try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s`, { retryAfterMs });
  }
}
