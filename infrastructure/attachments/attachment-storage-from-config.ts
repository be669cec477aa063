import path from 'node:path';
import type { AttachmentStorage } from '../../application/ports/attachment-storage.js';
import type { Config } from '../config/config.js';
import { FilesystemAttachmentStorage } from './filesystem-attachment-storage.js';
import { S3AttachmentStorage } from './s3-attachment-storage.js';

/** S3 when `S3_BUCKET` is set, else files under `DATA_DIR/attachments` (nothing to set up). */
export function attachmentStorageFromConfig(config: Config): AttachmentStorage {
  const { s3 } = config.attachments;
  return s3 ? new S3AttachmentStorage(s3) : new FilesystemAttachmentStorage(path.join(config.dataDir, 'attachments'));
}
