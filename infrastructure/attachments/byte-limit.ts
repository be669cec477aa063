import { Transform } from 'node:stream';
import { AttachmentTooLargeError } from '../../application/ports/attachment-storage.js';

/** Passes bytes through and fails with `AttachmentTooLargeError` as soon as more than `maxBytes` went by. */
export class ByteLimit extends Transform {
  bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null, data?: Buffer) => void): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return callback(new AttachmentTooLargeError(this.maxBytes));
    callback(null, chunk);
  }
}
