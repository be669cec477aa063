import { DomainError } from '../decider.js';
import { assertPlainText } from '../plain-text.js';

/** Counted in characters (code points), as JSON Schema's maxLength counts them. */
export const MESSAGE_TEXT_MIN_LENGTH = 1;
export const MESSAGE_TEXT_MAX_LENGTH = 4000;
/** The first message a contact request may carry. */
export const REQUEST_MESSAGE_MAX_LENGTH = 500;

/**
 * Throws `INVALID_TEXT` for characters a message may not hold (see plain-text.ts), `INVALID_MESSAGE_TEXT` for
 * empty or whitespace-only text, or text over the limit. Valid text is kept as sent.
 */
export function assertValidMessageText(text: string, maxLength = MESSAGE_TEXT_MAX_LENGTH): void {
  assertPlainText(text, 'text');
  if (text.trim().length === 0 || isTooLong(text, maxLength)) {
    throw new DomainError(
      'INVALID_MESSAGE_TEXT',
      `A message is ${MESSAGE_TEXT_MIN_LENGTH}–${maxLength} characters and not only whitespace`,
    );
  }
}

/**
 * A 53-bit hash of a message's text (cyrb53), so the contact state can tell an unchanged edit
 * without keeping every text in memory. Two different texts share one with odds near 2^-53.
 */
export function textFingerprint(text: string): number {
  let h1 = 0xdeadbeef ^ text.length;
  let h2 = 0x41c6ce57 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ unit, 2654435761);
    h2 = Math.imul(h2 ^ unit, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** A message's text: as `assertValidMessageText`, except that a message with files may have no text at all. */
export function assertValidMessageContent(text: string, attachmentCount: number): void {
  if (attachmentCount > 0 && text === '') return;
  assertValidMessageText(text);
}

function isTooLong(text: string, maxLength: number): boolean {
  // A string has at most as many characters as UTF-16 units: count them only when it may be too long.
  if (text.length <= maxLength) return false;
  let count = 0;
  for (const _ of text) if (++count > maxLength) return true;
  return false;
}
