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
import { test } from 'node:test';
import { jsKernels } from '../src/kernels/js/index.js';
import { checkStackFixture, stackFixtures } from './helpers.js';

const cases = stackFixtures();

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
  const bounds = dtype === 'float32' ? { forward: 1e-5, backward: 1e-4 } : { forward: 2e-6, backward: 2e-6 };
  for (const c of cases) {
    test(`${c.name} matches ${c.reference} (${dtype})`, () => checkStackFixture(c, jsKernels(dtype), bounds));
  }
}
