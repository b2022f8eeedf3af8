// The training loop replayed step by step outside the trainer: from the parameters before each step,
// an independent forward and backward on the minibatch the loop should see (sequential: the state
// carried from the previous minibatch and reset at each epoch; random: a zero state) must give the
// loss the trainer reported, and plain SGD must then move the parameters by exactly
// −lr(step) · min(1, θ/‖g‖) · g, with lr(step) the warm-up and cosine schedule written out here.
// Then early stopping against the rule applied by hand to the validation perplexities of a run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { epochBatches, type Sampling } from '../data/batches.js';
import { tokenize, Vocab } from '../data/text.js';
import { jsKernels } from '../kernels/js/index.js';
import { recurrentConfig } from '../layers/config.js';
import { Rng } from '../tensor/rng.js';
import { LanguageModel, type LmState } from './language-model.js';
import { DEFAULT_TRAIN, LmTrainer, type TrainOptions } from './lm-trainer.js';

const k = jsKernels('float32');
const TEXT = 'the time traveller for so it will be convenient to speak of him was expounding a recondite matter to us. '.repeat(6);
const tokens = tokenize(TEXT, 'char', 'none');
const vocab = Vocab.build(tokens, { kind: 'char', preprocess: 'none' });
const ids = vocab.encode(tokens);

function model(cell: 'lstm' | 'gru', seed: number, hiddenSize = 10, numLayers = 2): LanguageModel {
  const rnn = recurrentConfig({ cell, inputSize: vocab.size, hiddenSize, numLayers });
  return new LanguageModel({ vocabSize: vocab.size, embeddingSize: null, rnn }, k, new Rng(seed));
}

/** lr at step s (0-based): linear warm-up over `warmup` steps, then cosine from lr to minLr over the rest. */
function scheduled(o: TrainOptions, s: number, total: number): number {
  if (s < o.warmup) return (o.lr * (s + 1)) / o.warmup;
  const ratio = Math.min(1, (s - o.warmup) / (total - o.warmup));
  return o.minLr + 0.5 * (o.lr - o.minLr) * (1 + Math.cos(Math.PI * ratio));
}

for (const sampling of ['sequential', 'random'] as const satisfies readonly Sampling[]) {
  test(`the loop, replayed (${sampling}): the minibatches, the carried state, the schedule, the clipped SGD step`, async () => {
    const B = 3, T = 5, n = 200;
    const train = ids.subarray(0, n);
    const o: TrainOptions = { ...DEFAULT_TRAIN, batch: B, steps: T, sampling, epochs: 2, optimizer: 'sgd', momentum: 0, weightDecay: 0,
                              lr: 0.5, schedule: 'cosine', warmup: 3, minLr: 0.05, clip: 0.8, seed: 4 };
    const m = model('lstm', 1);
    const trainer = new LmTrainer(m, vocab, k, train, undefined, o);
    const before: Float32Array[] = [Float32Array.from(m.params.data)];
    const reports: { loss: number; lr: number; epoch: number; batch: number }[] = [];
    await trainer.run({ onStep: (r) => { reports.push(r); before.push(Float32Array.from(m.params.data)); } });

    // the minibatches of each epoch from the data Rng seeded with o.seed; d2l's counts by hand
    const rng = new Rng(o.seed);
    const epochs = [[...epochBatches(train, B, T, sampling, rng)], [...epochBatches(train, B, T, sampling, rng)]];
    const perEpoch = sampling === 'sequential' ? Math.floor(Math.floor((n - T - 1) / B) / T) : Math.floor(Math.floor((n - T) / T) / B);
    assert.equal(reports.length, epochs[0]!.length + epochs[1]!.length);
    const total = o.epochs * perEpoch;

    const ref = model('lstm', 99); // its own initial values are overwritten below
    const state: LmState = ref.zeroState(B);
    let s = 0;
    for (const [e, batches] of epochs.entries()) {
      state.h.fill(0); state.c?.fill(0);                          // every epoch starts from zero
      for (const mb of batches) {
        const r = reports[s]!;
        assert.equal(r.epoch, e + 1);
        ref.params.data.set(before[s]!);
        ref.params.zeroGrad();
        const value = ref.loss(mb.inputs, mb.targets, T, B, { state: sampling === 'sequential' ? state : undefined, training: true });
        assert.ok(Math.abs(value.loss - r.loss) <= 1e-6 * r.loss, `step ${s + 1}: the trainer's loss ${r.loss}, replayed ${value.loss}`);
        ref.backward();
        if (sampling === 'sequential') {                          // the final state starts the next minibatch
          const f = ref.finalState();
          state.h.set(f.h);
          if (state.c && f.c) state.c.set(f.c);
        }
        const lr = scheduled(o, s, total);
        assert.ok(Math.abs(r.lr - lr) <= 1e-12, `step ${s + 1}: lr ${r.lr}, the schedule says ${lr}`);
        const g = ref.params.grad;
        let sq = 0;
        for (let i = 0; i < g.length; i++) sq += g[i]! * g[i]!;
        const norm = Math.sqrt(sq);
        const scale = lr * Math.min(1, o.clip / norm);
        let worst = 0;
        for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(before[s + 1]![i]! - (before[s]![i]! - scale * g[i]!)));
        assert.ok(worst < 2e-6, `step ${s + 1}: the parameters moved by something else than −lr·clip(g) (worst ${worst})`);
        s++;
      }
    }
  });
}

/** The epoch at which early stopping ends a run: the first with `patience` epochs in a row since the best. */
function stopEpoch(val: number[], patience: number): number | null {
  let best = Infinity, bad = 0;
  for (const [i, v] of val.entries()) {
    if (v < best) { best = v; bad = 0; } else if (++bad >= patience) return i + 1;
  }
  return null;
}

test('early stopping: the run ends at the epoch the rule gives, counting epochs since the best', async () => {
  const o: TrainOptions = { ...DEFAULT_TRAIN, batch: 4, steps: 8, epochs: 10, lr: 0.1, seed: 0 };
  const run = async (patience: number) => {
    const t = new LmTrainer(model('gru', 0, 12, 1), vocab, k, ids.subarray(0, 500), ids.subarray(500, 560), { ...o, patience });
    const val: number[] = [];
    const outcome = await t.run({ onEpoch: (r) => val.push(r.valPerplexity!) });
    return { outcome, val };
  };
  const free = await run(0);
  assert.equal(free.outcome, 'done');
  assert.equal(free.val.length, 10);
  // the premise: the perplexities go up and come down again, so the count since the best must restart
  const worseThenBetter = free.val.some((v, i) => i >= 2 && v < Math.min(...free.val.slice(0, i)) && free.val[i - 1]! >= Math.min(...free.val.slice(0, i - 1)));
  assert.ok(worseThenBetter, `validation perplexities ${free.val.join(', ')} never recover after a worse epoch`);
  let stopped = 0;
  for (const patience of [1, 2, 3]) {
    const expected = stopEpoch(free.val, patience);
    const r = await run(patience);
    assert.deepEqual(r.val, free.val.slice(0, r.val.length), 'patience does not change the training');
    assert.equal(r.outcome, expected === null ? 'done' : 'early', `patience ${patience}, perplexities ${free.val.join(', ')}`);
    assert.equal(r.val.length, expected ?? 10, `patience ${patience}: stopped after epoch ${r.val.length}, the rule says ${expected}`);
    if (expected !== null) stopped++;
  }
  assert.ok(stopped >= 2, 'the perplexities should stop at least two of the runs early');
});
