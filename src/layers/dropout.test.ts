// Dropout between layers, checked through a second layer that passes its input through unchanged
// (an "identity" RNN with W_ih = I, W_hh = 0, no bias): what the second layer outputs in training
// is exactly the first layer's output times the mask. Each unit must be either dropped (0) or kept
// and scaled by 1/(1 − p), so that its expected value equals the evaluation output; without dropout
// or outside training the output is unchanged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsKernels } from '../kernels/js/index.js';
import { Rng } from '../tensor/rng.js';
import { recurrentConfig } from './config.js';
import { RecurrentStack } from './recurrent.js';

const k = jsKernels('float64');
const T = 40, B = 5, H = 8, I = 3;

function passThroughStack(dropout: number): RecurrentStack {
  const config = recurrentConfig({ cell: 'rnn', nonlinearity: 'identity', inputSize: I, hiddenSize: H, numLayers: 2, bias: false, dropout });
  const stack = new RecurrentStack(config, k, new Rng(5));
  const w = stack.params.get('weight_ih_l1').data; // (H, H)
  w.fill(0);
  for (let j = 0; j < H; j++) w[j * H + j] = 1;
  stack.params.get('weight_hh_l1').data.fill(0);
  // a contractive first layer, so that its outputs stay O(1) over 40 steps
  const whh = stack.params.get('weight_hh_l0').data;
  for (let i = 0; i < whh.length; i++) whh[i]! *= 0.5;
  return stack;
}

const x = Float64Array.from({ length: T * B * I }, (_, i) => Math.sin(1 + i * 0.37));

test('inter-layer dropout: every unit is 0 or scaled by 1/(1 − p), about p of them 0, the mean unchanged', () => {
  for (const p of [0.2, 0.5]) {
    const stack = passThroughStack(p);
    const clean = Float64Array.from(stack.forward(x, T, B).y);     // evaluation: no dropout
    const sum = new Float64Array(clean.length);
    const runs = 200;
    let zeros = 0, kept = 0;
    for (let r = 0; r < runs; r++) {
      const y = stack.forward(x, T, B, { training: true }).y;
      for (let i = 0; i < y.length; i++) {
        sum[i]! += y[i]!;
        if (Math.abs(clean[i]!) < 1e-6) continue;
        const ratio = y[i]! / clean[i]!;
        if (ratio === 0) zeros++;
        else {
          assert.ok(Math.abs(ratio - 1 / (1 - p)) < 1e-12, `p = ${p}: a kept unit is scaled by ${ratio}, expected 1/(1 − p) = ${1 / (1 - p)}`);
          kept++;
        }
      }
    }
    const dropped = zeros / (zeros + kept);
    assert.ok(Math.abs(dropped - p) < 0.01, `p = ${p}: ${dropped} of the units dropped`);
    // E[y ⊙ m] = y: averaged over the runs, the training output approaches the evaluation output
    let err = 0, scale = 0;
    for (let i = 0; i < clean.length; i++) { err = Math.max(err, Math.abs(sum[i]! / runs - clean[i]!)); scale = Math.max(scale, Math.abs(clean[i]!)); }
    assert.ok(err < 0.35 * scale, `p = ${p}: the mean over ${runs} runs is ${err} away from the evaluation output (scale ${scale})`);
  }
});

test('inter-layer dropout: none in evaluation, none with p = 0, and the top layer is never dropped', () => {
  const stack = passThroughStack(0.5);
  const a = Float64Array.from(stack.forward(x, T, B).y);
  const b = Float64Array.from(stack.forward(x, T, B, { training: false }).y);
  assert.deepEqual(b, a);
  const none = passThroughStack(0);
  assert.deepEqual(Float64Array.from(none.forward(x, T, B, { training: true }).y), a);
  // one layer: nothing between layers, so training changes nothing
  const single = new RecurrentStack(recurrentConfig({ cell: 'gru', inputSize: I, hiddenSize: H, dropout: 0.5 }), k, new Rng(2));
  const e = Float64Array.from(single.forward(x, T, B).y);
  assert.deepEqual(Float64Array.from(single.forward(x, T, B, { training: true }).y), e);
});
