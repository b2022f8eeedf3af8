// fit / evaluate / predict with real models: learning that must happen, losses and metrics against
// hand computation, padding never counted, batch-first equal to time-major.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SequenceData } from '../data/sequences.js';
import { jsKernels } from '../kernels/js/index.js';
import { dropout, embedding, linear, recurrent, reduce } from '../nn/factories.js';
import { sequential } from '../nn/model.js';
import { Rng } from '../tensor/rng.js';
import { evaluate, fit, predict } from './fit.js';
import { lossFunction } from './losses.js';
import { createMetric } from './metrics.js';

const k32 = jsKernels('float32');
const k64 = jsKernels('float64');

/** Sequences of ±1 steps, 3–12 long; class 1 when the sum is positive. */
function signs(n: number, rng: Rng) {
  const x: number[][] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = Array.from({ length: 3 + rng.int(10) }, () => (rng.uniform() < 0.5 ? -1 : 1) * (0.5 + rng.uniform()));
    x.push(s);
    y.push(s.reduce((a, b) => a + b) > 0 ? 1 : 0);
  }
  return { x, y };
}

test('fit learns a variable-length classification task that an untrained model cannot do', async () => {
  const rng = new Rng(4);
  const tr = signs(400, rng), te = signs(200, rng);
  const model = sequential([recurrent({ cell: 'gru', hiddenSize: 8, output: 'final' }), linear({ outputSize: 2 })], { inputSize: 1, kernels: k32, seed: 2 });
  const test = new SequenceData(te.x, te.y, { shuffle: false, batchSize: 50 });
  const before = evaluate(model, test, { metrics: ['accuracy'], loss: 'crossEntropy' });
  const epochs: number[] = [];
  const h = await fit(model, new SequenceData(tr.x, tr.y, { batchSize: 16, seed: 1 }),
                      { loss: 'crossEntropy', lr: 0.02, epochs: 15, validation: test, metrics: ['accuracy'], onEpoch: (e) => epochs.push(e.valLoss!) });
  const after = evaluate(model, test, { metrics: ['accuracy'], loss: 'crossEntropy' });
  assert.ok(before.accuracy! < 0.75, `untrained accuracy ${before.accuracy}`);
  assert.ok(after.accuracy! >= 0.95, `trained accuracy ${after.accuracy}`);
  assert.ok(after.loss! < before.loss! / 4, `loss ${before.loss} → ${after.loss}`);
  // the parameters kept are the best validation epoch's
  assert.ok(Math.abs(after.loss! - Math.min(...epochs)) < 1e-6, `kept loss ${after.loss} vs best epoch ${Math.min(...epochs)}`);
  assert.equal(h.epochs[h.bestEpoch - 1]!.valLoss, Math.min(...epochs));
  assert.ok(h.epochs.every((e) => e.metrics.accuracy !== undefined));
  assert.equal(model.training, false, 'fit leaves the model in evaluation mode');
});

