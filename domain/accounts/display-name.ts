import { DomainError } from '../decider.js';
import { assertPlainName } from '../plain-text.js';

/** Counted in characters (code points), as JSON Schema's maxLength counts them, after trimming. */
export const DISPLAY_NAME_MIN_LENGTH = 1;
export const DISPLAY_NAME_MAX_LENGTH = 64;

/** The trimmed display name; throws `INVALID_DISPLAY_NAME` when it is empty or too long, `INVALID_TEXT` when it is not a plain visible name. */
export function trimmedDisplayName(displayName: string): string {
  const trimmed = displayName.trim();
  const length = characterCount(trimmed);
  if (length < DISPLAY_NAME_MIN_LENGTH || length > DISPLAY_NAME_MAX_LENGTH) {
    throw new DomainError('INVALID_DISPLAY_NAME', `A display name is ${DISPLAY_NAME_MIN_LENGTH}–${DISPLAY_NAME_MAX_LENGTH} characters`);
  }
  assertPlainName(trimmed, 'displayName');
  return trimmed;
}

function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
