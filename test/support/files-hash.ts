import { createHash, type Hash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A SHA-256 over the names and contents of `files` (relative to `dir`), in sorted order; more may be added to it. */
export async function filesHash(dir: string, files: readonly string[]): Promise<Hash> {
  const hash = createHash('sha256');
  for (const file of [...files].sort())
    hash
      .update(file)
      .update('\0')
      .update(await readFile(join(dir, file)))
      .update('\0');
  return hash;
}
