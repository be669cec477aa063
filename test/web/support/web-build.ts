import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { filesHash } from '../../support/files-hash.js';
import { onceUntilFailure } from '../../support/once-until-failure.js';
import { cacheFolder, COMPLETE } from '../../support/cache-folder.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const web = join(root, 'web');
/** One folder per content of the web sources; every spec file of a run finds its build here. */
const cache = join(root, 'node_modules', '.cache', 'derbel-web');

/**
 * The app and embed.js exactly as `npm run build:web` builds them, in a folder no one writes to again: built
 * once per content of `web/` (and of the lock file), not once per spec file — the 32 browser spec files each
 * built it twice before, ~1 s each here. Treat the folder as read-only.
 */
export const buildWeb: () => Promise<string> = onceUntilFailure(cachedBuild);

/**
 * Builds into `web/dist`, where the api server serves the app from. Files are replaced one by one
 * (write, then rename) and only when they changed, so a node serving the folder in a test running
 * alongside never reads a half-written file, and the folder never goes missing.
 */
export async function buildWebDist() {
  const dir = await buildWeb();
  const dist = join(web, 'dist');
  for (const file of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!file.isFile() || file.name === COMPLETE) continue;
    const from = join(file.parentPath, file.name);
    const to = join(dist, relative(dir, from));
    const content = await readFile(from);
    const current = await readFile(to).catch(() => null);
    if (current?.equals(content)) continue;
    await mkdir(dirname(to), { recursive: true });
    const partial = `${to}.${process.pid}.partial`;
    await writeFile(partial, content);
    await rename(partial, to);
  }
}

async function cachedBuild(): Promise<string> {
  return cacheFolder(cache, await sourcesHash(), buildInto);
}

/** What a build depends on: every file of `web/` but its output, the lock file, and VITE_ settings. */
async function sourcesHash(): Promise<string> {
  const files = (await readdir(web, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => relative(web, join(entry.parentPath, entry.name)))
    .filter((path) => !/^(dist|node_modules)[/\\]/.test(path));
  const hash = await filesHash(web, files);
  hash.update(await readFile(join(root, 'package-lock.json')));
  for (const [name, value] of Object.entries(process.env).sort()) if (name.startsWith('VITE_')) hash.update(`${name}=${value}\0`);
  return hash.digest('hex').slice(0, 32);
}

async function buildInto(dir: string) {
  for (const config of ['vite.config.ts', 'vite.embed.config.ts']) {
    await build({
      configFile: join(web, config),
      logLevel: 'warn',
      build: { outDir: dir, emptyOutDir: config === 'vite.config.ts', sourcemap: false },
    });
  }
}
