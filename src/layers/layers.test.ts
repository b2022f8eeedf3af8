// Linear, embedding and the losses: float64 finite differences, PyTorch's reduction semantics, and
// a task that must actually be learned (an LSTM language model memorising a sentence).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finiteDifferenceError } from '../../test/helpers.js';
import { RecurError } from '../errors.js';
import { jsKernels } from '../kernels/js/index.js';
import { Rng } from '../tensor/rng.js';
import { recurrentConfig } from './config.js';
import { checkIndices, embeddingBackward, embeddingForward, embeddingSpecs, initEmbedding } from './embedding.js';
import { initLinear, linearBackward, linearForward, linearSpecs } from './linear.js';
import { crossEntropy, mse } from './loss.js';
import { ParamSet } from './params.js';
import { initRecurrent, recurrentParamSpecs, RecurrentStack } from './recurrent.js';

const k = jsKernels('float64');
const randn = (rng: Rng, n: number) => Float64Array.from({ length: n }, () => rng.normal());

test('linear: gradients of weight, bias and input match finite differences', () => {
  const R = 5, I = 3, O = 4;
  const rng = new Rng(1);
  const params = new ParamSet(k, linearSpecs('head.', I, O));
  initLinear(params, 'head.', I, rng);
  const w = params.get('head.weight'), b = params.get('head.bias');
  const x = randn(rng, R * I), dy = randn(rng, R * O), y = new Float64Array(R * O), dx = new Float64Array(R * I);
  const loss = () => { linearForward(k, y, x, w.data, b.data, R, I, O); return y.reduce((s, v, i) => s + v * dy[i]!, 0); };
  loss();
  linearBackward(k, dx, w.grad, b.grad, dy, x, w.data, R, I, O);
  for (const [values, grad] of [[w.data, w.grad], [b.data, b.grad], [x, dx]] as const) {
    assert.ok(finiteDifferenceError(values, grad, loss).error < 1e-7);
  }
});

test('embedding: lookup, accumulated gradient for repeated tokens, index errors', () => {
  const V = 4, E = 3;
  const params = new ParamSet(k, embeddingSpecs('embedding.', V, E));
  initEmbedding(params, 'embedding.', new Rng(2));
  const w = params.get('embedding.weight');
  const idx = Int32Array.from([2, 0, 2]);
  const out = new Float64Array(3 * E);
  embeddingForward(out, idx, w.data, 3, E);
  assert.deepEqual(Array.from(out.subarray(0, E)), Array.from(w.data.subarray(2 * E, 3 * E)));
  const dout = randn(new Rng(3), 3 * E);
  embeddingBackward(w.grad, dout, idx, 3, E);
  for (let j = 0; j < E; j++) assert.equal(w.grad[2 * E + j], dout[j]! + dout[2 * E + j]!);
  assert.throws(() => checkIndices(Int32Array.from([1, 4]), V, 'tokens'), (e: Error) =>
    e instanceof RecurError && /expected token indices in 0..3, got 4 at position 1/.test(e.message));
});

test('cross-entropy: gradient, mean over counted targets only, sum, ignore index', () => {
  const R = 6, V = 5;
  const rng = new Rng(4);
  const logits = randn(rng, R * V);
  const targets = Int32Array.from([1, 4, -100, 0, 2, -100]);
  for (const reduction of ['mean', 'sum'] as const) {
    const d = new Float64Array(R * V);
    const value = crossEntropy(k, logits, targets, d, R, V, { reduction });
    assert.equal(value.count, 4);
    const f = () => crossEntropy(k, logits, targets, undefined, R, V, { reduction }).loss;
    assert.ok(finiteDifferenceError(logits, d, f).error < 1e-7);
    // ignored rows get no gradient
    for (let v = 0; v < V; v++) assert.equal(d[2 * V + v], 0);
  }
  // mean = sum / count, as torch.nn.functional.cross_entropy(reduction='mean', ignore_index=-100)
  const sum = crossEntropy(k, logits, targets, undefined, R, V, { reduction: 'sum' }).loss;
  const mean = crossEntropy(k, logits, targets, undefined, R, V).loss;
  assert.ok(Math.abs(mean - sum / 4) < 1e-12);
  // uniform logits give log V per term
  assert.ok(Math.abs(crossEntropy(k, new Float64Array(V), Int32Array.from([3]), undefined, 1, V).loss - Math.log(V)) < 1e-12);
  // huge logits stay finite (log-sum-exp with the max subtracted)
  const big = Float64Array.from([1000, -1000, 0]);
  assert.ok(Math.abs(crossEntropy(k, big, Int32Array.from([0]), undefined, 1, 3).loss) < 1e-12);
  assert.throws(() => crossEntropy(k, logits, Int32Array.from([0, 0, 0, 0, 0, 5]), undefined, R, V), /got 5 at position 5/);
});

test('mse: value and gradient', () => {
  const pred = Float64Array.from([1, 2, 3]), target = [0, 2, 5];
  const d = new Float64Array(3);
  assert.ok(Math.abs(mse(pred, target, d, 3).loss - 5 / 3) < 1e-15);
  assert.ok(finiteDifferenceError(pred, d, () => mse(pred, target, undefined, 3).loss).error < 1e-8);
  assert.equal(mse(pred, target, undefined, 3, 'sum').loss, 5);
});

test('learning: an LSTM with a linear head memorises a sentence by BPTT and SGD', () => {
  const text = 'the time traveller smiled. ';
  const chars = [...new Set(text)].sort();
  const V = chars.length, H = 24, T = text.length - 1;
  const ids = Int32Array.from([...text].map((c) => chars.indexOf(c)));
  const k32 = jsKernels('float32');
  const rng = new Rng(5);
  const config = recurrentConfig({ cell: 'lstm', inputSize: V, hiddenSize: H });
  // one flat buffer for the whole model: the stack's tensors under "rnn.", the head's under "head."
  const params = new ParamSet(k32, [...recurrentParamSpecs(config, 'rnn.'), ...linearSpecs('head.', H, V)]);
  initRecurrent(params, config, rng, 'rnn.');
  initLinear(params, 'head.', H, rng);
  const stack = new RecurrentStack(config, k32, rng, params, 'rnn.');
  const x = k32.alloc(T * V);
  for (let t = 0; t < T; t++) x[t * V + ids[t]!] = 1; // one-hot, B = 1
  const targets = ids.subarray(1);
  const logits = k32.alloc(T * V), dLogits = k32.alloc(T * V), dy = k32.alloc(T * H);
  const w = params.get('head.weight'), b = params.get('head.bias');
  let loss = Infinity;
  for (let step = 0; step < 300 && loss > 0.05; step++) {
    params.zeroGrad();
    const out = stack.forward(x, T, 1);
    linearForward(k32, logits, out.y, w.data, b.data, T, H, V);
    loss = crossEntropy(k32, logits, targets, dLogits, T, V).loss;
    dy.fill(0);
    linearBackward(k32, dy, w.grad, b.grad, dLogits, out.y, w.data, T, H, V);
    stack.backward(dy);
    for (let i = 0; i < params.data.length; i++) params.data[i]! -= 1.0 * params.grad[i]!;
  }
  assert.ok(loss < 0.05, `loss after training ${loss}`);
});
