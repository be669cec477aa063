import { defineConfig } from 'vitest/config';

const ignored = ['node_modules/**', 'dist/**', 'web/node_modules/**'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
    projects: [
      {
        extends: true,
        // Pure specs share their worker processes: a fresh process and module graph per file cost three
        // times what the 61 files' tests take (BENCHMARKS.md, "The test suite's wall time").
        test: { name: 'unit', include: ['**/*.unit.spec.ts'], exclude: ignored, isolate: false },
      },
      {
        extends: true,
        // One module graph for the run too: a fresh one per file was 153 s of a 1,397 s run (server.ts and its
        // libraries imported 140 times). Each file still gets its own database, nodes and browser, and closes them.
        test: { name: 'integration', include: ['**/*.spec.ts'], exclude: [...ignored, '**/*.unit.spec.ts'], isolate: false },
      },
    ],
  },
});
