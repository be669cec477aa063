import { Type, type TSchema } from '@sinclair/typebox';
import { DISPLAY_NAME_MAX_LENGTH } from '../../domain/accounts/display-name.js';
import { USERNAME_PATTERN } from '../../domain/accounts/username.js';
import { MESSAGE_TEXT_MAX_LENGTH, MESSAGE_TEXT_MIN_LENGTH } from '../../domain/contacts/message-text.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../application/accounts/account-service.js';

export const Uuid = Type.String({ format: 'uuid' });
export const Username = Type.String({ pattern: USERNAME_PATTERN, minLength: 3, maxLength: 32 });
export const DisplayName = Type.String({ minLength: 1, maxLength: DISPLAY_NAME_MAX_LENGTH });
export const Password = Type.String({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH });
export const MessageText = Type.String({ minLength: MESSAGE_TEXT_MIN_LENGTH, maxLength: MESSAGE_TEXT_MAX_LENGTH });
export const Position = Type.Integer({ minimum: 0 });
export const MinPositionQuery = { minPosition: Type.Optional(Position) };

export const ErrorResponse = Type.Object(
  { statusCode: Type.Integer(), code: Type.String(), message: Type.String() },
  { $id: 'ErrorResponse', additionalProperties: true },
);

export const User = Type.Object({ id: Uuid, username: Type.String(), displayName: Type.String() });

export const Message = Type.Object({
  id: Uuid,
  contactId: Uuid,
  senderId: Uuid,
  text: Type.Union([Type.String(), Type.Null()]),
  sentAt: Type.String(),
  editedAt: Type.Union([Type.String(), Type.Null()]),
  deleted: Type.Boolean(),
});

/** The usual error responses of an authenticated route, for the OpenAPI document. */
export function errors(...codes: number[]): Record<number, TSchema> {
  return Object.fromEntries(codes.map((c) => [c, Type.Ref(ErrorResponse)]));
}
