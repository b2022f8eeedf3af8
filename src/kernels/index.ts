/**
 * @module kernels
 * Choosing a backend. `loadKernels()` ('auto') takes the fastest this engine runs: in Node the native
 * addon (kernels/native) where it is built for this platform, loads and passes its start-up
 * self-check; else wasm with relaxed SIMD, else wasm with SIMD, else the plain TypeScript kernels,
 * by feature detection (browsers never try the addon). `chooseKernels` also says why. Naming a
 * backend gets exactly that one or a RecurError saying what is missing, never a silent substitute.
 *
 * `threads` (default: the cores available, os.availableParallelism() under Node) is how many threads
 * the native and wasm backends may run on; `kernels.threads` is how many they do (1 without SharedArrayBuffer,
 * and for the js backend). Call `kernels.dispose?.()` to end worker threads early. Where threads
 * cannot start, the wasm kernels run on one and say why in `kernels.fallback` (no throw).
 */
import { RecurError } from '../errors.js';
import { jsKernels } from './js/index.js';
import { loadNativeKernels, nativeSelfCheck, nativeUnavailable } from './native/index.js';
import type { Kernels } from './types.js';
import { availableCores, hasWasmSimd, loadWasmKernels, type CreateWorker } from './wasm/index.js';

/** A backend by name: 'auto' (the fastest this engine runs), or exactly one of the others. */
export type KernelChoice = 'auto' | 'native' | 'wasm-relaxed-simd' | 'wasm-simd' | 'js';

/** Options of loadKernels. */
export interface LoadKernelsOptions {
  /** Which backend (default 'auto'); a named one that this engine cannot run is a RecurError. */
  prefer?: KernelChoice | undefined;
  /** The wasm backends' initial memory in MiB (see kernels/wasm). */
  memoryMiB?: number | undefined;
  /** Threads for the wasm backends, the caller's included (default: the cores available). */
  threads?: number | undefined;
  /** Browsers: how to start a kernel worker thread, where a bundler does not copy the worker beside
   *  recur's files; with Vite (docs/web.md)
   *  `() => new Worker(new URL('recur/kernel-worker', import.meta.url), { type: 'module' })`. */
  createWorker?: CreateWorker | undefined;
  /** Called with `kernels.fallback` where the kernels run on fewer threads than asked for because
   *  threads could not start (e.g. `console.warn`); loadKernels never throws for that. */
  onFallback?: ((message: string) => void) | undefined;
}

/**
 * The kernels to compute with: the fastest backend this engine runs ('auto'), or the one named.
 * Resolves to a backend on `kernels.threads` threads; see `kernels.fallback` for why fewer run
 * than asked for. Throws a RecurError for bad options or a named backend this engine lacks.
 */
export async function loadKernels(opts: LoadKernelsOptions = {}): Promise<Kernels> {
  return (await chooseKernels(opts)).kernels;
}

/** What chooseKernels picked, and why (one line: for `recur info` and benchmark reports). */
export interface KernelSelection {
  /** The backend, as loadKernels returns it. */
  kernels: Kernels;
  /** Why this one: named by the caller, or what 'auto' found (e.g. why not the native addon). */
  reason: string;
}

/** loadKernels, and why it picked the backend it did. */
export async function chooseKernels(opts: LoadKernelsOptions = {}): Promise<KernelSelection> {
  const prefer = opts.prefer ?? 'auto';
  const { memoryMiB, createWorker, onFallback } = opts;
  if (opts.threads !== undefined && !(Number.isSafeInteger(opts.threads) && opts.threads >= 1)) {
    throw new RecurError(`kernels: threads: expected an integer ≥ 1, got ${opts.threads}`);
  }
  const threads = prefer === 'js' ? 1 : opts.threads ?? await availableCores();
  const named = 'named by the caller';
  switch (prefer) {
    case 'js':
      return { kernels: jsKernels('float32'), reason: named };
    case 'native':
      return { kernels: await loadNativeKernels({ threads }), reason: named };
    case 'wasm-relaxed-simd':
      return { kernels: await loadWasmKernels({ relaxed: true, memoryMiB, threads, createWorker, onFallback }), reason: named };
    case 'wasm-simd':
      return { kernels: await loadWasmKernels({ relaxed: false, memoryMiB, threads, createWorker, onFallback }), reason: named };
    case 'auto': {
      let why = await nativeUnavailable();
      if (why === undefined) {
        const native = await loadNativeKernels({ threads });
        why = nativeSelfCheck(native);
        if (why === undefined) return { kernels: native, reason: `auto: the native addon (${native.isa}) loaded and passed its self-check` };
        native.dispose();
        why = `the native addon failed its self-check: ${why}`;
      }
      if (!hasWasmSimd()) return { kernels: jsKernels('float32'), reason: `auto: no native addon (${why}) and no WebAssembly SIMD` };
      const wasm = await loadWasmKernels({ memoryMiB, threads, createWorker, onFallback });
      return { kernels: wasm, reason: `auto: ${wasm.name}, the fastest WebAssembly this engine runs; not native: ${why}` };
    }
    default:
      throw new RecurError(`kernels: expected auto, native, wasm-relaxed-simd, wasm-simd or js, got ${String(prefer)}`);
  }
}

export { jsKernels } from './js/index.js';
export { loadNativeKernels, nativeIsas, nativeUnavailable, NativeKernels, type NativeIsa, type NativeKernelOptions } from './native/index.js';
export { loadWasmKernels, type CreateWorker, type KernelWorker, type WasmFlavor, type WasmKernelOptions, type WasmKernels } from './wasm/index.js';
export type { Activation, Kernels } from './types.js';
