import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Removes what `cache` holds besides `current` once no run can still be using it (a day is far longer than a run). */
export async function removeStaleCacheEntries(cache: string, current: string) {
  const dayAgo = Date.now() - 24 * 3600_000;
  for (const name of await readdir(cache)) {
    const path = join(cache, name);
    if (path === current) continue;
    const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: Date.now() }));
    if (mtimeMs < dayAgo) await rm(path, { recursive: true, force: true });
  }
}
