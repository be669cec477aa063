import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { attachmentStorageContract } from '../../test/contract/attachment-storage.contract.js';
import { FilesystemAttachmentStorage } from './filesystem-attachment-storage.js';

attachmentStorageContract('filesystem', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'derbel-attachments-'));
  return {
    storage: new FilesystemAttachmentStorage(root),
    // Files only: a put creates its shard folder first, which may stay empty.
    leftovers: async () =>
      (await readdir(root, { recursive: true, withFileTypes: true }))
        .filter((entry) => entry.isFile())
        .map((entry) => path.join(entry.parentPath, entry.name))
        .sort(),
    teardown: () => rm(root, { recursive: true, force: true }),
  };
});