test('losses against hand computation; padded steps count for nothing', () => {
  // per-step outputs (T=2, B=2, W=2), row 1 has length 1: its step-1 outputs must not count
  const out = { data: Float64Array.from([0.5, -1, 2, 0, 1, 1, 7, -7]), shape: [2, 2, 2], lengths: Int32Array.from([2, 1]) };
  const classes = Int32Array.from([0, 1, 1, 0]);
  const ce = (z: number[], y: number) => Math.log(Math.exp(z[0]!) + Math.exp(z[1]!)) - z[y]!;
  const expectedCe = (ce([0.5, -1], 0) + ce([2, 0], 1) + ce([1, 1], 1)) / 3;
  const dOut = new Float64Array(8);
  const v = lossFunction('crossEntropy')(k64, out, classes, dOut);
  assert.ok(Math.abs(v.loss - expectedCe) < 1e-12, `${v.loss} vs ${expectedCe}`);
  assert.equal(v.count, 3);
  assert.deepEqual(Array.from(dOut.subarray(6)), [0, 0], 'no gradient at the padded step');
  const values = Float64Array.from([1, 1, 1, 1, 1, 1, 100, 100]);
  const mse = lossFunction('mse')(k64, out, values, undefined);
  const sq = [0.5, -1, 2, 0, 1, 1].reduce((s, z) => s + (z - 1) ** 2, 0) / 6;
  assert.ok(Math.abs(mse.loss - sq) < 1e-12);
  const bce = lossFunction('bceWithLogits')(k64, { data: Float64Array.from([2, -3]), shape: [2, 1] }, Float64Array.from([1, 1]), undefined);
  const expectedBce = (Math.log(1 + Math.exp(-2)) + Math.log(1 + Math.exp(3))) / 2;
  assert.ok(Math.abs(bce.loss - expectedBce) < 1e-12);
  // metrics skip padding too
  const acc = createMetric('accuracy');
  acc.add(k64, out, classes);
  assert.equal(acc.value(), 1 / 3); // argmaxes 0, 0, 0 (a tie takes the first) against 0, 1, 1
  const ppl = createMetric('perplexity');
  ppl.add(k64, out, classes);
  assert.ok(Math.abs(ppl.value() - Math.exp(expectedCe)) < 1e-9);
  const rmse = createMetric('rmse'), mae = createMetric('mae');
  rmse.add(k64, out, values);
  mae.add(k64, out, values);
  assert.ok(Math.abs(rmse.value() - Math.sqrt(sq)) < 1e-12);
  assert.ok(Math.abs(mae.value() - [0.5, -1, 2, 0, 1, 1].reduce((s, z) => s + Math.abs(z - 1), 0) / 6) < 1e-12);
  // one logit per row and 0/1 targets: class 1 when the logit is > 0
  const binary = createMetric('accuracy');
  binary.add(k64, { data: Float64Array.from([0.3, -2, 1]), shape: [3, 1] }, Float64Array.from([1, 1, 0]));
  assert.equal(binary.value(), 1 / 3);
});

test('batch-first in and out equals time-major, forward and backward', () => {
  const model = sequential([recurrent({ cell: 'lstm', hiddenSize: 3, bidirectional: true }), linear({ outputSize: 2 })], { inputSize: 2, kernels: k64, seed: 1 });
  const T = 4, B = 3, I = 2;
  const rng = new Rng(1);
  const x = Float64Array.from({ length: T * B * I }, () => rng.normal());
  const lengths = Int32Array.from([4, 2, 3]);
  const xBT = new Float64Array(x.length);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let i = 0; i < I; i++) xBT[(b * T + t) * I + i] = x[(t * B + b) * I + i]!;
  const dy = Float64Array.from({ length: T * B * 2 }, () => rng.normal());
  const dyBT = new Float64Array(dy.length);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let o = 0; o < 2; o++) dyBT[(b * T + t) * 2 + o] = dy[(t * B + b) * 2 + o]!;

  model.zeroGrad();
  const y = Float64Array.from(model.forward({ data: x, shape: [T, B, I], lengths }).data);
  const dx = Float64Array.from(model.backward(dy)!);
  const grads = Float64Array.from(model.params.grad);
  model.zeroGrad();
  const yBT = model.forward({ data: xBT, shape: [B, T, I], lengths }, { batchFirst: true });
  assert.deepEqual(yBT.shape, [B, T, 2]);
  const dxBT = model.backward(dyBT)!;
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
    for (let o = 0; o < 2; o++) assert.equal(yBT.data[(b * T + t) * 2 + o], y[(t * B + b) * 2 + o]);
    for (let i = 0; i < I; i++) assert.equal(dxBT[(b * T + t) * I + i], dx[(t * B + b) * I + i]);
  }
  assert.deepEqual(Array.from(model.params.grad), Array.from(grads));
});

