/**
 * @module kernels
 * Choosing a backend. `loadKernels()` ('auto') takes the fastest this engine runs: wasm with relaxed
 * SIMD, else wasm with SIMD, else the plain TypeScript kernels, by feature detection. Naming a
 * backend gets exactly that one or a RecurError saying what is missing, never a silent substitute.
 */
import { RecurError } from '../errors.js';
import { jsKernels } from './js/index.js';
import type { Kernels } from './types.js';
import { hasWasmSimd, loadWasmKernels } from './wasm/index.js';

export type KernelChoice = 'auto' | 'wasm-relaxed-simd' | 'wasm-simd' | 'js';

export interface LoadKernelsOptions {
  prefer?: KernelChoice | undefined;
  /** The wasm backends' initial memory in MiB (see kernels/wasm). */
  memoryMiB?: number | undefined;
}

export async function loadKernels(opts: LoadKernelsOptions = {}): Promise<Kernels> {
  const prefer = opts.prefer ?? 'auto';
  const memoryMiB = opts.memoryMiB;
  switch (prefer) {
    case 'js':
      return jsKernels('float32');
    case 'wasm-relaxed-simd':
      return loadWasmKernels({ relaxed: true, memoryMiB });
    case 'wasm-simd':
      return loadWasmKernels({ relaxed: false, memoryMiB });
    case 'auto':
      return hasWasmSimd() ? loadWasmKernels({ memoryMiB }) : jsKernels('float32');
    default:
      throw new RecurError(`kernels: expected auto, wasm-relaxed-simd, wasm-simd or js, got ${String(prefer)}`);
  }
}

export { jsKernels } from './js/index.js';
export { loadWasmKernels, type WasmKernelOptions } from './wasm/index.js';
export type { Activation, Kernels } from './types.js';
