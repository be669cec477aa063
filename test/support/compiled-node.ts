import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { TYPESCRIPT_ENTRY, type NodeEntry } from '../../infrastructure/cli/cluster-node.js';
import { NODE_FLAGS } from '../../infrastructure/cli/node-flags.js';
import { onceUntilFailure } from './once-until-failure.js';
import { cacheFolder } from './cache-folder.js';

/** Inside the project, so the bundle's bare imports resolve to its node_modules. */
const cache = new URL('../../node_modules/.cache/derbel-node/', import.meta.url).pathname;

/**
 * Each module's `import.meta.url` stays its own source file's, not the bundle's: the migrations, the web build,
 * the bcrypt worker and the emoji data are found next to the source that names them, as under tsx.
 */
const ownImportMetaUrl: Plugin = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async ({ path }) => ({
      contents: (await readFile(path, 'utf8')).replaceAll('import.meta.url', JSON.stringify(pathToFileURL(path).href)),
      loader: 'ts',
    }));
  },
};

/**
 * The api node's entry (`infrastructure/cli/start.ts`) bundled into one JavaScript file, its packages left to
 * node_modules: what the specs start instead of the TypeScript through tsx, whose loader answers every import
 * from another thread (a node listened ~0.5 s later through it; the specs start ~80 nodes a run). Built once per
 * test process, into a folder named by its content, so processes building the same sources share one.
 */
export const compiledNodeEntry: () => Promise<NodeEntry> = onceUntilFailure(async () => {
  const { outputFiles } = await build({
    entryPoints: { start: TYPESCRIPT_ENTRY.script },
    bundle: true,
    // What the sources import dynamically (KurrentDB's client, the S3 one) stays in chunks of its own, loaded
    // as under tsx: only when configured.
    splitting: true,
    outdir: '/',
    outExtension: { '.js': '.mjs' },
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    write: false,
    logLevel: 'warning',
    plugins: [ownImportMetaUrl],
  });
  const hash = createHash('sha256');
  for (const file of outputFiles) hash.update(file.path).update('\0').update(file.contents).update('\0');
  const dir = await cacheFolder(cache, hash.digest('hex').slice(0, 24), async (scratch) => {
    for (const file of outputFiles) await writeFile(join(scratch, file.path), file.contents);
  });
  const script = join(dir, 'start.mjs');
  return { script, execArgv: [...NODE_FLAGS, '--enable-source-maps'] };
});
