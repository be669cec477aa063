import type { AttachmentRecord } from '../attachments/attachment.js';

/** The `attachments` table: metadata of stored files, who uploaded them and which message sent them. */
export interface AttachmentRecords {
  usedBytes(uploaderId: string): Promise<number>;
  /** Inserts the record unless it would take its uploader over `quotaBytes` (then false); serialized per uploader. */
  insertWithinQuota(record: AttachmentRecord, quotaBytes: number): Promise<boolean>;
  find(id: string): Promise<AttachmentRecord | null>;
  /**
   * Marks `ids` as sent in this message, when each is the uploader's and unsent or already this message's.
   * Returns the claimed records in the order of `ids`, or null (and claims none) when any is not claimable.
   */
  claim(ids: readonly string[], uploaderId: string, sentIn: { contactId: string; messageId: string }): Promise<AttachmentRecord[] | null>;
  /** Undoes a claim whose send was refused. */
  release(ids: readonly string[], sentIn: { contactId: string; messageId: string }): Promise<void>;
  /** Removes the rows of the attachments sent in this message and returns them. */
  removeForMessage(contactId: string, messageId: string): Promise<AttachmentRecord[]>;
  /** Removes the rows of files uploaded before `before` and never sent, and returns them. */
  removeUnsentBefore(before: Date): Promise<AttachmentRecord[]>;
}
