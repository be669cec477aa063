import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { precompressed } from './precompressed.js';

const root = fileURLToPath(new URL('.', import.meta.url));

/** `web/dist/embed.js`: one self-contained classic script that defines the embeddable elements. */
export default defineConfig({
  root,
  plugins: [precompressed()],
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: true,
    lib: {
      entry: 'src/embed.ts',
      formats: ['iife'],
      name: 'Derbel',
      fileName: () => 'embed.js',
    },
  },
});
