import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { precompressed } from './precompressed.js';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.DERBEL_API_URL ?? 'http://localhost:3000';

/** The app (index.html → web/dist). `vite.embed.config.ts` adds the standalone embed.js next to it. */
export default defineConfig({
  root,
  plugins: [precompressed()],
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/socket.io': { target: api, ws: true },
      '/emoji': { target: api },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
});
