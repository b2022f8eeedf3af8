/**
 * @module test/pytorch-fixtures-wasm
 * recur against PyTorch on the WebAssembly backends: every case in test/fixtures/stack/ (see
 * pytorch-fixtures.test.ts) through runStack with the wasm-simd and wasm-relaxed-simd kernels, held
 * to the float32 bounds (1e-5 forward, 1e-4 backward). Parameters and caches live in wasm memory;
 * the inputs read from the files are plain Float32Arrays, so the kernels' copying path runs too.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Kernels } from '../src/kernels/types.js';
import { loadWasmKernels } from '../src/kernels/wasm/index.js';
import { checkStackFixture, stackFixtures } from './helpers.js';

for (const name of ['wasm-simd', 'wasm-relaxed-simd'] as const) {
  describe(`PyTorch fixtures on ${name}`, () => {
    let k: Kernels;
    before(async () => {
      k = await loadWasmKernels({ relaxed: name === 'wasm-relaxed-simd' });
      assert.equal(k.name, name);
    });
    for (const c of stackFixtures()) {
      test(`${c.name} matches ${c.reference} (${name})`, () => checkStackFixture(c, k, { forward: 1e-5, backward: 1e-4 }));
    }
  });
}
