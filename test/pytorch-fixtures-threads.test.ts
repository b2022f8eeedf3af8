/**
 * @module test/pytorch-fixtures-threads
 * recur against PyTorch on the threaded WebAssembly backends: every case in test/fixtures/stack/
 * (see pytorch-fixtures.test.ts) on 2 threads, with the thresholds at 0 and the tuner off, so that
 * every call that can be cut between the threads is; held to the float32 bounds (1e-5 forward,
 * 1e-4 backward), and the cut path must have run, and the fused loops with per-row lengths (the
 * padded fixtures, which PyTorch ran as packed sequences).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadWasmKernels, type WasmKernels } from '../src/kernels/wasm/index.js';
import { checkStackFixture, countingFusedCalls, stackFixtures } from './helpers.js';

for (const relaxed of [true, false]) {
  const name = relaxed ? 'wasm-relaxed-simd' : 'wasm-simd';
  describe(`PyTorch fixtures on ${name}, 2 threads`, () => {
    let k: WasmKernels;
    let counted: ReturnType<typeof countingFusedCalls>;
    before(async () => {
      k = await loadWasmKernels({ relaxed, threads: 2, cores: 2, split: { gemmFlops: 0, elements: 0, tune: false } });
      assert.equal(k.name, name);
      assert.equal(k.threads, 2);
      counted = countingFusedCalls(k);
    });
    after(() => {
      assert.ok(k.parallelCalls > 0, `the cut path ran (${k.parallelCalls} calls)`);
      assert.ok(counted.withLengths() > 0, `the padded fixtures ran on the fused loops (${counted.withLengths()} calls)`);
      k.dispose();
    });
    for (const c of stackFixtures()) {
      test(`${c.name} matches ${c.reference} (${name}, 2 threads)`, () => checkStackFixture(c, counted.kernels, { forward: 1e-5, backward: 1e-4 }));
    }
  });
}
