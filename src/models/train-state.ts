/**
 * @module models/train-state
 * The training state a checkpoint carries in `recur.train`, checked field by field before a run
 * resumes from it: a file edited by hand, cut short or written by another version gives one line
 * naming the field, what was expected and what came, never a TypeError deep in the trainer.
 */
import { RecurError } from '../errors.js';
import type { Sampling } from '../data/batches.js';
import { OPTIMIZERS, type OptimizerKind } from '../train/optim.js';
import type { ScheduleKind } from '../train/schedule.js';

/** The hyper-parameters of a language-model run (saved in its checkpoint). */
export interface TrainOptions {
  batch: number;          // B rows per minibatch
  steps: number;          // T, the truncation length
  sampling: Sampling;     // 'sequential' carries state across minibatches; 'random' resets it
  optimizer: OptimizerKind;
  lr: number;
  momentum: number;       // sgd
  weightDecay: number | undefined; // undefined: the optimizer's default
  clip: number;           // global-norm threshold θ; 0 = off
  clipValue: number;      // element threshold; 0 = off
  schedule: ScheduleKind;
  warmup: number;         // steps
  minLr: number;          // cosine floor
  gamma: number;          // step decay factor
  stepEvery: number;      // step decay period (steps)
  epochs: number;
  patience: number;       // early stopping: epochs without a better validation perplexity; 0 = off
  onNonFinite: 'stop' | 'skip';
  seed: number;
}

/** Where a run is: saved in `recur.train` so that `--resume` continues exactly. */
export interface TrainState {
  step: number;
  epoch: number;
  batch: number;               // minibatches done in this epoch
  dataRng: number[];           // the data Rng at the start of this epoch (offset, shuffle)
  modelRng: number[];          // the model's Rng (dropout) now
  epochLoss: number;           // Σ loss·count over this epoch so far
  epochTokens: number;
  bestVal: number | null;      // best validation perplexity so far
  bestEpoch: number | null;    // the epoch that reached it (whose model best.safetensors holds)
  badEpochs: number;           // epochs since it improved
  epochSkipped: number;        // steps skipped (--on-nan skip) in this epoch so far
  skipped: number;             // steps skipped in the whole run
  options: TrainOptions;
}

type Check = (v: unknown) => boolean;
const int = (min: number): Check => (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const nonNegative: Check = (v) => num(v) && (v as number) >= 0;
const oneOf = (...xs: readonly string[]): Check => (v) => typeof v === 'string' && xs.includes(v);
const orNull = (c: Check): Check => (v) => v === null || c(v);
// an Rng state: four 32-bit words, then the spare normal (null in JSON when there is none)
const rngState: Check = (v) => Array.isArray(v) && (v.length === 4 || v.length === 5) &&
  v.slice(0, 4).every((w) => int(0)(w) && (w as number) < 2 ** 32) && (v.length === 4 || orNull(num)(v[4]));

const OPTION_FIELDS: Record<keyof TrainOptions, [Check, string]> = {
  batch: [int(1), 'an integer ≥ 1'], steps: [int(1), 'an integer ≥ 1'], sampling: [oneOf('sequential', 'random'), 'sequential or random'],
  optimizer: [oneOf(...OPTIMIZERS), OPTIMIZERS.join(', ')], lr: [(v) => num(v) && (v as number) > 0, 'a number > 0'],
  momentum: [nonNegative, 'a number ≥ 0'], weightDecay: [(v) => v === undefined || nonNegative(v), 'a number ≥ 0 or absent'],
  clip: [nonNegative, 'a number ≥ 0'], clipValue: [nonNegative, 'a number ≥ 0'],
  schedule: [oneOf('constant', 'cosine', 'step'), 'constant, cosine or step'], warmup: [int(0), 'an integer ≥ 0'],
  minLr: [nonNegative, 'a number ≥ 0'], gamma: [nonNegative, 'a number ≥ 0'], stepEvery: [int(1), 'an integer ≥ 1'],
  epochs: [int(1), 'an integer ≥ 1'], patience: [int(0), 'an integer ≥ 0'], onNonFinite: [oneOf('stop', 'skip'), 'stop or skip'],
  seed: [int(0), 'an integer ≥ 0'],
};

// fields a checkpoint of an earlier version may lack, with the value that means "unknown"
const STATE_FIELDS: Record<Exclude<keyof TrainState, 'options'>, [Check, string, unknown?]> = {
  step: [int(0), 'an integer ≥ 0'], epoch: [int(0), 'an integer ≥ 0'], batch: [int(0), 'an integer ≥ 0'],
  dataRng: [rngState, 'an Rng state (4 32-bit words)'], modelRng: [rngState, 'an Rng state (4 32-bit words)'],
  epochLoss: [nonNegative, 'a number ≥ 0'], epochTokens: [int(0), 'an integer ≥ 0'],
  bestVal: [orNull(nonNegative), 'a number or null'], bestEpoch: [orNull(int(1)), 'an integer ≥ 1 or null', null],
  badEpochs: [int(0), 'an integer ≥ 0'], epochSkipped: [int(0), 'an integer ≥ 0', 0], skipped: [int(0), 'an integer ≥ 0', 0],
};

/** `recur.train` as parsed from JSON, checked: every field present with its type and range. */
export function parseTrainState(json: unknown, what: string): TrainState {
  const bad = (field: string, expected: string, v: unknown): RecurError =>
    new RecurError(`${what}: "recur.train" ${field}: expected ${expected}, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('', 'an object', json);
  const o = json as Record<string, unknown>;
  const state: Record<string, unknown> = {};
  for (const [field, [check, expected, missing]] of Object.entries(STATE_FIELDS)) {
    const v = o[field] === undefined && missing !== undefined ? missing : o[field];
    if (!check(v)) throw bad(field, expected, o[field]);
    state[field] = v;
  }
  const opts = o.options;
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw bad('options', 'an object', opts);
  const options: Record<string, unknown> = {};
  for (const [field, [check, expected]] of Object.entries(OPTION_FIELDS)) {
    const v = (opts as Record<string, unknown>)[field];
    if (!check(v)) throw bad(`options.${field}`, expected, v);
    options[field] = v;
  }
  state.options = options;
  return state as unknown as TrainState;
}
