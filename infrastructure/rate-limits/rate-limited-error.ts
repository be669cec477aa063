import { TransportLimitError } from '../http/transport-limit-error.js';

/** 429 `RATE_LIMITED`; `retryAfterMs` goes to the REST `Retry-After` header and into a socket ack. */
export class RateLimitedError extends TransportLimitError {
  constructor(
    readonly retryAfterMs: number,
    message = `Too many requests; try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s`,
  ) {
    super('RATE_LIMITED', message, { retryAfterMs });
  }
}
