/** HTTP status for each domain error code; anything unknown from a client's mistake is a 400. */
export const STATUS_BY_CODE: Record<string, number> = {
  VALIDATION_ERROR: 400,
  INVALID_USERNAME: 400,
  INVALID_DISPLAY_NAME: 400,
  INVALID_PASSWORD: 400,
  INVALID_MESSAGE_TEXT: 400,
  INVALID_MEMBERS: 400,
  CANNOT_ADD_SELF: 400,
  UNKNOWN_CURSOR: 400,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  CSRF_TOKEN_INVALID: 403,
  NOT_MESSAGE_SENDER: 403,
  NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  CONTACT_NOT_FOUND: 404,
  MESSAGE_NOT_FOUND: 404,
  MEETING_NOT_FOUND: 404,
  USERNAME_TAKEN: 409,
  ACCOUNT_EXISTS: 409,
  ALREADY_CONTACTS: 409,
  MESSAGE_ID_CONFLICT: 409,
  MESSAGE_DELETED: 409,
  MEETING_IN_PROGRESS: 409,
  MEETING_ENDED: 409,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
};

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
