/**
 * @module kernels/wasm/binary
 * The embedded kernel modules as bytes, and the one patch the loader may apply: where
 * SharedArrayBuffer is missing (a browser page without cross-origin isolation), the module's memory
 * import is rewritten from shared to non-shared, a one-byte change in the import section's limits.
 */
import { RELAXED_SIMD_WASM, SIMD_WASM } from './generated/binaries.js';

/** The two builds of the wasm kernels: with relaxed-SIMD fused multiply-add, or plain SIMD. */
export type WasmFlavor = 'wasm-relaxed-simd' | 'wasm-simd';

/** The module bytes of a build, decoded from base64 (atob exists in browsers and Node ≥ 16). */
export function moduleBytes(flavor: WasmFlavor): Uint8Array<ArrayBuffer> {
  const text = atob(flavor === 'wasm-relaxed-simd' ? RELAXED_SIMD_WASM : SIMD_WASM);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** The same module importing a non-shared memory (limits flag 0x03 → 0x01), patched in place. */
export function unshareMemoryImport(bytes: Uint8Array): Uint8Array {
  let p = 8; // magic and version
  const leb = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[p++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  const name = (): void => { const n = leb(); p += n; };
  while (p < bytes.length) {
    const id = bytes[p++]!;
    const size = leb();
    const next = p + size;
    if (id === 2) {
      for (let count = leb(); count > 0; count--) {
        name();
        name();
        const kind = bytes[p++]!;
        if (kind === 0) leb();                     // function: type index
        else if (kind === 1) { p++; limits(); }    // table: reftype, limits
        else if (kind === 3) p += 2;               // global: valtype, mutability
        else if (kind === 2) {                     // memory
          if (bytes[p] === 0x03) bytes[p] = 0x01;
          return bytes;
        }
      }
    }
    p = next;
  }
  return bytes;

  function limits(): void {
    const flag = bytes[p++]!;
    leb();
    if (flag & 1) leb();
  }
}