test('dropout: in training each value is 0 or x/(1−p); in evaluation the identity; predict copies', () => {
  const model = sequential([dropout(0.25)], { inputSize: 1, kernels: k64, seed: 3 });
  const x = { data: new Float64Array(4000).fill(2), shape: [4000, 1] };
  const y = model.forward(x).data;
  let zeros = 0;
  for (const v of y) { if (v === 0) zeros++; else assert.ok(Math.abs(v - 2 / 0.75) < 1e-12, `kept value ${v}`); }
  assert.ok(Math.abs(zeros / 4000 - 0.25) < 0.03, `dropped ${zeros / 4000}`);
  const dy = new Float64Array(4000).fill(1);
  const dx = model.backward(dy)!;
  for (let i = 0; i < 4000; i++) assert.equal(dx[i], y[i]! / 2, 'dx = dy ⊙ mask');
  const p = predict(model, x);
  assert.deepEqual(Array.from(p.data), Array.from(x.data), 'evaluation: identity');
  assert.equal(model.training, true, 'predict restores the mode');
  // reducers over valid steps: mean of the first n_b steps only
  const mean = sequential([reduce('mean')], { inputSize: 1, kernels: k64 });
  const r = predict(mean, { data: Float64Array.from([1, 10, 3, 100]), shape: [2, 2, 1], lengths: Int32Array.from([2, 1]) });
  assert.deepEqual(Array.from(r.data), [2, 10]);
});


test('fit and evaluate on batch-first batches train exactly as on time-major ones (per-step targets, padding ignored)', async () => {
  const rng = new Rng(8);
  const seqs = Array.from({ length: 24 }, () => Array.from({ length: 2 + rng.int(6) }, () => rng.int(5)));
  const tags = seqs.map((s) => s.map((v) => (v > 2 ? 1 : 0)));
  // padded steps get class 0 (not −100): only the lengths can tell the losses to skip them
  const timeMajor = new SequenceData(seqs, tags, { tokens: true, batchSize: 8, shuffle: false }).batches()
    .map((b) => ({ ...b, y: (b.y as Int32Array).map((v) => (v === -100 ? 0 : v)) }));
  // the same batches, batch-first: tokens (B,T), targets (B,T)
  const batchFirst = timeMajor.map((b) => {
    const x = b.x as { tokens: Int32Array; shape: readonly [number, number]; lengths: Int32Array };
    const [T, B] = x.shape;
    const tokens = new Int32Array(T * B), y = new Int32Array(T * B);
    for (let t = 0; t < T; t++) for (let r = 0; r < B; r++) { tokens[r * T + t] = x.tokens[t * B + r]!; y[r * T + t] = b.y[t * B + r]!; }
    return { x: { tokens, shape: [B, T] as [number, number], lengths: x.lengths }, y, size: b.size };
  });
  const make = () => sequential([embedding({ numEmbeddings: 5, embeddingDim: 4 }), recurrent({ cell: 'gru', hiddenSize: 6, bidirectional: true }),
                                 linear({ outputSize: 2 })], { kernels: k64, seed: 3 });
  const a = make(), b = make();
  await fit(a, timeMajor, { loss: 'crossEntropy', lr: 0.05, epochs: 3 });
  await fit(b, batchFirst, { loss: 'crossEntropy', lr: 0.05, epochs: 3, batchFirst: true });
  const close = Array.from(a.params.data).every((v, i) => Math.abs(v - b.params.data[i]!) < 1e-12);
  assert.ok(close, 'the same parameters');
  const ea = evaluate(a, timeMajor, { loss: 'crossEntropy', metrics: ['accuracy'] });
  const eb = evaluate(b, batchFirst, { loss: 'crossEntropy', metrics: ['accuracy'], batchFirst: true });
  assert.ok(Math.abs(ea.loss! - eb.loss!) < 1e-12 && ea.accuracy === eb.accuracy, `${JSON.stringify(ea)} vs ${JSON.stringify(eb)}`);
});
