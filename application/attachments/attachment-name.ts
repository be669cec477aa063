import { DomainError } from '../../domain/decider.js';
import { assertPlainName } from '../../domain/plain-text.js';

export const ATTACHMENT_NAME_MAX_LENGTH = 255;

/**
 * The file name as shown and offered on download: the last path segment of what the client sent (a browser
 * may send `C:\fakepath\x.png`), NFC-normalized, one visible line of at most 255 characters.
 */
export function attachmentName(raw: string | undefined): string {
  const name = (raw ?? '').split(/[\\/]/).pop()!.normalize('NFC').trim();
  if (name === '' || name === '.' || name === '..') throw new DomainError('INVALID_ATTACHMENT_NAME', 'Pass the file name as ?name=');
  assertPlainName(name, 'name');
  if ([...name].length > ATTACHMENT_NAME_MAX_LENGTH) {
    throw new DomainError('INVALID_ATTACHMENT_NAME', `A file name is at most ${ATTACHMENT_NAME_MAX_LENGTH} characters`);
  }
  return name;
}
