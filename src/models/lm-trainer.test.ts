// The trainer: it learns, it clips as the notes say, and a run stopped mid-epoch and resumed from
// its checkpoint file produces exactly the losses of an uninterrupted run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenize, Vocab } from '../data/text.js';
import { parseSafetensors, serializeSafetensors } from '../format/safetensors.js';
import { jsKernels } from '../kernels/js/index.js';
import { recurrentConfig } from '../layers/config.js';
import { Rng } from '../tensor/rng.js';
import { LanguageModel } from './language-model.js';
import { loadLm } from './lm-file.js';
import { DEFAULT_TRAIN, DivergedError, LmTrainer, type TrainOptions, type TrainState } from './lm-trainer.js';

const k = jsKernels('float32');
const TEXT = 'the time traveller for so it will be convenient to speak of him was expounding a recondite matter to us. '.repeat(6);

function setup(options: Partial<TrainOptions>, cell: 'lstm' | 'gru' = 'lstm') {
  const tokens = tokenize(TEXT, 'char', 'none');
  const vocab = Vocab.build(tokens, { kind: 'char', preprocess: 'none' });
  const ids = vocab.encode(tokens);
  const o: TrainOptions = { ...DEFAULT_TRAIN, batch: 4, steps: 8, epochs: 3, lr: 0.01, ...options };
  const rnn = recurrentConfig({ cell, inputSize: vocab.size, hiddenSize: 12, numLayers: 2, dropout: 0.2 });
  const model = new LanguageModel({ vocabSize: vocab.size, embeddingSize: null, rnn }, k, new Rng(o.seed));
  const trainer = new LmTrainer(model, vocab, k, ids.subarray(0, 500), ids.subarray(500), o);
  return { trainer, vocab, ids };
}

for (const sampling of ['sequential', 'random'] as const) {
  for (const optimizer of ['adam', 'sgd'] as const) {
    test(`resuming mid-epoch continues exactly (${sampling}, ${optimizer})`, async () => {
      const options = { sampling, optimizer, momentum: optimizer === 'sgd' ? 0.9 : 0, lr: optimizer === 'sgd' ? 0.5 : 0.01 };
      const full: number[] = [];
      await setup(options).trainer.run({ onStep: (r) => full.push(r.loss) });

      const first = setup(options);
      const part: number[] = [];
      let bytes: Uint8Array | undefined;
      const stopAt = Math.floor(full.length / 2) + 1; // not an epoch boundary
      await first.trainer.run({
        onStep: (r) => part.push(r.loss),
        shouldStop: () => part.length === stopAt,
        onCheckpoint: () => {
          const c = first.trainer.checkpoint();
          bytes = serializeSafetensors(c.tensors, c.metadata);
        },
      });
      assert.equal(part.length, stopAt);
      const ck = loadLm(parseSafetensors(bytes!, 'checkpoint'), 'checkpoint', k);
      const o = (ck.train as TrainState).options;
      const resumed = new LmTrainer(ck.model, ck.vocab, k, first.ids.subarray(0, 500), first.ids.subarray(500), o);
      resumed.resume(ck.train as TrainState, ck.extra, 'checkpoint');
      await resumed.run({ onStep: (r) => part.push(r.loss) });
      assert.equal(part.length, full.length);
      // float32 parameters go through the file unchanged, so the losses are identical
      assert.deepEqual(part, full);
    });
  }
}

test('training lowers the loss and the validation perplexity', async () => {
  const { trainer } = setup({ epochs: 6, lr: 0.02 });
  const epochs: { train: number; val: number | null }[] = [];
  await trainer.run({ onEpoch: (r) => epochs.push({ train: r.trainPerplexity, val: r.valPerplexity }) });
  assert.ok(epochs[5]!.train < epochs[0]!.train * 0.6, JSON.stringify(epochs));
  assert.ok(epochs[5]!.val! < epochs[0]!.val!, JSON.stringify(epochs));
});

test('clipping: the reported norm is before clipping, and the step is taken with ‖g‖ ≤ θ', async () => {
  const { trainer } = setup({ clip: 1e-3, epochs: 1 });
  const reports: { gradNorm: number; gradNormClipped: number }[] = [];
  await trainer.run({ onStep: (r) => reports.push(r) });
  for (const r of reports) {
    assert.ok(r.gradNorm > 1e-3);
    assert.equal(r.gradNormClipped, 1e-3);
  }
});

/** The parameters before and after the first step of a run with plain SGD (no momentum, no decay),
 *  so that θ₁ − θ₀ = −η·g exactly as the step used it. */
