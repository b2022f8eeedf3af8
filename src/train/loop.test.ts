// The one training loop against hand-computed runs: a linear "model" whose loss is Σθ (gradient 1
// everywhere), so every parameter after n SGD steps is known in closed form; clipping, schedules,
// early stopping with the best epoch restored, skipping, aborting and exact resumption.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsKernels } from '../kernels/js/index.js';
import { ParamSet } from '../layers/params.js';
import { initialLoopState, trainLoop, type LoopOptions, type StepLog, type TrainTask } from './loop.js';
import { Optimizer, optimizerConfig } from './optim.js';

const k = jsKernels('float64');

/** Loss Σθ·scale over N parameters: ∂loss/∂θ_i = scale, so ‖g‖ = |scale|·√N. */
function task(N: number, opts: { batches?: number; scale?: (step: number) => number; val?: number[] } = {}): TrainTask<number> & { calls: number } {
  const params = new ParamSet(k, [{ name: 'w', shape: [N] }]);
  params.data.fill(1);
  let step = 0;
  let epochs = 0;
  const t = {
    params, kernels: k, batchesPerEpoch: opts.batches ?? 4, calls: 0,
    batches: () => Array.from({ length: opts.batches ?? 4 }, (_, i) => i),
    lossAndGrad() {
      t.calls++;
      const s = opts.scale ? opts.scale(step++) : 1;
      let loss = 0;
      for (let i = 0; i < N; i++) { loss += s * params.data[i]!; params.grad[i]! += s; }
      return { loss, count: 1 };
    },
    ...(opts.val ? { validate: () => opts.val![epochs++] } : {}),
  };
  return t;
}

test('SGD steps: θ ← θ − lr·g, with global-norm clipping applied when ‖g‖ > θ_clip', async () => {
  // N = 4, g = 1 everywhere: ‖g‖ = 2. clip 0.5 → each step moves every θ_i by lr·0.5/2
  const t = task(4);
  const logs: StepLog[] = [];
  await trainLoop(t, { optimizer: 'sgd', lr: 0.1, clip: 0.5, epochs: 1, onStep: (l) => logs.push(l) });
  for (const v of t.params.data) assert.ok(Math.abs(v - (1 - 4 * 0.1 * 0.25)) < 1e-12, `θ = ${v}, expected ${1 - 0.1}`);
  assert.deepEqual(logs.map((l) => l.gradNorm), [2, 2, 2, 2]);
  assert.deepEqual(logs.map((l) => l.gradNormClipped), [0.5, 0.5, 0.5, 0.5]);
  // no clipping below the threshold
  const u = task(4);
  await trainLoop(u, { optimizer: 'sgd', lr: 0.1, clip: 3, epochs: 1 });
  for (const v of u.params.data) assert.ok(Math.abs(v - (1 - 4 * 0.1)) < 1e-12);
  // value clipping: each g_i clipped to 0.25
  const c = task(4);
  await trainLoop(c, { optimizer: 'sgd', lr: 0.1, clipValue: 0.25, epochs: 1 });
  for (const v of c.params.data) assert.ok(Math.abs(v - (1 - 4 * 0.1 * 0.25)) < 1e-12);
});

test('the learning-rate schedule is applied step by step (cosine from 0.1 to 0.01 over 8 steps, warm-up 2)', async () => {
  const t = task(1);
  const lrs: number[] = [];
  await trainLoop(t, { optimizer: 'sgd', lr: 0.1, schedule: 'cosine', minLr: 0.01, warmup: 2, epochs: 2, onStep: (l) => lrs.push(l.lr) });
  const expected = [0.05, 0.1, ...[0, 1, 2, 3, 4, 5].map((i) => 0.01 + 0.045 * (1 + Math.cos(Math.PI * i / 6)))];
  lrs.forEach((lr, i) => assert.ok(Math.abs(lr - expected[i]!) < 1e-12, `step ${i}: ${lr} vs ${expected[i]}`));
  const total = expected.reduce((a, b) => a + b);
  assert.ok(Math.abs(t.params.data[0]! - (1 - total)) < 1e-12, 'θ moved by Σ lr');
});

