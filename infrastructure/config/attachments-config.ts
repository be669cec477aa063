import type { EnvReader } from './env-reader.js';
import type { S3StorageOptions } from '../attachments/s3-attachment-storage.js';

export interface AttachmentsConfig {
  /** Largest single upload. */
  maxBytes: number;
  /** What one user's uploads may add up to. */
  quotaBytes: number;
  /** Absent: files go under `DATA_DIR/attachments`. */
  s3: S3StorageOptions | undefined;
}

const MIB = 1024 * 1024;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KEY_PREFIX = /^[A-Za-z0-9._/-]{1,128}$/;

/** `ATTACHMENT_*` and `S3_*`: see the README's configuration table. S3 storage is used when `S3_BUCKET` is set. */
export function readAttachmentsConfig(read: EnvReader): AttachmentsConfig {
  const bytes = { min: 1, max: Number.MAX_SAFE_INTEGER, description: 'a positive number of bytes' };
  const maxBytes = read.integer('ATTACHMENT_MAX_BYTES', bytes, 25 * MIB);
  const quotaBytes = read.integer('ATTACHMENT_QUOTA_BYTES', bytes, 1024 * MIB);
  const bucket = read.matching('S3_BUCKET', BUCKET, 'an S3 bucket name (3-63 lower-case letters, digits, dots or dashes)');
  const endpoint = read.url('S3_URL', ['http', 'https']);
  const accessKeyId = read.secret('S3_ACCESS_KEY_ID');
  const secretAccessKey = read.secret('S3_SECRET_ACCESS_KEY');
  if (read.raw('S3_BUCKET') === undefined) {
    for (const name of ['S3_URL', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_REGION', 'S3_PREFIX']) {
      if (read.raw(name) !== undefined) read.problem(`${name} is set but S3_BUCKET is not: S3 storage needs a bucket`);
    }
  }
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    read.problem(
      'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both or neither (then the AWS default credential chain is used)',
    );
  }
  const s3: S3StorageOptions | undefined = bucket
    ? {
        bucket,
        endpoint,
        region: read.matching('S3_REGION', /^[a-z0-9-]{1,32}$/, 'a region name like us-east-1') ?? 'us-east-1',
        accessKeyId,
        secretAccessKey,
        forcePathStyle: read.boolean('S3_FORCE_PATH_STYLE', endpoint !== undefined),
        prefix: read.matching('S3_PREFIX', KEY_PREFIX, 'at most 128 letters, digits or . _ / -'),
      }
    : undefined;
  return { maxBytes, quotaBytes, s3 };
}
