/**
 * @module kernels
 * Choosing a backend. `loadKernels()` ('auto') takes the fastest this engine runs: wasm with relaxed
 * SIMD, else wasm with SIMD, else the plain TypeScript kernels, by feature detection. Naming a
 * backend gets exactly that one or a RecurError saying what is missing, never a silent substitute.
 *
 * `threads` (default: the cores available, os.availableParallelism() under Node) is how many threads
 * the wasm backends may run on; `kernels.threads` is how many they do (1 without SharedArrayBuffer,
 * and for the js backend). Call `kernels.dispose?.()` to end worker threads early.
 */
import { RecurError } from '../errors.js';
import { jsKernels } from './js/index.js';
import type { Kernels } from './types.js';
import { availableCores, hasWasmSimd, loadWasmKernels, type CreateWorker } from './wasm/index.js';

export type KernelChoice = 'auto' | 'wasm-relaxed-simd' | 'wasm-simd' | 'js';

export interface LoadKernelsOptions {
  prefer?: KernelChoice | undefined;
  /** The wasm backends' initial memory in MiB (see kernels/wasm). */
  memoryMiB?: number | undefined;
  /** Threads for the wasm backends, the caller's included (default: the cores available). */
  threads?: number | undefined;
  /** Browsers: how to start a kernel worker thread, where a bundler does not copy the worker beside
   *  recur's files (see kernels/wasm/pool); e.g. with Vite
   *  `() => new Worker(new URL('recur/dist/src/kernels/wasm/worker.js', import.meta.url), { type: 'module' })`. */
  createWorker?: CreateWorker | undefined;
}

export async function loadKernels(opts: LoadKernelsOptions = {}): Promise<Kernels> {
  const prefer = opts.prefer ?? 'auto';
  const { memoryMiB, createWorker } = opts;
  if (opts.threads !== undefined && !(Number.isSafeInteger(opts.threads) && opts.threads >= 1)) {
    throw new RecurError(`kernels: threads: expected an integer ≥ 1, got ${opts.threads}`);
  }
  const threads = prefer === 'js' ? 1 : opts.threads ?? await availableCores();
  switch (prefer) {
    case 'js':
      return jsKernels('float32');
    case 'wasm-relaxed-simd':
      return loadWasmKernels({ relaxed: true, memoryMiB, threads, createWorker });
    case 'wasm-simd':
      return loadWasmKernels({ relaxed: false, memoryMiB, threads, createWorker });
    case 'auto':
      return hasWasmSimd() ? loadWasmKernels({ memoryMiB, threads, createWorker }) : jsKernels('float32');
    default:
      throw new RecurError(`kernels: expected auto, wasm-relaxed-simd, wasm-simd or js, got ${String(prefer)}`);
  }
}

export { jsKernels } from './js/index.js';
export { loadWasmKernels, type CreateWorker, type KernelWorker, type WasmKernelOptions } from './wasm/index.js';
export type { Activation, Kernels } from './types.js';
