import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttachmentTooLargeError, type AttachmentStorage } from '../../application/ports/attachment-storage.js';
import { sleep } from '../support/eventually.js';

export interface AttachmentStorageFixture {
  storage: AttachmentStorage;
  /** Every key-like thing the adapter holds, temporary ones included: proves a failed put left nothing. */
  leftovers(): Promise<string[]>;
  teardown(): Promise<void>;
}

/** A body that sends `chunks` and then fails, as a request whose client went away does. */
function failingAfter(chunks: Buffer[]): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent < chunks.length) this.push(chunks[sent++]);
      else this.destroy(new Error('client aborted'));
    },
  });
}

/** A body of `size` random bytes in chunks of 64 KiB, produced as it is read (never whole in memory). */
function randomBody(size: number): Readable {
  let left = size;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const n = Math.min(left, 64 * 1024);
      left -= n;
      this.push(randomBytes(n));
    },
  });
}

/** The contract every attachment storage adapter passes (filesystem always; S3 when `S3_URL` is set). */
export function attachmentStorageContract(name: string, createFixture: () => Promise<AttachmentStorageFixture>) {
  describe(`attachment storage contract: ${name}`, () => {
    let fixture: AttachmentStorageFixture;
    let storage: AttachmentStorage;
    beforeAll(async () => {
      fixture = await createFixture();
      storage = fixture.storage;
    });
    afterAll(async () => {
      await fixture?.teardown();
    });

    it('stores a streamed body and gives it back with its size and content type', async () => {
      const key = randomUUID();
      const bytes = randomBytes(300_000);
      expect(await storage.exists(key)).toBe(false);
      expect(
        await storage.put(key, Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), {
          maxBytes: 1_000_000,
          contentType: 'application/pdf',
        }),
      ).toEqual({ size: 300_000 });
      expect(await storage.exists(key)).toBe(true);
      const stored = await storage.get(key);
      expect(stored).toMatchObject({ size: 300_000, contentType: 'application/pdf' });
      expect((await buffer(stored!.body)).equals(bytes)).toBe(true);
    });

    it('streams a body larger than its parts (6 MiB) without holding it whole', async () => {
      const key = randomUUID();
      expect(
        await storage.put(key, randomBody(6 * 1024 * 1024), { maxBytes: 7 * 1024 * 1024, contentType: 'application/octet-stream' }),
      ).toEqual({ size: 6 * 1024 * 1024 });
      expect((await storage.get(key))!.size).toBe(6 * 1024 * 1024);
      await storage.delete(key);
    });

    it('answers null for a key it does not hold, and deletes idempotently', async () => {
      const key = randomUUID();
      expect(await storage.get(key)).toBeNull();
      await storage.put(key, Readable.from([Buffer.from('hello')]), { maxBytes: 10, contentType: 'text/plain' });
      await storage.delete(key);
      await storage.delete(key);
      expect(await storage.exists(key)).toBe(false);
      expect(await storage.get(key)).toBeNull();
    });

    it('keeps a thumbnail beside its original under a suffixed key', async () => {
      const key = randomUUID();
      await storage.put(key, Readable.from([Buffer.from('original')]), { maxBytes: 100, contentType: 'image/png' });
      await storage.put(`${key}.thumbnail`, Readable.from([Buffer.from('thumb')]), { maxBytes: 100, contentType: 'image/webp' });
      expect((await storage.get(`${key}.thumbnail`))!.contentType).toBe('image/webp');
      await storage.delete(`${key}.thumbnail`);
      expect(await storage.exists(key)).toBe(true);
    });

    it('refuses a body over its limit and leaves nothing behind', async () => {
      const before = await fixture.leftovers();
      const key = randomUUID();
      await expect(storage.put(key, randomBody(200_000), { maxBytes: 100_000, contentType: 'application/zip' })).rejects.toBeInstanceOf(
        AttachmentTooLargeError,
      );
      expect(await storage.exists(key)).toBe(false);
      expect(await fixture.leftovers()).toEqual(before);
    });

    it('leaves nothing behind when the body fails part-way (a client that went away)', async () => {
      const before = await fixture.leftovers();
      const key = randomUUID();
      await expect(
        storage.put(key, failingAfter([randomBytes(50_000), randomBytes(50_000)]), { maxBytes: 1_000_000, contentType: 'image/jpeg' }),
      ).rejects.toThrow('client aborted');
      expect(await storage.exists(key)).toBe(false);
      expect(await fixture.leftovers()).toEqual(before);
    });

    it('leaves nothing behind, not even later, when the first chunk is already over the limit (the quota nearly spent)', async () => {
      const before = await fixture.leftovers();
      for (let i = 0; i < 5; i++) {
        const key = randomUUID();
        await expect(
          storage.put(key, Readable.from([randomBytes(5_000)]), { maxBytes: 1_000, contentType: 'application/zip' }),
        ).rejects.toBeInstanceOf(AttachmentTooLargeError);
      }
      // A file opened after the refusal was answered would show up a moment later, and stay.
      await sleep(100);
      expect(await fixture.leftovers()).toEqual(before);
    });

    it('refuses keys it did not generate: no path, no traversal', async () => {
      for (const key of ['../etc/passwd', 'a/b', '', `${randomUUID()}/../x`, randomUUID().toUpperCase(), `${randomUUID()}.`]) {
        await expect(storage.put(key, Readable.from([Buffer.from('x')]), { maxBytes: 10, contentType: 'text/plain' })).rejects.toThrow(
          'Not an attachment storage key',
        );
        await expect(storage.get(key)).rejects.toThrow('Not an attachment storage key');
      }
    });
  });
}
