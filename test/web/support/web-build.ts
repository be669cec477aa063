import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const web = fileURLToPath(new URL('../../../web/', import.meta.url));

/** Builds the app and embed.js exactly as `npm run build:web` does, into a fresh folder. */
export async function buildWeb(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'derbel-web-'));
  await buildInto(dir, true);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Builds into `web/dist`, where the api server serves the app from. Files are replaced one by one
 * (write, then rename) and only when they changed, so a node serving the folder in a test running
 * alongside never reads a half-written file, and the folder never goes missing.
 */
export async function buildWebDist() {
  const built = await buildWeb();
  const dist = join(web, 'dist');
  try {
    for (const file of await readdir(built.dir, { recursive: true, withFileTypes: true })) {
      if (!file.isFile()) continue;
      const from = join(file.parentPath, file.name);
      const to = join(dist, relative(built.dir, from));
      const content = await readFile(from);
      const current = await readFile(to).catch(() => null);
      if (current?.equals(content)) continue;
      await mkdir(dirname(to), { recursive: true });
      const partial = `${to}.${process.pid}.partial`;
      await writeFile(partial, content);
      await rename(partial, to);
    }
  } finally {
    await built.remove();
  }
}

async function buildInto(dir: string, empty: boolean) {
  for (const config of ['vite.config.ts', 'vite.embed.config.ts']) {
    await build({
      configFile: join(web, config),
      logLevel: 'warn',
      build: { outDir: dir, emptyOutDir: empty && config === 'vite.config.ts', sourcemap: false },
    });
  }
}
