/**
 * @module kernels/wasm/wasm.test
 * What only the wasm backend has: its allocator (reuse, coalescing, growth that keeps old views
 * valid), its errors (Float64Array, short arrays, bad targets, bad free), gemm on sub-blocks (how
 * worker threads will split a product), and the non-shared memory a browser without
 * SharedArrayBuffer gets. The kernels' numbers are checked by kernels/conformance.test.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RecurError } from '../../errors.js';
import { Rng } from '../../tensor/rng.js';
import { moduleBytes, unshareMemoryImport } from './binary.js';
import type { WasmExports } from './exports.js';
import { WasmHeap } from './heap.js';
import { loadWasmKernels, WasmKernels } from './index.js';

function fill(a: Float32Array, rng: Rng): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] = rng.uniform() - 0.5;
  return a;
}

for (const relaxed of [false, true]) {
  const flavor = relaxed ? 'wasm-relaxed-simd' : 'wasm-simd';
  describe(`${flavor} memory and errors`, () => {
    test('free blocks are reused first-fit and coalesced; alloc zero-fills', async () => {
      const k = await loadWasmKernels({ relaxed, memoryMiB: 4 });
      const a = k.alloc(1000);
      const b = k.alloc(1000);
      const c = k.alloc(1000);
      assert.equal(a.byteOffset % 64, 0);
      b.fill(7);
      k.free(b);
      const d = k.alloc(900);
      assert.equal(d.byteOffset, b.byteOffset, 'the freed block is reused');
      assert.ok(d.every((x) => x === 0), 'zero-filled');
      k.free(a);
      k.free(d);
      const e = k.alloc(2000);
      assert.equal(e.byteOffset, a.byteOffset, 'neighbouring free blocks merge');
      assert.throws(() => k.free(e.subarray(10)), RecurError);
      k.free(e);
      assert.throws(() => k.free(e), RecurError, 'double free');
      k.free(new Float32Array(4)); // not ours: nothing to do
      k.free(c);
    });

    test('memory grows beyond its initial size and old views stay valid', async () => {
      const k = await loadWasmKernels({ relaxed, memoryMiB: 2 });
      const start = k.heap.memory.buffer.byteLength;
      const arrays: Float32Array[] = [];
      for (let i = 0; i < 12; i++) {
        const a = k.alloc(256 * 1024); // 1 MiB each
        a.fill(i + 1);
        arrays.push(a);
      }
      assert.ok(k.heap.memory.buffer.byteLength > Math.max(start, 12 * 2 ** 20), 'grew');
      assert.notEqual(arrays[0]!.buffer, arrays[11]!.buffer, 'views from before and after a growth');
      arrays.forEach((a, i) => {
        assert.equal(a.length, 256 * 1024);
        assert.equal(a[0], i + 1);
        assert.equal(a[a.length - 1], i + 1);
      });
      // a kernel on an old view and a new one: both in place
      k.add(arrays[0]!, arrays[0]!, arrays[11]!, 1000);
      assert.equal(arrays[0]![999], 13);
      assert.equal(arrays[0]![1000], 1);
      for (const a of arrays) k.free(a);
    });

    test('float64 arrays, short arrays, bad targets and activations are RecurErrors', async () => {
      const k = await loadWasmKernels({ relaxed });
      const a = k.alloc(12);
      assert.throws(() => k.gemm(false, false, 2, 2, 3, new Float64Array(6), a, a, false), /float32/);
      assert.throws(() => k.gemm(false, false, 4, 4, 4, a, a, a, false), /at least 16 values/);
      assert.throws(() => k.softmaxCrossEntropy(a, new Int32Array([0, 5]), undefined, 2, 3, -100, 1), /target 5/);
      assert.throws(() => k.activationForward('gelu' as 'tanh', a, undefined, 1, 4), RecurError);
      // a failed call leaves no slow-path blocks behind
      const used = k.heap.used;
      assert.throws(() => k.add(new Float32Array(4), new Float32Array(4), new Float64Array(4), 4), RecurError);
      assert.equal(k.heap.used, used);
    });

    test('gemm on sub-blocks of C (a worker split) equals the whole product', async () => {
      const k = await loadWasmKernels({ relaxed });
      const x: WasmExports = k.exports;
      const rng = new Rng(9);
      const [M, N, K] = [70, 45, 37];
      const A = fill(k.alloc(M * K), rng);
      const B = fill(k.alloc(K * N), rng);
      for (const ta of [0, 1]) for (const tb of [0, 1]) {
        const lda = ta ? M : K;
        const ldb = tb ? K : N;
        const whole = k.alloc(M * N);
        k.gemm(ta === 1, tb === 1, M, N, K, A, B, whole, false);
        const parts = k.alloc(M * N);
        const scratch = k.heap.allocBytes(x.gemmScratchBytes());
        // rows [0, 33) × all columns, then rows [33, 70) in column blocks [0, 20) and [20, 45)
        const blocks = [[0, 33, 0, N], [33, M, 0, 20], [33, M, 20, N]];
        for (const [i0, i1, j0, j1] of blocks as [number, number, number, number][]) {
          x.gemm(ta, tb, i1 - i0, j1 - j0, K, A.byteOffset + 4 * (ta ? i0 : i0 * lda), lda,
                 B.byteOffset + 4 * (tb ? j0 * ldb : j0), ldb, parts.byteOffset + 4 * (i0 * N + j0), N, 0, scratch);
        }
        let d = 0;
        for (let i = 0; i < M * N; i++) d = Math.max(d, Math.abs(parts[i]! - whole[i]!));
        assert.ok(d <= 1e-6, `(${ta}, ${tb}): blocks differ by ${d}`);
        k.heap.freeBytes(scratch);
      }
    });

    test('non-shared memory (no SharedArrayBuffer): runs, and says so when it is full', async () => {
      const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536 }); // 4 MiB
      const module = await WebAssembly.compile(unshareMemoryImport(moduleBytes(flavor)) as Uint8Array<ArrayBuffer>);
      const exports = (await WebAssembly.instantiate(module, { env: { memory } })).exports as unknown as WasmExports;
      const k = new WasmKernels(flavor, module, exports, new WasmHeap(memory, false, exports.heapBase()));
      const a = k.alloc(6).fill(1);
      const c = k.alloc(4);
      k.gemm(false, true, 2, 2, 3, a, a, c, false);
      assert.deepEqual(Array.from(c), [3, 3, 3, 3]);
      assert.throws(() => k.alloc(2 ** 20), /larger memoryMiB/);
    });
  });
}
