import type { DomainErrorCode } from '../../domain/error-codes.js';

/** Codes only the edge raises: malformed requests, authentication, transport limits, the service itself. */
export type EdgeErrorCode =
  | 'VALIDATION_ERROR'
  | 'INVALID_ID'
  | 'INVALID_POSITION'
  | 'UNKNOWN_CURSOR'
  | 'UPLOAD_INCOMPLETE'
  | 'CSRF_TOKEN_INVALID'
  | 'NOT_FOUND'
  | 'SESSION_NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE';

export type ErrorCode = DomainErrorCode | EdgeErrorCode;

/**
 * HTTP status for each error code. `satisfies` makes a code added to the union without a status a compile
 * error. Codes that say "not yours" answer 404 like "does not exist", so a stranger learns nothing.
 */
export const STATUS_BY_CODE = {
  VALIDATION_ERROR: 400,
  INVALID_ID: 400,
  INVALID_POSITION: 400,
  INVALID_USERNAME: 400,
  INVALID_DISPLAY_NAME: 400,
  INVALID_PASSWORD: 400,
  INVALID_MESSAGE_TEXT: 400,
  INVALID_REACTION: 400,
  INVALID_TEXT: 400,
  INVALID_MEMBERS: 400,
  INVALID_GROUP_TITLE: 400,
  GROUP_TOO_SMALL: 400,
  GROUP_TOO_LARGE: 400,
  // The same answer whether the user exists, is no contact of the caller, or has blocked them.
  MEMBER_NOT_A_CONTACT: 400,
  NOT_A_GROUP: 400,
  INVALID_RING_TIMEOUT: 400,
  CANNOT_ADD_SELF: 400,
  CANNOT_BLOCK_SELF: 400,
  UNKNOWN_CURSOR: 400,
  INVALID_ATTACHMENT_NAME: 400,
  EMPTY_ATTACHMENT: 400,
  INVALID_ATTACHMENTS: 400,
  UPLOAD_INCOMPLETE: 400,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  SESSION_EXPIRED: 401,
  REFRESH_TOKEN_REUSED: 401,
  CSRF_TOKEN_INVALID: 403,
  NOT_MESSAGE_SENDER: 403,
  NOT_A_PARTICIPANT: 403,
  NOT_INVITED: 403,
  NOT_GROUP_ADMIN: 403,
  NOT_FOUND: 404,
  NOT_A_MEMBER: 404,
  USER_NOT_FOUND: 404,
  CONTACT_NOT_FOUND: 404,
  CONVERSATION_NOT_FOUND: 404,
  MESSAGE_NOT_FOUND: 404,
  REPLY_TARGET_NOT_FOUND: 422,
  MEETING_NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  ATTACHMENT_NOT_FOUND: 404,
  USERNAME_TAKEN: 409,
  ACCOUNT_EXISTS: 409,
  ALREADY_CONTACTS: 409,
  ALREADY_A_MEMBER: 409,
  MESSAGE_ID_CONFLICT: 409,
  MESSAGE_DELETED: 409,
  TOO_MANY_REACTIONS: 409,
  MEETING_IN_PROGRESS: 409,
  MEETING_ENDED: 409,
  MEETING_ALREADY_STARTED: 409,
  ALREADY_JOINED: 409,
  // The peer left the meeting (or never was in it) by the time the signal arrived.
  PEER_NOT_IN_MEETING: 409,
  MEETING_FULL: 409,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  ATTACHMENT_TOO_LARGE: 413,
  ATTACHMENT_QUOTA_EXCEEDED: 413,
  ATTACHMENT_TYPE_MISMATCH: 415,
  INVALID_IMAGE: 415,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
} as const satisfies Record<ErrorCode, number>;

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
