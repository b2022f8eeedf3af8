// Composed models against central finite differences in float64: every parameter and the input,
// through embedding, every recurrent output form, reducers over valid steps, linear activations and
// each loss, with per-row lengths (padded steps must neither count nor receive gradient).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsKernels } from '../kernels/js/index.js';
import { Rng } from '../tensor/rng.js';
import { finiteDifferenceError } from '../../test/helpers.js';
import { lossFunction, type LossName } from '../train/losses.js';
import type { LayerConfig } from './config.js';
import { embedding, linear, recurrent, reduce } from './factories.js';
import { sequential } from './model.js';
import type { Tensor, Tokens } from './types.js';

const k = jsKernels('float64');
const T = 5, B = 3;
const lengths = Int32Array.from([5, 2, 4]);

interface Case { name: string; layers: LayerConfig[]; inputSize?: number; input: 'tokens' | 'floats'; loss: LossName; perStep: boolean; outputs: number }

const cases: Case[] = [
  { name: 'embedding → bidirectional 2-layer LSTM → mean → tanh linear → linear, cross-entropy', input: 'tokens', loss: 'crossEntropy', perStep: false, outputs: 3,
    layers: [embedding({ numEmbeddings: 6, embeddingDim: 4 }), recurrent({ cell: 'lstm', hiddenSize: 3, numLayers: 2, bidirectional: true }),
             reduce('mean'), linear({ outputSize: 4, activation: 'tanh' }), linear({ outputSize: 3 })] },
  { name: 'floats → bidirectional GRU (final states) → sigmoid linear, mse', input: 'floats', inputSize: 3, loss: 'mse', perStep: false, outputs: 2,
    layers: [recurrent({ cell: 'gru', hiddenSize: 4, bidirectional: true, output: 'final', resetAfter: true }), linear({ outputSize: 2, activation: 'sigmoid' })] },
  { name: 'floats → bidirectional RNN → per-step linear, cross-entropy per step', input: 'floats', inputSize: 3, loss: 'crossEntropy', perStep: true, outputs: 4,
    layers: [recurrent({ cell: 'rnn', hiddenSize: 4, bidirectional: true }), linear({ outputSize: 4 })] },
  { name: 'tokens (one-hot) → residual xh → max → relu linear → linear, bce with logits', input: 'tokens', loss: 'bceWithLogits', perStep: false, outputs: 2,
    layers: [recurrent({ cell: 'residual', residual: 'xh', inputSize: 6, hiddenSize: 3 }), reduce('max'), linear({ outputSize: 5, activation: 'relu' }), linear({ outputSize: 2 })] },
  { name: 'floats → 2-layer GRU (reset before) → last valid step → linear, mse', input: 'floats', inputSize: 2, loss: 'mse', perStep: false, outputs: 1,
    layers: [recurrent({ cell: 'gru', hiddenSize: 3, numLayers: 2 }), reduce('last'), linear({ outputSize: 1 })] },
];

for (const c of cases) {
  test(`finite differences: ${c.name}`, () => {
    const model = sequential(c.layers, { kernels: k, seed: 3, ...(c.inputSize ? { inputSize: c.inputSize } : {}) }).eval();
    const rng = new Rng(11);
    const x: Tensor | Tokens = c.input === 'tokens'
      ? { tokens: Int32Array.from({ length: T * B }, () => rng.int(6)), shape: [T, B], lengths }
      : { data: Float64Array.from({ length: T * B * c.inputSize! }, () => rng.normal()), shape: [T, B, c.inputSize!], lengths };
    const rows = c.perStep ? T * B : B;
    const y = c.loss === 'crossEntropy' ? Int32Array.from({ length: rows }, () => rng.int(c.outputs))
      : Float64Array.from({ length: rows * c.outputs }, () => (c.loss === 'bceWithLogits' ? rng.int(2) : rng.normal()));
    const loss = lossFunction(c.loss);
    const lossOnly = () => loss(k, model.forward(x), y, undefined).loss;

    model.zeroGrad();
    const out = model.forward(x);
    const dOut = new Float64Array(out.data.length);
    loss(k, out, y, dOut);
    const dx = model.backward(dOut);
    const p = finiteDifferenceError(model.params.data, model.params.grad, lossOnly);
    assert.ok(p.error < 1e-6, `parameter ${p.index}: relative error ${p.error}`);
    if (c.input === 'floats') {
      const xd = (x as Tensor).data as Float64Array;
      const dxCopy = Float64Array.from(dx!);
      const e = finiteDifferenceError(xd, dxCopy, lossOnly);
      assert.ok(e.error < 1e-6, `input ${e.index}: relative error ${e.error}`);
      // padded steps are constants: no gradient reaches them
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
        if (t < lengths[b]!) continue;
        for (let f = 0; f < c.inputSize!; f++) assert.equal(dxCopy[(t * B + b) * c.inputSize! + f], 0, `dx at padded step t=${t} b=${b}`);
      }
    }
  });
}
