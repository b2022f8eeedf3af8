// The app's Worker: loads recur's kernels as docs/web.md says (mode 'recipe'), or with no options
// but threads (mode 'default'), runs gemms large enough to be cut between threads, checks each
// against the plain TypeScript kernels, and fetches a shipped corpus through `recur/data/*`.
import { jsKernels, loadKernels } from 'recur';
import corpusUrl from 'recur/data/timemachine.txt?url';

const M = 192, N = 160, K = 128;

function filled(k, n, seed) {
  const a = k.alloc(n);
  for (let i = 0; i < n; i++) a[i] = Math.sin(seed * 1000 + i * 0.37);
  return a;
}

self.onmessage = async (e) => {
  const { mode, isolated } = e.data;
  try {
    const warnings = [];
    const options = { threads: 4, onFallback: (m) => warnings.push(m) };
    if (mode === 'recipe') {
      options.createWorker = () => new Worker(new URL('recur/kernel-worker', import.meta.url), { type: 'module' });
    }
    const k = await loadKernels(options);
    const ref = jsKernels('float32');
    let maxDiff = 0;
    for (let call = 0; call < 6; call++) {
      const A = filled(k, M * K, call + 1), B = filled(k, K * N, call + 2), C = k.alloc(M * N);
      k.gemm(false, call % 2 === 1, M, N, K, A, B, C, false);
      const C0 = new Float32Array(M * N);
      ref.gemm(false, call % 2 === 1, M, N, K, Float32Array.from(A), Float32Array.from(B), C0, false);
      for (let i = 0; i < M * N; i++) maxDiff = Math.max(maxDiff, Math.abs(C[i] - C0[i]));
    }
    const corpus = await (await fetch(corpusUrl)).text();
    self.postMessage({
      isolated, workerIsolated: self.crossOriginIsolated === true, name: k.name, threads: k.threads,
      parallelCalls: k.parallelCalls ?? 0, fallback: k.fallback ?? null, warnings, maxDiff,
      cores: navigator.hardwareConcurrency, corpusLength: corpus.length, corpusStart: corpus.slice(0, 40),
    });
    k.dispose?.();
  } catch (err) {
    self.postMessage({ error: String(err && err.message || err) });
  }
};