async function firstStep(options: Partial<TrainOptions>) {
  const { trainer } = setup({ optimizer: 'sgd', momentum: 0, weightDecay: 0, lr: 0.5, epochs: 1, ...options });
  const before = Float64Array.from(trainer.model.params.data);
  const reports: { gradNorm: number; lr: number }[] = [];
  await trainer.run({ onStep: (r) => reports.push(r), shouldStop: () => true });
  assert.equal(reports.length, 1);
  const delta = Float64Array.from(trainer.model.params.data, (v, i) => (v - before[i]!) / reports[0]!.lr);
  return { delta, norm: Math.hypot(...delta), gradNorm: reports[0]!.gradNorm, lr: reports[0]!.lr };
}

test('clipping acts on the step: ‖θ₁ − θ₀‖ / η equals min(‖g‖, θ) for SGD', async () => {
  const clipped = await firstStep({ clip: 1e-3 });
  assert.equal(clipped.lr, 0.5);
  assert.ok(clipped.gradNorm > 0.01, `the gradient (${clipped.gradNorm}) must be well above the threshold for this test`);
  // float32 parameters: the step is recovered to about 1e-7 / 1e-3 relative
  assert.ok(Math.abs(clipped.norm - 1e-3) < 2e-5, `the step has norm ${clipped.norm}·η, expected the threshold 1e-3·η`);
  const free = await firstStep({ clip: 0 });
  assert.ok(Math.abs(free.norm - free.gradNorm) < 1e-3 * free.gradNorm, `unclipped: ${free.norm} vs ‖g‖ ${free.gradNorm}`);
  // the same gradient, so the clipped step points the same way: Δθ_clip = (θ / ‖g‖)·Δθ_free
  const s = 1e-3 / free.gradNorm;
  let worst = 0;
  for (let i = 0; i < free.delta.length; i++) worst = Math.max(worst, Math.abs(clipped.delta[i]! - s * free.delta[i]!));
  assert.ok(worst < 1e-5, `the clipped step is not the scaled free step (worst ${worst})`);
  const loose = await firstStep({ clip: 1e6 });
  assert.ok(Math.abs(loose.norm - loose.gradNorm) < 1e-3 * loose.gradNorm, 'a threshold above ‖g‖ changes nothing');
});

test('clipping by value acts on the step: every |Δθ_i| / η ≤ v, and the largest reach v', async () => {
  const v = 1e-4;
  const { delta } = await firstStep({ clip: 0, clipValue: v });
  let atLimit = 0;
  for (const d of delta) {
    assert.ok(Math.abs(d) <= v * (1 + 1e-3) + 1e-7, `a step of ${d}·η exceeds the value threshold ${v}`);
    if (Math.abs(Math.abs(d) - v) < 2e-6) atLimit++;
  }
  assert.ok(atLimit > delta.length / 10, `only ${atLimit} of ${delta.length} elements at the threshold`);
});

test('a non-finite loss stops the run, naming the step', async () => {
  const { trainer } = setup({});
  trainer.model.params.get('rnn.weight_hh_l1').data[3] = Number.NaN;
  await assert.rejects(trainer.run(), /training diverged at step 1 \(epoch 1\): the loss is not finite/);
});

test('a finite loss far above the uniform guess (10 ln V) stops the run as diverged', async () => {
  const { trainer, vocab } = setup({});
  // a head bias of 1e4 on one class: every other target costs about 1e4 nats, finite but exploded
  trainer.model.params.get('head.bias').data[0] = 1e4;
  await assert.rejects(trainer.run(), (e: Error) => {
    assert.ok(e instanceof DivergedError, String(e));
    assert.equal(e.step, 1);
    assert.match(e.reason, new RegExp(`above ${(10 * Math.log(vocab.size)).toPrecision(4)}`));
    return true;
  });
});

test('an interval checkpoint waits for the next healthy step: a diverging run never saves the diverged model', async () => {
  const { trainer } = setup({});
  const bias = trainer.model.params.get('head.bias').data;
  const saved: { step: number; bias0: number }[] = [];
  await assert.rejects(trainer.run({
    checkpointEvery: 1,
    // the update of step 3 "explodes"; step 4's loss finds it
    onStep: (r) => { if (r.step === 3) bias[0] = 1e4; },
    onCheckpoint: () => saved.push({ step: trainer.state.step, bias0: bias[0]! }),
  }), /training diverged at step 4/);
  assert.deepEqual(saved.map((c) => c.step), [1, 2]);
  assert.ok(saved.every((c) => Math.abs(c.bias0) < 10), JSON.stringify(saved));
});

test('with --on-nan skip, bad steps are skipped and counted; an epoch with more than half skipped fails', async () => {
  const { trainer } = setup({ onNonFinite: 'skip', epochs: 1 });
  trainer.model.params.get('head.weight').data[0] = Number.NaN;
  let skipped = 0;
  await assert.rejects(trainer.run({ onStep: (r) => { if (r.skipped) skipped++; } }),
    new RegExp(`${trainer.batchesPerEpoch} of the epoch's ${trainer.batchesPerEpoch} steps were skipped`));
  assert.equal(skipped, trainer.batchesPerEpoch);
  assert.equal(trainer.state.skipped, trainer.batchesPerEpoch);
});
