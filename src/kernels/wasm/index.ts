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
 */
import { RecurError } from '../../errors.js';
import { moduleBytes, unshareMemoryImport, type WasmFlavor } from './binary.js';
import type { WasmExports } from './exports.js';
import { enableRelaxedSimd, hasSharedMemory, hasWasmSimd } from './features.js';
import { MAX_PAGES, WasmHeap } from './heap.js';
import { WasmKernels } from './kernels.js';

export { WasmKernels } from './kernels.js';
export type { WasmExports } from './exports.js';
export { WasmHeap } from './heap.js';
export { enableRelaxedSimd, hasRelaxedSimd, hasSharedMemory, hasWasmSimd } from './features.js';

export interface WasmKernelOptions {
  /** true: relaxed SIMD or a RecurError; false: plain SIMD; absent: relaxed where available. */
  relaxed?: boolean | undefined;
  /** Initial memory in MiB (shared memory grows beyond it; non-shared memory cannot). */
  memoryMiB?: number | undefined;
}

const compiled = new Map<string, Promise<WebAssembly.Module>>();

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
  const instance = await WebAssembly.instantiate(await module, { env: { memory } });
  const exports = instance.exports as unknown as WasmExports;
  return new WasmKernels(flavor, await module, exports, new WasmHeap(memory, shared, exports.heapBase()));
}
