// docs/web.md's Vite config: module workers (the kernel worker is nested in the app's Worker) and
// the cross-origin isolation headers on the dev and preview servers.
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default {
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: isolation },
};
