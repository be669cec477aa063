import path from 'node:path';
import type { AttachmentStorage } from '../../application/ports/attachment-storage.js';
import type { Config } from '../config/config.js';
import { FilesystemAttachmentStorage } from './filesystem-attachment-storage.js';

/**
 * S3 when `S3_BUCKET` is set, else files under `DATA_DIR/attachments` (nothing to set up). The AWS SDK is
 * loaded only when S3 is used: it is a fifth of a second of every start.
 */
export async function attachmentStorageFromConfig(config: Config): Promise<AttachmentStorage> {
  const { s3 } = config.attachments;
  if (!s3) return new FilesystemAttachmentStorage(path.join(config.dataDir, 'attachments'));
  const { S3AttachmentStorage } = await import('./s3-attachment-storage.js');
  return new S3AttachmentStorage(s3);
}
