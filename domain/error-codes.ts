/**
 * Every code a `DomainError` carries. The edge maps each one to an HTTP status
 * (`infrastructure/http/error-codes.ts`, checked by the compiler) and passes it to socket acks as it is.
 */
export type DomainErrorCode =
  // accounts and sessions
  | 'INVALID_USERNAME'
  | 'INVALID_DISPLAY_NAME'
  | 'INVALID_PASSWORD'
  | 'INVALID_CREDENTIALS'
  | 'USERNAME_TAKEN'
  | 'ACCOUNT_EXISTS'
  | 'UNAUTHORIZED'
  | 'SESSION_EXPIRED'
  | 'REFRESH_TOKEN_REUSED'
  // contacts and messages
  | 'INVALID_TEXT'
  | 'INVALID_MESSAGE_TEXT'
  | 'INVALID_MEMBERS'
  | 'CANNOT_ADD_SELF'
  | 'CANNOT_BLOCK_SELF'
  | 'NOT_A_MEMBER'
  | 'USER_NOT_FOUND'
  | 'CONTACT_NOT_FOUND'
  | 'ALREADY_CONTACTS'
  | 'MESSAGE_NOT_FOUND'
  | 'MESSAGE_ID_CONFLICT'
  | 'MESSAGE_DELETED'
  | 'NOT_MESSAGE_SENDER'
  // attachments
  | 'INVALID_ATTACHMENT_NAME'
  | 'INVALID_ATTACHMENTS'
  | 'EMPTY_ATTACHMENT'
  | 'ATTACHMENT_NOT_FOUND'
  | 'ATTACHMENT_TOO_LARGE'
  | 'ATTACHMENT_QUOTA_EXCEEDED'
  | 'ATTACHMENT_TYPE_MISMATCH'
  | 'INVALID_IMAGE'
  // meetings
  | 'INVALID_RING_TIMEOUT'
  | 'MEETING_NOT_FOUND'
  | 'MEETING_ALREADY_STARTED'
  | 'MEETING_IN_PROGRESS'
  | 'MEETING_ENDED'
  | 'NOT_INVITED'
  | 'ALREADY_JOINED'
  | 'NOT_A_PARTICIPANT'
  | 'PEER_NOT_IN_MEETING'
  | 'MEETING_FULL';
