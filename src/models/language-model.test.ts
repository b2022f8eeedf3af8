// The language model end to end: its gradient (embedding or one-hot → stack → head → cross-entropy)
// by finite differences in float64, and generation's one-step path against the sequence path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finiteDifferenceError } from '../../test/helpers.js';
import { jsKernels } from '../kernels/js/index.js';
import { recurrentConfig } from '../layers/config.js';
import { Rng } from '../tensor/rng.js';
import { LanguageModel } from './language-model.js';

const k = jsKernels('float64');
const V = 7, T = 4, B = 2;
const tokens = (rng: Rng, n: number) => Int32Array.from({ length: n }, () => rng.int(V));

for (const embeddingSize of [null, 3]) {
  for (const cell of ['lstm', 'gru'] as const) {
    test(`language model gradient: ${cell}, ${embeddingSize === null ? 'one-hot' : 'embedding'}`, () => {
      const rng = new Rng(3);
      const rnn = recurrentConfig({ cell, inputSize: embeddingSize ?? V, hiddenSize: 4, numLayers: 2 });
      const lm = new LanguageModel({ vocabSize: V, embeddingSize, rnn }, k, rng);
      const inputs = tokens(rng, T * B), targets = tokens(rng, T * B);
      const state = lm.zeroState(B);
      for (let i = 0; i < state.h.length; i++) state.h[i] = rng.normal() * 0.5;
      const loss = () => lm.loss(inputs, targets, T, B, { state }).loss;
      loss();
      lm.params.zeroGrad();
      lm.backward();
      const grad = Float64Array.from(lm.params.grad);
      const { error, index } = finiteDifferenceError(lm.params.data, grad, loss);
      assert.ok(error < 1e-6, `max relative error ${error} at ${lm.params.list.find((p) => index >= p.offset && index < p.offset + p.size)?.name}`);
    });
  }
}

test('generation steps give the same logits as the whole-sequence forward', () => {
  const rng = new Rng(4);
  const rnn = recurrentConfig({ cell: 'lstm', inputSize: V, hiddenSize: 5, numLayers: 2 });
  const lm = new LanguageModel({ vocabSize: V, embeddingSize: null, rnn }, k, rng);
  const inputs = tokens(rng, T); // B = 1
  lm.loss(inputs, inputs, T, 1, { reduction: 'sum' });
  // logits of the whole sequence, from the loss workspace, re-derived step by step:
  const state = lm.zeroState(1);
  let total = 0;
  for (let t = 0; t < T; t++) {
    const logits = lm.step(inputs.subarray(t, t + 1), state);
    let max = -Infinity;
    for (const v of logits) max = Math.max(max, v);
    let z = 0;
    for (const v of logits) z += Math.exp(v - max);
    total += max + Math.log(z) - logits[inputs[t]!]!;
  }
  const whole = lm.loss(inputs, inputs, T, 1, { reduction: 'sum' }).loss;
  assert.ok(Math.abs(total - whole) < 1e-12, `${total} vs ${whole}`);
});

test('a bidirectional model refuses to generate', () => {
  const rnn = recurrentConfig({ cell: 'gru', inputSize: V, hiddenSize: 3, bidirectional: true });
  const lm = new LanguageModel({ vocabSize: V, embeddingSize: null, rnn }, k, new Rng(1));
  assert.throws(() => lm.step(Int32Array.from([1]), lm.zeroState(1)), /bidirectional model .* cannot generate/);
});
