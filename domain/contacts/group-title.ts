import { DomainError } from '../decider.js';
import { assertPlainName } from '../plain-text.js';

export const GROUP_TITLE_MAX_LENGTH = 100;

/** A group's title as it is kept: trimmed, 1–100 characters of one-line plain text; `INVALID_GROUP_TITLE` otherwise. */
export function groupTitle(title: string): string {
  const trimmed = title.trim();
  const length = [...trimmed].length;
  if (length === 0 || length > GROUP_TITLE_MAX_LENGTH)
    throw new DomainError('INVALID_GROUP_TITLE', `A group's title is 1–${GROUP_TITLE_MAX_LENGTH} characters`);
  try {
    assertPlainName(trimmed, 'title');
  } catch (error) {
    throw error instanceof DomainError ? new DomainError('INVALID_GROUP_TITLE', error.message) : error;
  }
  return trimmed;
}
