import { HttpError, STATUS_BY_CODE } from './error-codes.js';

/**
 * A limit of the transport, not a business rule: a request or socket message too large, or too many too fast.
 * Raised over REST (a 413/429 response) and sockets (an ack with the same `code`) alike.
 */
export class TransportLimitError extends HttpError {
  constructor(code: 'PAYLOAD_TOO_LARGE' | 'RATE_LIMITED', message: string, extra: Record<string, unknown> = {}) {
    super(STATUS_BY_CODE[code], code, message, extra);
    this.name = 'TransportLimitError';
  }
}

/** 413 `PAYLOAD_TOO_LARGE`. */
export class PayloadTooLargeError extends TransportLimitError {
  constructor(message: string) {
    super('PAYLOAD_TOO_LARGE', message);
  }
}
