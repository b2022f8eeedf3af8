/**
 * @module kernels/wasm/features
 * What this JavaScript engine can run: WebAssembly SIMD, relaxed SIMD, shared memory. Node 20 has
 * relaxed SIMD behind V8's --experimental-wasm-relaxed-simd; `enableRelaxedSimd` sets that flag
 * through node:v8 when running under Node (a guarded dynamic import, so this file also loads in a
 * browser bundle). The flag must be set before the module is compiled; it affects the whole process.
 */

// (module (func (result v128) (v128.const i64x2 0 0)))
const SIMD_PROBE = [
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02,
  0x01, 0x00, 0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x0b,
];
// (module (func (result v128) (f32x4.relaxed_madd (v128.const 0) (v128.const 0) (v128.const 0))))
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const RELAXED_PROBE = [
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02,
  0x01, 0x00, 0x0a, 0x3d, 0x01, 0x3b, 0x00, ...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x85, 0x02, 0x0b,
];

function validates(bytes: number[]): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(new Uint8Array(bytes));
  } catch {
    return false;
  }
}

export function hasWasmSimd(): boolean {
  return validates(SIMD_PROBE);
}

export function hasRelaxedSimd(): boolean {
  return validates(RELAXED_PROBE);
}

/** Whether SharedArrayBuffer (and so a shared WebAssembly.Memory) is available here. */
export function hasSharedMemory(): boolean {
  if (typeof SharedArrayBuffer !== 'function') return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

const isNode = (): boolean =>
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';

/** Relaxed SIMD, turning on V8's flag first under Node when it is off. */
export async function enableRelaxedSimd(): Promise<boolean> {
  if (hasRelaxedSimd()) return true;
  if (!hasWasmSimd() || !isNode()) return false;
  try {
    const specifier = 'node:v8';
    const v8 = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as { setFlagsFromString(flags: string): void };
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return hasRelaxedSimd();
}
