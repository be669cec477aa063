import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertStorageKey, type AttachmentStorage, type StoredObject } from '../../application/ports/attachment-storage.js';
import { ByteLimit } from './byte-limit.js';

/**
 * Attachments as files under one folder (`DATA_DIR/attachments` by default): `<2 first characters>/<key>`
 * with a `<key>.type` file holding its content type. A put writes to a temporary name in the same folder and
 * renames it into place once complete, so a reader never sees half a file and a failed put leaves nothing.
 */
export class FilesystemAttachmentStorage implements AttachmentStorage {
  constructor(private readonly root: string) {}

  async put(key: string, body: Readable, options: { maxBytes: number; contentType: string }): Promise<{ size: number }> {
    const file = await this.fileFor(key, { create: true });
    const temporary = `${file}.${randomUUID()}.partial`;
    const limit = new ByteLimit(options.maxBytes);
    const out = createWriteStream(temporary, { flags: 'wx' });
    try {
      await pipeline(body, limit, out);
      await writeFile(`${file}.type`, options.contentType);
      await rename(temporary, file);
      return { size: limit.bytes };
    } catch (error) {
      body.destroy();
      // pipeline() rejects before the file stream has closed; its open may still be under way on another thread,
      // and would create the temporary file after an rm that ran first (a .partial left for good).
      out.destroy();
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<StoredObject | null> {
    const file = await this.fileFor(key);
    try {
      const [info, contentType] = await Promise.all([stat(file), readFile(`${file}.type`, 'utf8')]);
      return { body: createReadStream(file), size: info.size, contentType };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const file = await this.fileFor(key);
    await rm(file, { force: true });
    await rm(`${file}.type`, { force: true });
  }

  async exists(key: string): Promise<boolean> {
    return stat(await this.fileFor(key)).then(
      () => true,
      () => false,
    );
  }

  private async fileFor(key: string, options: { create?: boolean } = {}): Promise<string> {
    assertStorageKey(key);
    const folder = path.join(this.root, key.slice(0, 2));
    if (options.create) await mkdir(folder, { recursive: true });
    return path.join(folder, key);
  }
}
