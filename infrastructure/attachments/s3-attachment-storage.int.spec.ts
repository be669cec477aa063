import { CreateBucketCommand, ListObjectsV2Command, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { describe } from 'vitest';
import { attachmentStorageContract } from '../../test/contract/attachment-storage.contract.js';
import { S3AttachmentStorage } from './s3-attachment-storage.js';

const url = process.env.S3_URL;
if (!url) {
  console.warn(
    '⚠️  S3 attachment storage contract suite SKIPPED: S3_URL is unset ' +
      '(e.g. S3_URL=http://127.0.0.1:9000 S3_BUCKET=derbel-test S3_ACCESS_KEY_ID=… S3_SECRET_ACCESS_KEY=… for a local MinIO)',
  );
}

describe.skipIf(!url)('S3 attachment storage', () => {
  attachmentStorageContract('S3', async () => {
    const bucket = process.env.S3_BUCKET ?? 'derbel-test';
    // A prefix of its own per run, so runs (and other users of the bucket) never see each other's objects.
    const prefix = `contract-${Date.now()}-${Math.random().toString(36).slice(2)}/`;
    const storage = new S3AttachmentStorage({
      bucket,
      endpoint: url,
      region: process.env.S3_REGION ?? 'us-east-1',
      accessKeyId: process.env.S3_ACCESS_KEY_ID,
      secretAccessKey: process.env.S3_SECRET_ACCESS_KEY,
      forcePathStyle: true,
      prefix,
    });
    await storage.client.send(new CreateBucketCommand({ Bucket: bucket })).catch((error) => {
      if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(error?.name)) throw error;
    });
    return {
      storage,
      async leftovers() {
        const objects = await storage.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
        // Some S3 stand-ins (s3rver) do not list multipart uploads; then only objects can be checked.
        const uploads = await storage.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix })).catch((error) => {
          if (error?.name === 'NotImplemented') return { Uploads: [] };
          throw error;
        });
        return [...(objects.Contents ?? []).map((o) => o.Key!), ...(uploads.Uploads ?? []).map((u) => `upload:${u.Key}`)].sort();
      },
      teardown: () => storage.close(),
    };
  });
});
