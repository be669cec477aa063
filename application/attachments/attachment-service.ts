import { Readable } from 'node:stream';
import { DomainError } from '../../domain/decider.js';
import { AttachmentTooLargeError, type AttachmentStorage, type StoredObject } from '../ports/attachment-storage.js';
import type { AttachmentRecords } from '../ports/attachment-records.js';
import type { ImageInspector } from '../ports/image-inspector.js';
import type { IdGenerator } from '../shared/clock.js';
import { INLINE_IMAGE_TYPES, metadataOf, THUMBNAIL_SUFFIX, type AttachmentMetadata, type AttachmentRecord } from './attachment.js';
import { attachmentName } from './attachment-name.js';
import { readHead } from './read-head.js';

export interface AttachmentLimits {
  maxBytes: number;
  quotaBytes: number;
}

export interface Upload {
  uploaderId: string;
  name: string | undefined;
  /** The request's Content-Type; trusted only where sniffing cannot tell (text, documents). */
  declaredType: string | undefined;
  /** The request's Content-Length, when it sent one: refused at once when already too large. */
  declaredSize: number | undefined;
  body: Readable;
}

/** Who may read a sent attachment: the members of its conversation, while its message is not deleted. */
export interface SentAttachmentAccess {
  isMember(userId: string, contactId: string): Promise<boolean>;
  messageIsVisible(contactId: string, messageId: string): Promise<boolean>;
}

const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;
const notFound = () => new DomainError('ATTACHMENT_NOT_FOUND', 'No such attachment');

/**
 * Uploads (streamed into storage, sniffed, thumbnailed, counted against the quota), downloads (only for
 * the uploader and the members of the conversation it was sent in) and removal with the message.
 */
export class AttachmentService {
  constructor(
    private readonly deps: {
      storage: AttachmentStorage;
      records: AttachmentRecords;
      images: ImageInspector;
      ids: IdGenerator;
      limits: AttachmentLimits;
      access: SentAttachmentAccess;
      log: { warn(details: object, message: string): void };
    },
  ) {}

  async upload(upload: Upload): Promise<AttachmentMetadata> {
    const { storage, records, images, limits } = this.deps;
    const name = attachmentName(upload.name);
    const left = limits.quotaBytes - (await records.usedBytes(upload.uploaderId));
    if (upload.declaredSize !== undefined && upload.declaredSize > limits.maxBytes) throw tooLarge(limits.maxBytes);
    if (left <= 0 || (upload.declaredSize !== undefined && upload.declaredSize > left)) throw quotaExceeded(limits.quotaBytes);

    const { head, whole } = await readHead(upload.body, images.sniffBytes);
    if (head.length === 0) throw new DomainError('EMPTY_ATTACHMENT', 'The file is empty');
    const contentType = storedType(await images.sniff(head), declaredType(upload.declaredType));

    const id = this.deps.ids.newId();
    const maxBytes = Math.min(limits.maxBytes, left);
    try {
      const { size } = await storage.put(id, whole, { maxBytes, contentType }).catch((error) => {
        if (error instanceof AttachmentTooLargeError)
          throw maxBytes < limits.maxBytes ? quotaExceeded(limits.quotaBytes) : tooLarge(limits.maxBytes);
        throw error;
      });
      const record: AttachmentRecord = { id, name, size, contentType, uploaderId: upload.uploaderId, hasThumbnail: false, sentIn: null };
      if (INLINE_IMAGE_TYPES.has(contentType)) Object.assign(record, await this.storeThumbnail(id));
      if (!(await records.insertWithinQuota(record, limits.quotaBytes))) throw quotaExceeded(limits.quotaBytes);
      return { id, name, size, contentType, ...(record.width !== undefined ? { width: record.width, height: record.height } : {}) };
    } catch (error) {
      whole.destroy();
      await this.removeStored(id);
      throw error;
    }
  }

  /** The bytes, or the thumbnail, of an attachment `userId` may see; `ATTACHMENT_NOT_FOUND` otherwise (whether or not it exists). */
  async download(
    userId: string,
    id: string,
    variant: 'original' | 'thumbnail',
  ): Promise<{ record: AttachmentRecord; object: StoredObject }> {
    const record = await this.deps.records.find(id);
    if (!record || !(await this.maySee(userId, record))) throw notFound();
    if (variant === 'thumbnail' && !record.hasThumbnail) throw new DomainError('ATTACHMENT_NOT_FOUND', 'This attachment has no thumbnail');
    const object = await this.deps.storage.get(variant === 'thumbnail' ? id + THUMBNAIL_SUFFIX : id);
    if (!object) throw notFound();
    return { record, object };
  }

