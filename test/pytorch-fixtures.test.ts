// recur against PyTorch: every case in test/fixtures/stack/ (made by tools/fixtures/make_fixtures.py)
// runs through runStack, the function behind `recur run`, in float32 and in float64, and every
// output and gradient must match. Reference "torch.nn.*" cases were computed by the torch module in
// float32, e.g.
//   rnn = torch.nn.LSTM(I, H, num_layers=2, bidirectional=True)
//   packed = pack_padded_sequence(x, lengths, enforce_sorted=False)
//   y, (h_n, c_n) = rnn(packed, (h0, c0)); y = pad_packed_sequence(y, total_length=T)[0]
//   (y*dy).sum() + (h_n*dh_n).sum() + (c_n*dc_n).sum() → backward()
// "manual-float64" cases (reset-before GRU, identity RNN, residual cells: torch has none) come
// from an independent float64 step loop over each sequence on its own length.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { jsKernels } from '../src/kernels/js/index.js';
import { runStack } from '../src/models/stack-file.js';
import { compare, describeDiff, floats, loadFixture, ROOT } from './helpers.js';

interface Case { name: string; reference: string }
const cases = JSON.parse(readFileSync(`${ROOT}test/fixtures/stack/manifest.json`, 'utf8')) as Case[];

test('the fixture set covers every cell form', () => {
  const names = cases.map((c) => c.name).join(' ');
  for (const form of ['rnn-tanh', 'rnn-relu', 'rnn-identity', 'gru-after', 'gru-before', 'lstm', 'residual-x-', 'residual-xh']) {
    assert.match(names, new RegExp(form), `no fixture for ${form}`);
  }
  assert.ok(cases.length >= 16);
});

for (const dtype of ['float32', 'float64'] as const) {
  // float32: the bounds (1e-5 forward, 1e-4 backward). float64 is held to the float32
  // rounding of the expected values.
  const tol = dtype === 'float32' ? { forward: 1e-5, backward: 1e-4 } : { forward: 2e-6, backward: 2e-6 };
  for (const c of cases) {
    test(`${c.name} matches ${c.reference} (${dtype})`, () => {
      const dir = `test/fixtures/stack/${c.name}`;
      const expected = loadFixture(`${dir}/expected.safetensors`);
      const out = runStack({
        model: loadFixture(`${dir}/model.safetensors`),
        input: loadFixture(`${dir}/input.safetensors`),
        grad: loadFixture(`${dir}/grad.safetensors`),
      }, jsKernels(dtype));
      const names = out.map((t) => t.name).sort();
      assert.deepEqual(names, [...expected.tensors.keys()].sort(), 'output tensor names');
      for (const t of out) {
        const want = floats(expected, t.name);
        const got = Array.from(t.data as Float32Array);
        const d = compare(got, want);
        const bound = ['y', 'h_n', 'c_n'].includes(t.name) ? tol.forward : tol.backward;
        assert.ok(d.normwise <= bound, describeDiff(`${c.name} ${t.name}`, got, want, d));
      }
    });
  }
}
