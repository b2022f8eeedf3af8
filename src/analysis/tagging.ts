/**
 * @module analysis/tagging
 * The notes' case for the bidirectional RNN, as a task: tag each digit 1 when it is larger than the
 * NEXT digit (the last step: 0). The label depends on a later token, so a left-to-right network can
 * only guess from the digit itself (at best about 75%: 1 when d ≥ 5), while a bidirectional one
 * reads the next digit from its backward direction and can reach 100%. The same computation as
 * examples/bilstm-tagger.ts, for `recur task tagging` and the playground's deep-RNN section.
 */
import { SequenceData } from '../data/sequences.js';
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import { embedding, linear, recurrent } from '../nn/index.js';
import { sequential } from '../nn/model.js';
import { Rng } from '../tensor/rng.js';
import { fit } from '../train/fit.js';

/** The recurrent cells the tagger may use. */
export const TAGGING_CELLS = ['lstm', 'gru', 'rnn'] as const;

/** The tagging run's settings. */
export interface TaggingOptions {
  cell: (typeof TAGGING_CELLS)[number];
  hidden: number;
  epochs: number;
  /** Training sequences (the test set is fixed: 300). */
  train: number;
  seed: number;
  lr: number;
}

/** Test-set per-step accuracy after every epoch, for each direction. */
export interface TaggingResult {
  epochs: number[];                  // 1…E
  unidirectional: number[];          // (E) accuracy of the left-to-right network
  bidirectional: number[];           // (E) accuracy of the bidirectional network
  /** The accuracy of the best rule that sees only the current digit (1 when d ≥ 5) on the test set. */
  currentDigitOnly: number;
  /** The test set's share of steps tagged 1. */
  positives: number;
}

/** n sequences of 5–30 digits and their tags: 1 where the digit is larger than the next one. */
export function digitTagging(n: number, rng: Rng): { x: number[][]; y: number[][] } {
  const x: number[][] = [], y: number[][] = [];
  for (let i = 0; i < n; i++) {
    const s = Array.from({ length: 5 + rng.int(26) }, () => rng.int(10));
    x.push(s);
    y.push(s.map((d, t) => (t + 1 < s.length && d > s[t + 1]! ? 1 : 0)));
  }
  return { x, y };
}

/** Check the settings (from the CLI's flags or the page). */
export function checkTagging(o: TaggingOptions): void {
  if (!TAGGING_CELLS.includes(o.cell)) throw new RecurError(`cell: expected ${TAGGING_CELLS.join(', ')}, got ${String(o.cell)}`);
  const int = (v: number, name: string, lo: number, hi: number) => {
    if (!(Number.isInteger(v) && v >= lo && v <= hi)) throw new RecurError(`${name}: expected an integer in ${lo}…${hi}, got ${v}`);
  };
  int(o.hidden, 'hidden', 1, 256);
  int(o.epochs, 'epochs', 1, 50);
  int(o.train, 'train', 10, 5000);
  int(o.seed, 'seed', 0, 1e9);
  if (!(Number.isFinite(o.lr) && o.lr > 0 && o.lr <= 1)) throw new RecurError(`lr: expected a number in (0, 1], got ${o.lr}`);
}

/** Train a left-to-right and a bidirectional tagger (embedding 8 → cell → linear 2, Adam, clip 1)
 *  on the same data and measure both on the same test set after every epoch. */
export async function trainTaggers(o: TaggingOptions, k: Kernels): Promise<TaggingResult> {
  checkTagging(o);
  const rng = new Rng(o.seed);
  const trainSet = digitTagging(o.train, rng), testSet = digitTagging(300, rng);
  const test = new SequenceData(testSet.x, testSet.y, { tokens: true, batchSize: 100, shuffle: false });
  const accuracy: Record<'uni' | 'bi', number[]> = { uni: [], bi: [] };
  for (const bidirectional of [false, true]) {
    const model = sequential([
      embedding({ numEmbeddings: 10, embeddingDim: 8 }),
      recurrent({ cell: o.cell, hiddenSize: o.hidden, bidirectional }),
      linear({ outputSize: 2 }),                                   // per step: (T, B, 2)
    ], { kernels: k, seed: o.seed + 1 });
    const train = new SequenceData(trainSet.x, trainSet.y, { tokens: true, batchSize: 32, bucket: true, seed: o.seed + 1 });
    const history = await fit(model, train, { loss: 'crossEntropy', lr: o.lr, clip: 1, epochs: o.epochs, validation: test, metrics: ['accuracy'] });
    accuracy[bidirectional ? 'bi' : 'uni'] = history.epochs.map((e) => e.metrics.accuracy!);
  }
  // the best rule that sees the current digit only: tag 1 when d ≥ 5 (P(next < d) = d/10)
  let right = 0, steps = 0, ones = 0;
  testSet.x.forEach((s, i) => s.forEach((d, t) => {
    const y = testSet.y[i]![t]!;
    right += Number((d >= 5 ? 1 : 0) === y);
    ones += y;
    steps++;
  }));
  return {
    epochs: accuracy.uni.map((_, i) => i + 1), unidirectional: accuracy.uni, bidirectional: accuracy.bi,
    currentDigitOnly: right / steps, positives: ones / steps,
  };
}