  /**
   * Marks the uploader's files as sent in this message, just before the send is appended, and returns their
   * metadata for the event. Files that are someone else's, unknown, or already sent in another message are
   * all `ATTACHMENT_NOT_FOUND`. `release` undoes it when the send is refused.
   */
  async claimForMessage(
    userId: string,
    sentIn: { contactId: string; messageId: string },
    ids: readonly string[],
  ): Promise<AttachmentMetadata[]> {
    if (ids.length === 0) return [];
    const claimed = await this.deps.records.claim(ids, userId, sentIn);
    if (!claimed) throw new DomainError('ATTACHMENT_NOT_FOUND', 'No such attachment of yours that is not sent yet');
    return claimed.map(metadataOf);
  }

  async release(ids: readonly string[], sentIn: { contactId: string; messageId: string }): Promise<void> {
    if (ids.length > 0) await this.deps.records.release(ids, sentIn);
  }

  /** Deletes the files of a deleted message. Never throws: a failed delete is retried, then logged. */
  async removeForMessage(contactId: string, messageId: string): Promise<void> {
    let removed: AttachmentRecord[];
    try {
      removed = await this.deps.records.removeForMessage(contactId, messageId);
    } catch (err) {
      this.deps.log.warn({ err, contactId, messageId }, 'attachments of a deleted message: could not remove their records');
      return;
    }
    await Promise.all(removed.map((record) => this.removeStored(record.id)));
  }

  /**
   * Deletes the files uploaded before `before` that were never sent (a closed tab, a removed upload), so they
   * stop counting against their uploader's quota. Any node may run it: a row is removed once.
   */
  async removeAbandoned(before: Date): Promise<number> {
    const removed = await this.deps.records.removeUnsentBefore(before);
    await Promise.all(removed.map((record) => this.removeStored(record.id)));
    return removed.length;
  }

  private async maySee(userId: string, record: AttachmentRecord): Promise<boolean> {
    if (record.uploaderId === userId) return true;
    if (!record.sentIn) return false;
    const { contactId, messageId } = record.sentIn;
    return (await this.deps.access.isMember(userId, contactId)) && (await this.deps.access.messageIsVisible(contactId, messageId));
  }

  private async storeThumbnail(id: string): Promise<Pick<AttachmentRecord, 'width' | 'height' | 'hasThumbnail'>> {
    const original = await this.deps.storage.get(id);
    if (!original) throw new Error(`attachment ${id} vanished right after it was stored`);
    const image = await this.deps.images.thumbnail(original.body).catch((err) => {
      original.body.destroy();
      throw new DomainError('INVALID_IMAGE', `The file is not an image that can be shown (${(err as Error).message})`);
    });
    await this.deps.storage.put(id + THUMBNAIL_SUFFIX, Readable.from([image.thumbnail]), {
      maxBytes: image.thumbnail.length,
      contentType: image.thumbnailContentType,
    });
    return { width: image.width, height: image.height, hasThumbnail: true };
  }

  /** Removes an attachment's stored files, retrying a few times; logs (never throws) when it cannot. */
  private async removeStored(id: string): Promise<void> {
    for (const key of [id, id + THUMBNAIL_SUFFIX]) {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.deps.storage.delete(key);
          break;
        } catch (err) {
          if (attempt === 3) {
            this.deps.log.warn({ err, key }, 'attachment storage: could not delete a file; it stays as an orphan');
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
        }
      }
    }
  }
}

function declaredType(header: string | undefined): string {
  const type = header?.split(';')[0].trim().toLowerCase();
  return type && MIME.test(type) ? type : 'application/octet-stream';
}

/**
 * What the bytes are wins over what the client said. A file said to be an image must be one (an SVG, which
 * is text, excepted); a type sniffing cannot tell (text, SVG, HTML) is kept as declared; downloads serve
 * those as attachments with a neutral type anyway.
 */
function storedType(sniffed: string | undefined, declared: string): string {
  if (sniffed) {
    if (declared.startsWith('image/') && declared !== 'image/svg+xml' && !sniffed.startsWith('image/'))
      throw typeMismatch(declared, sniffed);
    return sniffed;
  }
  if (declared.startsWith('image/') && declared !== 'image/svg+xml') throw typeMismatch(declared, 'not an image');
  return declared;
}

function typeMismatch(declared: string, actual: string): DomainError {
  return new DomainError('ATTACHMENT_TYPE_MISMATCH', `The file was sent as ${declared} but is ${actual}`);
}

function tooLarge(maxBytes: number): DomainError {
  return new DomainError('ATTACHMENT_TOO_LARGE', `A file is at most ${maxBytes} bytes`);
}

function quotaExceeded(quotaBytes: number): DomainError {
  return new DomainError(
    'ATTACHMENT_QUOTA_EXCEEDED',
    `Your files may take at most ${quotaBytes} bytes in all; delete some messages with files first`,
  );
}
