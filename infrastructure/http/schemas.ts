import { Type, type TSchema } from '@sinclair/typebox';
import { DISPLAY_NAME_MAX_LENGTH } from '../../domain/accounts/display-name.js';
import { USERNAME_PATTERN } from '../../domain/accounts/username.js';
import { MESSAGE_TEXT_MAX_LENGTH, MESSAGE_TEXT_MIN_LENGTH } from '../../domain/contacts/message-text.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../application/accounts/account-service.js';
import { CANONICAL_UUID_KEYWORD, POSITION_KEYWORD } from './validator-compiler.js';

/** Every id a client sends (HTTP and socket payloads): canonical, upper case lower-cased on the way in. */
export const Uuid = Type.String({ format: 'uuid', [CANONICAL_UUID_KEYWORD]: true });
export const Username = Type.String({ pattern: USERNAME_PATTERN, minLength: 3, maxLength: 32 });
export const DisplayName = Type.String({ minLength: 1, maxLength: DISPLAY_NAME_MAX_LENGTH });
export const Password = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH });
export const MessageText = Type.String({ minLength: MESSAGE_TEXT_MIN_LENGTH, maxLength: MESSAGE_TEXT_MAX_LENGTH });
/** A position in the log. JS numbers are exact up to MAX_SAFE_INTEGER (inside bigint); ajv's `integer` lets Infinity through. */
export const Position = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, [POSITION_KEYWORD]: true });
export const MinPositionQuery = { minPosition: Type.Optional(Position) };

export const ErrorResponse = Type.Object(
  { statusCode: Type.Integer(), code: Type.String(), message: Type.String() },
  { $id: 'ErrorResponse', additionalProperties: true },
);

export const User = Type.Object({ id: Uuid, username: Type.String(), displayName: Type.String() });

/** A file's metadata, as an upload answers it and as messages carry it. */
export const Attachment = Type.Object({
  id: Uuid,
  name: Type.String(),
  size: Type.Integer(),
  contentType: Type.String(),
  width: Type.Optional(Type.Integer()),
  height: Type.Optional(Type.Integer()),
});

/** The message a reply answers: its sender and first line (null once deleted). */
export const ReplyQuote = Type.Object({
  id: Uuid,
  senderId: Uuid,
  text: Type.Union([Type.String(), Type.Null()]),
  deleted: Type.Boolean(),
});
export const Reaction = Type.Object({ emoji: Type.String(), count: Type.Integer(), userIds: Type.Array(Uuid) });

export const Message = Type.Object({
  id: Uuid,
  contactId: Uuid,
  senderId: Uuid,
  text: Type.Union([Type.String(), Type.Null()]),
  sentAt: Type.String(),
  editedAt: Type.Union([Type.String(), Type.Null()]),
  deleted: Type.Boolean(),
  attachments: Type.Array(Attachment),
  replyTo: Type.Optional(Type.Union([ReplyQuote, Type.Null()])),
  reactions: Type.Optional(Type.Array(Reaction)),
});

/** A message in a history page: the conversation's id is the page's (in its URL), not repeated per message. */
export const HistoryMessage = Type.Omit(Message, ['contactId']);

/** The usual error responses of an authenticated route, for the OpenAPI document. */
export function errors(...codes: number[]): Record<number, TSchema> {
  return Object.fromEntries(codes.map((c) => [c, Type.Ref(ErrorResponse)]));
}
