import type { MessageAttachment } from '../../domain/contacts/message-attachments.js';

/** What a client and the MessageSent event know of an uploaded file (never its bytes). */
export type AttachmentMetadata = MessageAttachment;

/** The stored row: the metadata plus who uploaded it and where it was sent. */
export interface AttachmentRecord extends AttachmentMetadata {
  uploaderId: string;
  hasThumbnail: boolean;
  sentIn: { contactId: string; messageId: string } | null;
}

/** Raster images the browser shows inline and sharp thumbnails. */
export const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif']);

export const THUMBNAIL_SUFFIX = '.thumbnail';

export function metadataOf(record: AttachmentRecord): AttachmentMetadata {
  const { id, name, size, contentType, width, height } = record;
  return { id, name, size, contentType, ...(width !== undefined ? { width } : {}), ...(height !== undefined ? { height } : {}) };
}
