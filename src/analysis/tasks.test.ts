// The long-range tasks: their data, their baselines, and that an LSTM learns the adding problem.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsKernels } from '../kernels/js/index.js';
import { Rng } from '../tensor/rng.js';
import {
  ADDING_BASELINE, addingBatch, COPY_INPUTS, COPY_LENGTH, copyBaseline, copyBatch, trainTask, type TaskOptions,
} from './tasks.js';

test('adding problem: two markers, one in each half; predicting 1 gives MSE ≈ 0.167 (10k samples)', () => {
  const T = 37, B = 10000;
  const { x, target } = addingBatch(new Rng(1), T, B);
  let se = 0;
  for (let b = 0; b < B; b++) {
    const marked: number[] = [];
    let sum = 0;
    for (let t = 0; t < T; t++) {
      const v = x[(t * B + b) * 2]!, m = x[(t * B + b) * 2 + 1]!;
      assert.ok(v >= 0 && v < 1);
      assert.ok(m === 0 || m === 1);
      if (m === 1) { marked.push(t); sum += v; }
    }
    assert.equal(marked.length, 2);
    assert.ok(marked[0]! < Math.floor(T / 2) && marked[1]! >= Math.floor(T / 2), `markers at ${marked}`);
    assert.equal(target[b], sum);
    se += (1 - target[b]!) ** 2;
  }
  const mse = se / B;
  assert.ok(Math.abs(mse - ADDING_BASELINE) < 0.006, `predict-1 MSE ${mse}`);
  assert.ok(Math.abs(ADDING_BASELINE - 0.1667) < 1e-4);
  assert.throws(() => addingBatch(new Rng(0), 1, 1), /T ≥ 2/);
});

test('copy memory: 10 symbols, delimiter after T − 1 blanks, targets the symbols at the last 10 steps; baseline 10 ln 8/(T+20)', () => {
  const T = 15, B = 50;
  const { x, targets, steps } = copyBatch(new Rng(2), T, B);
  assert.equal(steps, T + 20);
  for (let b = 0; b < B; b++) {
    const inputs: number[] = [];
    for (let t = 0; t < steps; t++) {
      const row = Array.from({ length: COPY_INPUTS }, (_, i) => x[(t * B + b) * COPY_INPUTS + i]!);
      assert.equal(row.reduce((a, v) => a + v, 0), 1, 'one-hot');
      inputs.push(row.indexOf(1));
    }
    const symbols = inputs.slice(0, COPY_LENGTH);
    assert.ok(symbols.every((s) => s >= 1 && s <= 8));
    assert.deepEqual(inputs.slice(COPY_LENGTH), [...Array(T - 1).fill(0), 9, ...Array(COPY_LENGTH).fill(0)]);
    const want = [...Array(T + COPY_LENGTH).fill(0), ...symbols];
    assert.deepEqual(Array.from({ length: steps }, (_, t) => targets[t * B + b]), want);
  }
  assert.ok(Math.abs(copyBaseline(100) - (10 * Math.log(8)) / 120) < 1e-15);
  assert.ok(Math.abs(copyBaseline(100) - 0.1733) < 1e-4);
});

const adding = (over: Partial<TaskOptions>): TaskOptions => ({
  task: 'adding', cell: 'lstm', T: 10, hidden: 16, layers: 1, batch: 32, lr: 0.01, optimizer: 'adam', clip: 1,
  budget: 600, evalEvery: 50, valSize: 256, seed: 0, stopWhenSolved: true, ...over,
});

test('an LSTM learns the adding problem at T = 10 (MSE < 0.01) within 600 seeded steps', () => {
  const logs: number[] = [];
  const r = trainTask(adding({}), jsKernels('float64'), (log) => logs.push(log.valLoss));
  assert.ok(r.solved, `not solved: validation MSE ${logs.map((v) => v.toFixed(4)).join(', ')}`);
  assert.ok(r.solvedAt !== null && r.solvedAt <= 600);
  assert.ok(r.finalValLoss < 0.01);
  assert.equal(r.diverged, null);
  assert.equal(r.curves.loss.length, r.steps);
  // it starts near the baseline: learning, not luck
  assert.ok(logs[0]! > 0.1, `first validation MSE ${logs[0]}`);
  const h = r.history.at(-1)!;
  assert.ok(Object.keys(h.paramGradNorms).includes('rnn.weight_hh_l0') && Object.keys(h.paramGradNorms).includes('head.weight'));
  assert.ok(h.gradNormClipped <= 1 + 1e-12);
});

test('a run whose loss overflows reports the step it diverged at, no exception', () => {
  // identity RNN, W_hh with spectral radius 3: h_t ~ 3^t, so at T = 800 the forward pass overflows
  const r = trainTask(adding({ cell: 'rnn', activation: 'identity', radius: 3, T: 800, hidden: 4, batch: 2, budget: 5, valSize: 4 }), jsKernels('float64'));
  assert.equal(r.diverged, 1);
  assert.equal(r.solved, false);
});

test('clipping acts on the update: with θ = 1e-9 and SGD at lr 1, the validation loss stays put', () => {
  // each step moves the parameters by lr·‖g_clipped‖ ≤ 1e-9 in norm, so the fixed validation set
  // scores the same to ~1e-8; unclipped, the same steps change it visibly
  const run = (clip: number) => trainTask(adding({ optimizer: 'sgd', lr: 1, clip, budget: 4, evalEvery: 1, valSize: 64, stopWhenSolved: false }), jsKernels('float64'));
  const clipped = run(1e-9).history.map((h) => h.valLoss);
  const free = run(0).history.map((h) => h.valLoss);
  const spread = (v: number[]) => Math.max(...v) - Math.min(...v);
  assert.ok(spread(clipped) < 1e-7 * clipped[0]!, `clipped: validation losses ${clipped}`);
  assert.ok(spread(free) > 1e-3 * free[0]!, `unclipped: validation losses ${free}`);
});
