// The clipping section's numbers: one exploding configuration trained twice, without and with
// global-norm clipping, exactly as `recur task adding … --clip 0,θ --eval-every 1 --backend js`
// does (float32 TypeScript kernels, the same seeds). Pure: the figure's worker calls it, and
// test/web/clipping-cli.test.ts compares it with the CLI's JSON.
import { ADDING_BASELINE, trainTask, type TaskOptions, type TaskResult } from '../../../../../src/analysis/tasks.js';
import { jsKernels, RecurError } from '../../../../../src/index.js';
import { integerIn } from '../../check.js';

/** The figure's settings: a tanh RNN on the adding problem, W_h orthogonal scaled to ρ, plain SGD. */
export interface ClipParams {
  [key: string]: number | string | boolean;
  radius: number;
  lr: number;
  clip: number;
  steps: number;
  budget: number;
  seed: number;
}

/** One run: every step's training loss, validation loss and ‖g‖ before and after clipping. */
export interface ClipRun {
  clip: number;
  step: number[];
  loss: number[];
  valLoss: number[];
  gradNorm: number[];
  gradNormClipped: number[];
  /** The step at which the loss or the gradient stopped being finite or exploded (train/guard), or null. */
  diverged: number | null;
  finalValLoss: number;
  bestValLoss: number;
}

export interface ClipResult { baseline: number; runs: [ClipRun, ClipRun] }

const HIDDEN = 32;
const BATCH = 32;
const VAL_SIZE = 32;

/** Check the settings a page (or a hand-edited URL) may send. */
export function checkClip(p: ClipParams): void {
  if (!(Number.isFinite(p.radius) && p.radius > 0 && p.radius <= 5)) throw new RecurError(`ρ: expected a number in (0, 5], got ${p.radius}`);
  if (!(Number.isFinite(p.lr) && p.lr > 0 && p.lr <= 1)) throw new RecurError(`learning rate: expected a number in (0, 1], got ${p.lr}`);
  if (!(Number.isFinite(p.clip) && p.clip > 0)) throw new RecurError(`θ: expected a number > 0, got ${p.clip}`);
  integerIn(p.steps, 'T', 2, 200);
  integerIn(p.budget, 'steps', 1, 1000);
  integerIn(p.seed, 'seed', 0);
}

/** The options `recur task adding` builds from the command line below (its defaults for the rest). */
export function clipTaskOptions(p: ClipParams, clip: number): TaskOptions {
  return {
    task: 'adding', cell: 'rnn', T: p.steps, hidden: HIDDEN, layers: 1, activation: 'tanh', whh: 'orthogonal', radius: p.radius,
    forgetBias: 0, batch: BATCH, lr: p.lr, optimizer: 'sgd', clip, budget: p.budget, evalEvery: 1, valSize: VAL_SIZE,
    seed: p.seed, stopWhenSolved: false,
  };
}

/** Select values arrive as strings: the settings as numbers. */
export function normClip(p: ClipParams): ClipParams {
  return { radius: Number(p.radius), lr: Number(p.lr), clip: Number(p.clip), steps: Number(p.steps), budget: Number(p.budget), seed: Number(p.seed) };
}

/** The same run without clipping (θ = 0) and with it (θ = p.clip). */
export function computeClip(settings: ClipParams): ClipResult {
  const p = normClip(settings);
  checkClip(p);
  const k = jsKernels('float32');
  const run = (clip: number): ClipRun => toRun(trainTask(clipTaskOptions(p, clip), k), clip);
  return { baseline: ADDING_BASELINE, runs: [run(0), run(p.clip)] };
}

function toRun(r: TaskResult, clip: number): ClipRun {
  const h = r.history; // one evaluation per step (--eval-every 1): each is that step's numbers
  return {
    clip, step: h.map((l) => l.step), loss: h.map((l) => l.loss), valLoss: h.map((l) => l.valLoss),
    gradNorm: h.map((l) => l.gradNorm), gradNormClipped: h.map((l) => l.gradNormClipped),
    diverged: r.diverged, finalValLoss: r.finalValLoss, bestValLoss: r.bestValLoss,
  };
}

/** The command line printing the same numbers (one JSON line per step and run, then each run's end). */
export function clipCommand(settings: ClipParams): string {
  const p = normClip(settings);
  return `recur task adding --cell rnn --whh orthogonal --radius ${p.radius} --steps ${p.steps} --hidden ${HIDDEN} --batch ${BATCH} ` +
    `--optimizer sgd --lr ${p.lr} --clip 0,${p.clip} --budget ${p.budget} --eval-every 1 --val-size ${VAL_SIZE} --keep-going --seed ${p.seed} --backend js --json`;
}
