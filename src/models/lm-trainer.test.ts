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
