/**
 * @module test/pytorch-fixtures-wasm
 * recur against PyTorch on the WebAssembly backends: every case in test/fixtures/stack/ (see
 * pytorch-fixtures.test.ts) through runStack with the wasm-simd and wasm-relaxed-simd kernels, held
 * to the float32 bounds (1e-5 forward, 1e-4 backward). Parameters and caches live in wasm memory;
 * the inputs read from the files are plain Float32Arrays, so the kernels' copying path runs too.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import type { Kernels } from '../src/kernels/types.js';
import { loadWasmKernels } from '../src/kernels/wasm/index.js';
import { runStack } from '../src/models/stack-file.js';
import { compare, describeDiff, floats, loadFixture, ROOT } from './helpers.js';

interface Case { name: string; reference: string }
const cases = JSON.parse(readFileSync(`${ROOT}test/fixtures/stack/manifest.json`, 'utf8')) as Case[];

for (const name of ['wasm-simd', 'wasm-relaxed-simd'] as const) {
  describe(`PyTorch fixtures on ${name}`, () => {
    let k: Kernels;
    before(async () => {
      k = await loadWasmKernels({ relaxed: name === 'wasm-relaxed-simd' });
      assert.equal(k.name, name);
    });
    for (const c of cases) {
      test(`${c.name} matches ${c.reference} (${name})`, () => {
        const dir = `test/fixtures/stack/${c.name}`;
        const expected = loadFixture(`${dir}/expected.safetensors`);
        const out = runStack({
          model: loadFixture(`${dir}/model.safetensors`),
          input: loadFixture(`${dir}/input.safetensors`),
          grad: loadFixture(`${dir}/grad.safetensors`),
        }, k);
        assert.deepEqual(out.map((t) => t.name).sort(), [...expected.tensors.keys()].sort(), 'output tensor names');
        for (const t of out) {
          const want = floats(expected, t.name);
          const got = Array.from(t.data as Float32Array);
          const d = compare(got, want);
          const bound = ['y', 'h_n', 'c_n'].includes(t.name) ? 1e-5 : 1e-4;
          assert.ok(d.normwise <= bound, describeDiff(`${c.name} ${t.name}`, got, want, d));
        }
      });
    }
  });
}
