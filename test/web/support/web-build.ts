import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
 * Builds into `web/dist`, where the api server serves the app from. The folder is never emptied, so
 * an api node starting meanwhile in another test never finds it missing.
 */
export function buildWebDist() {
  return buildInto(join(web, 'dist'), false);
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
