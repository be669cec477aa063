import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { attachmentStorageFromConfig } from './attachment-storage-from-config.js';
import { FilesystemAttachmentStorage } from './filesystem-attachment-storage.js';
import { S3AttachmentStorage } from './s3-attachment-storage.js';

const base = { NODE_ENV: 'test', JWT_SECRET: 'a-secret-that-is-long-enough-0123456789', DATA_DIR: '/tmp/derbel-storage-choice' };

describe('attachmentStorageFromConfig', () => {
  it('keeps files under DATA_DIR when no bucket is set', async () => {
    expect(await attachmentStorageFromConfig(loadConfig(base))).toBeInstanceOf(FilesystemAttachmentStorage);
  });

  it('uses S3 (its SDK loaded on demand) when S3_BUCKET is set', async () => {
    const config = loadConfig({ ...base, S3_BUCKET: 'derbel', S3_ENDPOINT: 'http://127.0.0.1:9', S3_REGION: 'us-east-1' });
    expect(await attachmentStorageFromConfig(config)).toBeInstanceOf(S3AttachmentStorage);
  });
});