test('early stopping: patience counts epochs without a better score; the best epoch\'s parameters are restored', async () => {
  const t = task(2, { val: [3, 2, 2.5, 4, 1] });
  const h = await trainLoop(t, { optimizer: 'sgd', lr: 0.01, epochs: 5, patience: 2 });
  assert.equal(h.stopped, 'early');
  assert.equal(h.epochs.length, 4);
  assert.equal(h.bestEpoch, 2);
  // after epoch 2: 8 steps of 0.01
  for (const v of t.params.data) assert.ok(Math.abs(v - (1 - 8 * 0.01)) < 1e-12, `restored θ ${v}`);
  // restoreBest: false keeps the last epoch's
  const u = task(2, { val: [3, 2, 2.5, 4, 1] });
  await trainLoop(u, { optimizer: 'sgd', lr: 0.01, epochs: 5, patience: 2, restoreBest: false });
  for (const v of u.params.data) assert.ok(Math.abs(v - (1 - 16 * 0.01)) < 1e-12);
  // without patience every epoch runs, and the best (epoch 5) is kept
  const w = task(2, { val: [3, 2, 2.5, 4, 1] });
  const hw = await trainLoop(w, { optimizer: 'sgd', lr: 0.01, epochs: 5 });
  assert.equal(hw.stopped, 'done');
  assert.equal(hw.bestEpoch, 5);
});

test('non-finite steps: stop names the step; skip drops and counts them; an epoch mostly skipped is an error', async () => {
  const bad = (s: number) => (s % 4 === 1 ? NaN : 1);
  await assert.rejects(trainLoop(task(2, { scale: bad }), { epochs: 1 }), /training diverged at step 2 \(epoch 1\): the loss is not finite/);
  const t = task(2, { scale: bad });
  const h = await trainLoop(t, { optimizer: 'sgd', lr: 0.1, epochs: 2, onNonFinite: 'skip' });
  assert.equal(h.skipped, 2);
  assert.deepEqual(h.epochs.map((e) => e.skipped), [1, 1]);
  for (const v of t.params.data) assert.ok(Math.abs(v - (1 - 6 * 0.1)) < 1e-12, 'only the 6 good steps moved θ');
  await assert.rejects(trainLoop(task(2, { scale: (s) => (s % 4 === 0 ? 1 : NaN) }), { epochs: 1, onNonFinite: 'skip' }),
                       /training diverged at step 4 \(epoch 1\): 3 of the epoch's 4 steps were skipped/);
  // a loss above the task's limit has exploded even though it is finite
  const limited = { ...task(2), lossLimit: 1.5 };
  await assert.rejects(trainLoop(limited, { epochs: 1 }), /at step 1 \(epoch 1\): the loss 2\.000 is above 1\.500/);
});

test('an aborted run stops after the current step; a resumed one continues exactly', async () => {
  const controller = new AbortController();
  const t = task(3);
  const h = await trainLoop(t, { optimizer: 'sgd', lr: 0.1, epochs: 3, onStep: (l) => { if (l.step === 3) controller.abort(); }, signal: controller.signal });
  assert.equal(h.stopped, 'aborted');
  assert.equal(h.steps, 3);
  assert.equal(t.calls, 3);

  // Adam, 3 epochs of 4 steps with a varying gradient, in one go or stopped at step 6 and resumed
  const scale = (s: number) => Math.sin(s + 1);
  const options: LoopOptions = { optimizer: 'adam', lr: 0.05, epochs: 3, schedule: 'cosine' };
  const whole = task(3, { scale });
  await trainLoop(whole, options);
  const part = task(3, { scale });
  const state = initialLoopState();
  const optimizer = new Optimizer(optimizerConfig('adam'), k, 3);
  let stopAt = 6;
  const first = await trainLoop(part, options, { state, optimizer, shouldStop: () => state.step === stopAt });
  assert.equal(first.stopped, 'aborted');
  assert.deepEqual([state.epoch, state.batch], [1, 2]);
  stopAt = -1;
  await trainLoop(part, options, { state, optimizer });
  assert.deepEqual(Array.from(part.params.data), Array.from(whole.params.data));
  assert.equal(part.calls, 12);
});

test('bad options are one-line errors', async () => {
  for (const [o, re] of [[{ epochs: 0 }, /epochs: expected a positive integer, got 0/], [{ lr: -1 }, /lr: expected a number > 0, got -1/],
                         [{ clip: NaN }, /clip: expected a number ≥ 0/], [{ patience: 1.5 }, /patience: expected an integer ≥ 0/]] as const) {
    await assert.rejects(trainLoop(task(1), o as LoopOptions), re);
  }
});
