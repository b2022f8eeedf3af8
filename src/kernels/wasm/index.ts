/**
 * @module kernels/wasm
 * The float32 WebAssembly SIMD backend: the kernels of wasm/ (AssemblyScript), compiled twice (with
 * relaxed-SIMD fused multiply-add, and plain SIMD) and embedded as base64 by `npm run build:wasm`,
 * so loading needs no fs or fetch and works in Node and in browsers.
 *
 *   const k = await loadWasmKernels();                  // relaxed SIMD where available, else SIMD
 *   const k = await loadWasmKernels({ relaxed: false, memoryMiB: 256 });
 *
 * Memory: one WebAssembly.Memory, shared where SharedArrayBuffer exists (Node; browsers with
 * cross-origin isolation): it starts at memoryMiB (default 32) and grows on demand up to 4 GiB,
 * and growing never invalidates arrays from `alloc`. Without SharedArrayBuffer it is a fixed,
 * non-shared memory of memoryMiB (default 256): allocating beyond it throws a RecurError.
 * Arrays from `alloc` are used in place; other Float32Arrays work but are copied (kernels/wasm/kernels).
 *
 * Threads: `threads: n` (> 1, with shared memory) starts n − 1 worker threads on the same module and
 * memory (kernels/wasm/pool) and splits the calls large enough to pay between them and the caller;
 * `kernels.threads` says how many run, `kernels.dispose()` ends the workers (they are unref'd, so
 * a Node process also exits without it). n is capped at the cores available: more threads than
 * cores polling for work makes every fork/join cost milliseconds. Where threads cannot start (no
 * shared memory, a page's main thread, a worker script that does not load) the kernels run on the
 * calling thread, never throw for it, and say why in `kernels.fallback` (and to `onFallback`).
 */
import { RecurError } from '../../errors.js';
import { moduleBytes, unshareMemoryImport, type WasmFlavor } from './binary.js';
import type { WasmExports } from './exports.js';
import { enableRelaxedSimd, hasSharedMemory, hasWasmSimd } from './features.js';
import { MAX_PAGES, WasmHeap } from './heap.js';
import { WasmKernels, type SplitThresholds } from './kernels.js';
import type { CreateWorker } from './pool.js';

export { WasmKernels, type SplitThresholds } from './kernels.js';
export type { WasmFlavor } from './binary.js';
export { WorkerPool, type CreateWorker, type KernelWorker } from './pool.js';
export type { WasmExports } from './exports.js';
export { WasmHeap } from './heap.js';
export { enableRelaxedSimd, hasRelaxedSimd, hasSharedMemory, hasWasmSimd } from './features.js';

/** Options of loadWasmKernels. */
export interface WasmKernelOptions {
  /** true: relaxed SIMD or a RecurError; false: plain SIMD; absent: relaxed where available. */
  relaxed?: boolean | undefined;
  /** Initial memory in MiB (shared memory grows beyond it; non-shared memory cannot). */
  memoryMiB?: number | undefined;
  /** Threads to run on, the caller's included (default 1); capped at `cores`; 1 without shared memory. */
  threads?: number | undefined;
  /** The cores this process may use (default: os.availableParallelism() under Node, else 1). */
  cores?: number | undefined;
  /** @internal When a call is split between threads (tests lower these to split small calls too). */
  split?: Partial<SplitThresholds> | undefined;
  /** Browsers: how to start a kernel worker, for bundlers that do not copy worker.js (kernels/wasm/pool). */
  createWorker?: CreateWorker | undefined;
  /** Called with `kernels.fallback` where fewer threads run than asked for (e.g. console.warn). */
  onFallback?: ((message: string) => void) | undefined;
}

/** The cores available: os.availableParallelism() under Node (a guarded import), else
 *  navigator.hardwareConcurrency, else 1. */
