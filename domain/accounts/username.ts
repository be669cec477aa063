import { DomainError } from '../decider.js';

export const USERNAME_MIN_LENGTH = 3;
export const USERNAME_MAX_LENGTH = 32;
/** JSON-Schema-ready pattern (letters of either case; the domain stores the name lowercased). */
export const USERNAME_PATTERN = '^[A-Za-z0-9_.-]{3,32}$';
export const USERNAME_REGEX = new RegExp(USERNAME_PATTERN);

/** The canonical (lowercase) form of a valid username; throws `INVALID_USERNAME` otherwise. */
export function canonicalUsername(username: string): string {
  if (!USERNAME_REGEX.test(username)) {
    throw new DomainError(
      'INVALID_USERNAME',
      `A username is ${USERNAME_MIN_LENGTH}–${USERNAME_MAX_LENGTH} letters, digits, "_", "." or "-"`,
    );
  }
  return username.toLowerCase();
}
