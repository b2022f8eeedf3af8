/**
 * @module models/bench-trainers
 * The language-model workload of `recur bench` through the two ways a user trains it: LmTrainer
 * (the built-in language model) and `fit` on the same model composed from layers (one-hot input →
 * recurrent stack → per-step linear head, cross-entropy). Both run the one training loop; this
 * measures what `fit`'s generality costs (`recur bench --mode lm-trainer | fit`).
 *
 * Random tokens over V = 64, B = 32, T = 35, d2l's random sampling, Adam (lr 0.001) with clipping 1.
 * Tokens/s counts B·T per step, over the steps after a warm-up.
 */
import { batchesPerEpoch, epochBatches } from '../data/batches.js';
import { Vocab } from '../data/text.js';
import type { Batch } from '../data/sequences.js';
import type { Kernels } from '../kernels/types.js';
import { recurrentConfig } from '../layers/config.js';
import { linear, recurrent } from '../nn/factories.js';
import { sequential } from '../nn/model.js';
import type { Tokens } from '../nn/types.js';
import { Rng } from '../tensor/rng.js';
import { fit } from '../train/fit.js';
import type { BenchCell } from './bench-workload.js';
import { LanguageModel } from './language-model.js';
import { DEFAULT_TRAIN, LmTrainer } from './lm-trainer.js';

/** Which way to train. */
export type TrainerKind = 'lm-trainer' | 'fit';

/** What a measurement reports. */
export interface TrainerRate {
  tokensPerSecond: number; seconds: number; steps: number;
  /** Tokens per CPU-second of the process (every thread), when `cpu` was given: less sensitive to a busy machine. */
  tokensPerCpuSecond: number | undefined;
}

const V = 64, B = 32, T = 35;

/** Train for warmup + `seconds` seconds and report the rate after the warm-up. */
export async function measureTrainer(kind: TrainerKind, o: { cell: BenchCell; hidden: number; seconds: number; warmupSeconds: number; seed: number },
                                     k: Kernels, cpu?: () => number): Promise<TrainerRate> {
  const rng = new Rng(o.seed);
  const corpus = Int32Array.from({ length: B * T * 400 + T + 1 }, () => rng.int(V));
  const clock = { start: 0, end: 0, steps: 0, begun: Date.now(), cpuStart: 0, cpuEnd: 0 };
  const controller = new AbortController();
  // after the warm-up, count steps until the window is over
  const onStep = (): void => {
    const now = Date.now();
    if (clock.start === 0) {
      if (now - clock.begun >= o.warmupSeconds * 1000) { clock.start = now; clock.cpuStart = cpu?.() ?? 0; }
      return;
    }
    clock.steps++;
    clock.end = now;
    clock.cpuEnd = cpu?.() ?? 0;
    if (now - clock.start >= o.seconds * 1000) controller.abort();
  };
  const rnn = { cell: o.cell, inputSize: V, hiddenSize: o.hidden } as const;
  if (kind === 'lm-trainer') {
    const vocab = new Vocab({ kind: 'char', tokens: Array.from({ length: V }, (_, i) => String.fromCharCode(0x100 + i)), unk: null, preprocess: 'none' });
    const model = new LanguageModel({ vocabSize: V, embeddingSize: null, rnn: recurrentConfig(rnn) }, k, new Rng(o.seed));
    const trainer = new LmTrainer(model, vocab, k, corpus, undefined,
                                  { ...DEFAULT_TRAIN, batch: B, steps: T, sampling: 'random', lr: 0.001, clip: 1, epochs: 1000, seed: o.seed });
    await trainer.run({ onStep, shouldStop: () => controller.signal.aborted });
  } else {
    const model = sequential([recurrent(rnn), linear({ outputSize: V })], { kernels: k, seed: o.seed });
    const dataRng = new Rng(o.seed);
    const data = {
      batchCount: batchesPerEpoch(corpus.length, B, T, 'random'), // not counted by drawing from dataRng
      batches: (): Iterable<Batch<Tokens>> => (function* () {
        for (const mb of epochBatches(corpus, B, T, 'random', dataRng)) yield { x: { tokens: mb.inputs, shape: [T, B] }, y: mb.targets, size: B };
      })(),
    };
    await fit(model, data, { loss: 'crossEntropy', optimizer: 'adam', lr: 0.001, clip: 1, epochs: 1000, onStep, signal: controller.signal });
  }
  const seconds = (clock.end - clock.start) / 1000;
  const tokens = clock.steps * B * T;
  return { tokensPerSecond: tokens / Math.max(seconds, 1e-9), seconds, steps: clock.steps,
           tokensPerCpuSecond: cpu ? tokens / Math.max(clock.cpuEnd - clock.cpuStart, 1e-9) : undefined };
}
