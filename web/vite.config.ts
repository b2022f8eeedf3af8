// The playground's build: `npm run playground` (dev server), `npm run build:web` (static files in
// web/dist). recur is used from source: `recur` is src/index.ts, compiled by Vite like the page.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Cross-origin isolation: SharedArrayBuffer, so the WASM kernels get a shared, growable memory.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './', // relative URLs: the built page can be hosted under any path
  resolve: { alias: [{ find: /^recur$/, replacement: fileURLToPath(new URL('../src/index.ts', import.meta.url)) }] },
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  server: { headers: isolation, host: '127.0.0.1' },
  preview: { headers: isolation, host: '127.0.0.1' },
});