export async function availableCores(): Promise<number> {
  const g = globalThis as { process?: { versions?: { node?: string } }; navigator?: { hardwareConcurrency?: number } };
  if (typeof g.process?.versions?.node === 'string') {
    try {
      const specifier = 'node:os';
      // structural types, not typeof import('node:os'): this file also type-checks without Node's
      const os = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as {
        availableParallelism?: () => number;
        cpus(): unknown[];
      };
      return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
    } catch {
      return 1;
    }
  }
  return Math.max(1, g.navigator?.hardwareConcurrency ?? 1);
}

const NO_SHARED_MEMORY = 'no SharedArrayBuffer (a web page and its Workers have it only when cross-origin isolated: ' +
  'serve the page with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';

const compiled = new Map<string, Promise<WebAssembly.Module>>();

/**
 * The WebAssembly SIMD kernels (relaxed SIMD where available unless `relaxed` says otherwise) on
 * `threads` threads where shared memory allows; `kernels.fallback` says why fewer run. Throws a
 * RecurError where this engine has no wasm SIMD or for bad options.
 */
export async function loadWasmKernels(opts: WasmKernelOptions = {}): Promise<WasmKernels> {
  if (!hasWasmSimd()) {
    throw new RecurError('wasm kernels: this JavaScript engine has no WebAssembly SIMD (fixed-width SIMD, e.g. Node ≥ 16.4, Chrome ≥ 91, Firefox ≥ 89, Safari ≥ 16.4)');
  }
  let relaxed = opts.relaxed;
  if (relaxed !== false) {
    const ok = await enableRelaxedSimd();
    if (relaxed === true && !ok) {
      throw new RecurError('wasm-relaxed-simd: this JavaScript engine has no WebAssembly relaxed SIMD (f32x4.relaxed_madd); ' +
        'Node 20 has it behind --experimental-wasm-relaxed-simd (set automatically where node:v8 is reachable), Node ≥ 22 and Chrome ≥ 114 by default');
    }
    relaxed = ok;
  }
  const flavor: WasmFlavor = relaxed ? 'wasm-relaxed-simd' : 'wasm-simd';
  const shared = hasSharedMemory();
  const mib = opts.memoryMiB ?? (shared ? 32 : 256);
  if (!Number.isFinite(mib) || mib <= 0 || mib > 4096) {
    throw new RecurError(`wasm kernels: memoryMiB: expected a size in 1..4096 (MiB), got ${mib}`);
  }
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: Math.ceil(mib * 16), maximum: MAX_PAGES, shared });
  } catch (e) {
    throw new RecurError(`wasm kernels: cannot create a ${shared ? 'shared' : 'non-shared'} memory of ${mib} MiB (${(e as Error).message})`);
  }
  const key = `${flavor}/${shared}`;
  let module = compiled.get(key);
  if (!module) {
    const bytes = shared ? moduleBytes(flavor) : unshareMemoryImport(moduleBytes(flavor));
    module = WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
    compiled.set(key, module);
  }
  const compiledModule = await module;
  const instance = await WebAssembly.instantiate(compiledModule, { env: { memory } });
  const exports = instance.exports as unknown as WasmExports;
  const kernels = new WasmKernels(flavor, compiledModule, exports, new WasmHeap(memory, shared, exports.heapBase()), opts.split);
  const requested = opts.threads ?? 1;
  if (!Number.isSafeInteger(requested) || requested < 1) {
    throw new RecurError(`wasm kernels: threads: expected an integer ≥ 1, got ${requested}`);
  }
  const threads = shared ? Math.min(requested, opts.cores ?? await availableCores()) : 1;
  const why = !shared && requested > 1 ? NO_SHARED_MEMORY
    : threads > 1 ? await kernels.startWorkers(memory, threads - 1, opts.createWorker) : undefined;
  if (why !== undefined) {
    kernels.fallback = `wasm kernels: 1 thread instead of ${shared ? threads : requested}: ${why}`;
    opts.onFallback?.(kernels.fallback);
  }
  return kernels;
}
