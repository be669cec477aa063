import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The file a finished cache folder holds besides what was put in it. */
export const COMPLETE = '.complete';

/**
 * `cache/name`, filled by `fill` unless a run made it before. Filled aside and renamed into place whole, so another
 * test process never sees half of it (when one finishes the same folder first, theirs is as good). Treat it as
 * read-only. Other entries of `cache` go once no run can still be using them.
 */
export async function cacheFolder(cache: string, name: string, fill: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(cache, name);
  const complete = join(dir, COMPLETE);
  if (await isFile(complete)) return dir;
  // A folder in place without its mark was left by an older layout of the cache (one is only ever renamed in whole).
  await rm(dir, { recursive: true, force: true });
  await mkdir(cache, { recursive: true });
  const scratch = await mkdtemp(join(cache, 'building-'));
  try {
    await fill(scratch);
    await writeFile(join(scratch, COMPLETE), '');
    await rename(scratch, dir).catch(async (error: NodeJS.ErrnoException) => {
      if (!(await isFile(complete))) throw error;
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  await removeStale(cache, dir);
  return dir;
}

/** What `cache` holds besides `current`, once no run can still be using it (a day is far longer than a run). */
async function removeStale(cache: string, current: string) {
  const dayAgo = Date.now() - 24 * 3600_000;
  for (const name of await readdir(cache)) {
    const path = join(cache, name);
    if (path === current) continue;
    const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: Date.now() }));
    if (mtimeMs < dayAgo) await rm(path, { recursive: true, force: true });
  }
}

const isFile = (path: string) =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
