import { DomainError } from '../decider.js';

/** What a message carries of a file: its metadata, never its bytes (those stay in the attachment storage). */
export interface MessageAttachment {
  id: string;
  name: string;
  size: number;
  contentType: string;
  width?: number;
  height?: number;
}

export const MAX_ATTACHMENTS_PER_MESSAGE = 10;

/** At most ten files in one message, each once. */
export function assertValidAttachments(attachments: readonly MessageAttachment[]): void {
  if (attachments.length > MAX_ATTACHMENTS_PER_MESSAGE) {
    throw new DomainError('INVALID_ATTACHMENTS', `A message carries at most ${MAX_ATTACHMENTS_PER_MESSAGE} files`);
  }
  if (new Set(attachments.map((attachment) => attachment.id)).size !== attachments.length) {
    throw new DomainError('INVALID_ATTACHMENTS', 'A file is attached to a message once');
  }
}
