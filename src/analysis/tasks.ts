/**
 * @module analysis/tasks
 * The classic long-range benchmarks, generated on the fly, and a small trainer that says whether and
 * when a cell solves them.
 *
 * Adding problem (Hochreiter & Schmidhuber 1997; the form of Le, Jaitly & Hinton 2015): T steps of
 * two inputs, a value U(0,1) and a marker that is 1 at exactly two steps, one in each half of the
 * sequence; the target is the sum of the two marked values. Predicting 1 always gives
 * MSE = Var(u₁ + u₂) = 1/6 ≈ 0.167; "solved" is MSE < 0.01. The model reads h_{T−1}.
 *
 * Copy memory (Arjovsky, Shah & Bengio 2016): 10 symbols from {1…8}, T−1 blanks (0), a delimiter
 * (9), 10 blanks; at the last 10 of the T+20 steps the model must output the 10 symbols, blanks
 * elsewhere. Outputting blanks and then uniform guesses gives cross-entropy 10·ln 8 / (T + 20) per
 * step; "solved" is a loss below 10% of that or ≥ 99% of the copied symbols right. The model reads
 * every h_t.
 *
 * Model: recurrent stack + linear head, MSE or cross-entropy, Adam (or another torch.optim
 * optimizer), optional global-norm clipping. Fresh random batches every step; a fixed validation
 * set decides "solved". With `flowEvery`, the gradient flow of analysis/gradient-flow is measured on
 * the model being trained (step 0, every flowEvery steps, the end), as `recur task --flow-every`.
 */
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import { linearBackward, linearForward, linearSpecs, initLinear } from '../layers/linear.js';
import { crossEntropy, mse } from '../layers/loss.js';
import { ParamSet } from '../layers/params.js';
import { initRecurrent, RecurrentStack, recurrentParamSpecs } from '../layers/recurrent.js';
import type { RecurrentConfig } from '../layers/config.js';
import { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import { globalNorm } from '../train/clip.js';
import { checkStep, crossEntropyLimit, DivergedError, squaredErrorLimit } from '../train/guard.js';
import { trainLoopSync, type TrainTask } from '../train/loop.js';
import type { OptimizerKind } from '../train/optim.js';
import { gradientNorms } from './gradient-flow.js';
import { parameterNorms } from './param-norms.js';
import { cellConfig, describeCell, initRecurrentWeights, type CellName, type WhhInit } from './random-model.js';

export type TaskName = 'adding' | 'copy';
export const TASKS: readonly TaskName[] = ['adding', 'copy'];

/** Predicting 1 for every adding problem: E[(u₁ + u₂ − 1)²] = 2 · 1/12. */
export const ADDING_BASELINE = 1 / 6;
export const ADDING_SOLVED = 0.01;
/** Copy memory: blanks, then a uniform guess over 8 symbols for the 10 copied steps. */
export const copyBaseline = (T: number): number => (10 * Math.log(8)) / (T + 20);
export const COPY_SYMBOLS = 8;
export const COPY_LENGTH = 10;
/** Input alphabet: 0 blank, 1…8 symbols, 9 delimiter. Outputs: 0 blank, 1…8. */
export const COPY_INPUTS = 10;
export const COPY_OUTPUTS = 9;

export interface AddingBatch {
  x: FloatArray;        // (T,B,2): value, marker
  target: Float64Array; // (B)
}

/** B adding problems of length T ≥ 2 into x (T,B,2) (allocated by `alloc`). */
export function addingBatch(rng: Rng, T: number, B: number, alloc: (n: number) => FloatArray = (n) => new Float64Array(n)): AddingBatch {
  if (!Number.isSafeInteger(T) || T < 2) throw new RecurError(`adding problem: expected T ≥ 2 (one marker in each half), got ${T}`);
  const x = alloc(T * B * 2);
  const target = new Float64Array(B);
  const half = Math.floor(T / 2);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      x[(t * B + b) * 2] = rng.uniform();
      x[(t * B + b) * 2 + 1] = 0;
    }
    const i = rng.int(half);
    const j = half + rng.int(T - half);
    x[(i * B + b) * 2 + 1] = 1;
    x[(j * B + b) * 2 + 1] = 1;
    target[b] = x[(i * B + b) * 2]! + x[(j * B + b) * 2]!;
  }
  return { x, target };
}

export interface CopyBatch {
  x: FloatArray;         // (T+20, B, 10) one-hot
  targets: Int32Array;   // ((T+20)·B) classes 0…8
  steps: number;         // T + 20
}

/** B copy-memory sequences with delay T ≥ 1. */
export function copyBatch(rng: Rng, T: number, B: number, alloc: (n: number) => FloatArray = (n) => new Float64Array(n)): CopyBatch {
  if (!Number.isSafeInteger(T) || T < 1) throw new RecurError(`copy memory: expected a delay T ≥ 1, got ${T}`);
  const S = T + 2 * COPY_LENGTH;
  const x = alloc(S * B * COPY_INPUTS);
  x.fill(0);
  const targets = new Int32Array(S * B);
  for (let b = 0; b < B; b++) {
    const symbols: number[] = [];
    for (let i = 0; i < COPY_LENGTH; i++) symbols.push(1 + rng.int(COPY_SYMBOLS));
    for (let t = 0; t < S; t++) {
      let input = 0;
      if (t < COPY_LENGTH) input = symbols[t]!;
      else if (t === T + COPY_LENGTH - 1) input = 9; // the delimiter, after T − 1 blanks
      x[(t * B + b) * COPY_INPUTS + input] = 1;
      targets[t * B + b] = t >= T + COPY_LENGTH ? symbols[t - T - COPY_LENGTH]! : 0;
    }
  }
  return { x, targets, steps: S };
}

// ------------------------------------------------------------------------------------------------
// Training

export interface TaskOptions {
  task: TaskName;
  cell: CellName;
  T: number;                      // adding: sequence length; copy: the delay
  hidden: number;
  layers: number;
  activation?: 'tanh' | 'relu' | 'identity' | undefined;
  whh?: WhhInit | undefined;
  radius?: number | undefined;
  forgetBias?: number | undefined;
  batch: number;
  lr: number;
  optimizer: OptimizerKind;
  clip: number;                   // global-norm threshold; 0 = off
  budget: number;                 // training steps at most
  evalEvery: number;
  valSize: number;
  seed: number;
  stopWhenSolved: boolean;
  /** Measure the gradient flow (analysis/gradient-flow) of the model being trained, on the validation
   *  inputs: before the first step, at every evaluation whose step is a multiple of this, and at the
   *  budget's last step. 0 or undefined: off. */
  flowEvery?: number | undefined;
}

/** The gradient flow of the model under training at one step: ‖∂L/∂h_{S−1−d}‖ for L = Σ h_{S−1}
 *  (top layer, summed over the validation sequences and units), d = 0 … S−1 (S = T, or T + 20 for copy). */
export interface TaskFlow {
  step: number;
  gradNorm: number[];
  rate: number | null;        // the per-step factor (exp of the fitted log slope)
}

export interface TaskLog {
  step: number;
  loss: number;               // mean training loss over the steps since the last log
  valLoss: number;
  valAccuracy: number | null; // copy: fraction of the copied symbols right
  baseline: number;
  gradNorm: number;           // mean global norm before clipping since the last log
  gradNormMax: number;
  gradNormClipped: number;    // mean after clipping
  paramGradNorms: Record<string, number>; // at the logged step, before clipping
  solved: boolean;
  seconds: number;
  flow?: TaskFlow | undefined; // with flowEvery: the gradient flow measured at this evaluation
}

export interface TaskResult {
  label: string;
  options: TaskOptions;
  config: RecurrentConfig;
  baseline: number;
  solved: boolean;
  solvedAt: number | null;    // the training step at which validation first met the criterion
  diverged: number | null;    // the step at which it diverged (train/guard: not finite, or the loss exploded)
  steps: number;              // steps taken
  finalValLoss: number;
  bestValLoss: number;
  finalValAccuracy: number | null;
  seconds: number;
  history: TaskLog[];
  /** Every step's training loss and global gradient norms (before/after clipping). */
  curves: { loss: number[]; gradNorm: number[]; gradNormClipped: number[] };
  /** With flowEvery: the gradient flow before training (step 0) and at the measured evaluations. */
  flow: TaskFlow[];
}

interface Model {
  params: ParamSet;
  stack: RecurrentStack;   // trains
  evalStack: RecurrentStack; // the same parameters, buffers for the validation batch
  head: { w: FloatArray; b: FloatArray; dw: FloatArray; db: FloatArray };
  out: number;             // head outputs: 1 (adding) or 9 (copy)
  D: number;
}

function buildModel(o: TaskOptions, k: Kernels, rng: Rng): Model {
  const config = cellConfig(o.cell, {
    hidden: o.hidden, inputSize: o.task === 'adding' ? 2 : COPY_INPUTS, layers: o.layers,
    activation: o.cell === 'rnn' || o.cell.startsWith('residual') ? o.activation : undefined,
    forgetBias: o.cell === 'lstm' ? o.forgetBias : undefined,
  });
  const D = config.bidirectional ? 2 : 1;
  const out = o.task === 'adding' ? 1 : COPY_OUTPUTS;
  const params = new ParamSet(k, [...recurrentParamSpecs(config, 'rnn.'), ...linearSpecs('head.', D * o.hidden, out)]);
  initRecurrent(params, config, rng, 'rnn.');
  initLinear(params, 'head.', D * o.hidden, rng);
  const stack = new RecurrentStack(config, k, rng, params, 'rnn.');
  initRecurrentWeights(params, config, { whh: o.whh, radius: o.radius }, rng, 'rnn.');
  return {
    params, stack, evalStack: new RecurrentStack(config, k, rng, params, 'rnn.'),
    head: { w: params.get('head.weight').data, b: params.get('head.bias').data, dw: params.get('head.weight').grad, db: params.get('head.bias').grad },
    out, D,
  };
}

interface Evaluation { loss: number; accuracy: number | null }

/** Train one cell on one task, through the one training loop (train/loop): an "epoch" is the
 *  `evalEvery` steps between two evaluations on the fixed validation set. `onLog` sees every
 *  evaluation. A run that diverges (train/guard) ends there and says at which step. */
export function trainTask(o: TaskOptions, k: Kernels, onLog?: (log: TaskLog, result: TaskResult) => void): TaskResult {
  checkOptions(o);
  const rng = new Rng(o.seed);
  const model = buildModel(o, k, rng);
  const dataRng = new Rng(o.seed + 1_000_003);
  const valRng = new Rng(o.seed + 2_000_003);
  const alloc = (n: number): FloatArray => k.alloc(n);
  const val = o.task === 'adding' ? addingBatch(valRng, o.T, o.valSize, alloc) : copyBatch(valRng, o.T, o.valSize, alloc);
  const baseline = o.task === 'adding' ? ADDING_BASELINE : copyBaseline(o.T);
  const started = performance.now();
  const result: TaskResult = {
    label: `${describeCell(model.stack.config)}`, options: o, config: model.stack.config, baseline,
    solved: false, solvedAt: null, diverged: null, steps: 0, finalValLoss: NaN, bestValLoss: Infinity,
    finalValAccuracy: null, seconds: 0, history: [], curves: { loss: [], gradNorm: [], gradNormClipped: [] }, flow: [],
  };
  const flowAt = (step: number): TaskFlow | undefined => {
    if (!o.flowEvery || (step % o.flowEvery !== 0 && step !== o.budget)) return undefined;
    const flow = measureFlow(o, model, val, step);
    result.flow.push(flow);
    return flow;
  };
  flowAt(0);
  const buffers = taskBuffers(o, model, k);
  // diverged (train/guard): adding, 10 × the MSE of predicting 0, E[(u₁ + u₂)²] = 7/6; copy, 10 × ln 9
  const limit = o.task === 'adding' ? squaredErrorLimit(7 / 6) : crossEntropyLimit(COPY_OUTPUTS);
  const since: Since = { loss: 0, norm: 0, clipped: 0, max: 0, n: 0, norms: {} };
  let lastLoss = NaN;
  let stop = false;
  const task: TrainTask<AddingBatch | CopyBatch> = {
    params: model.params, kernels: k, batchesPerEpoch: o.evalEvery, lossLimit: limit,
    // fresh random problems every step; the last "epoch" may be shorter
    *batches(epoch) {
      for (let i = 0; i < Math.min(o.evalEvery, o.budget - epoch * o.evalEvery); i++) {
        yield o.task === 'adding' ? addingBatch(dataRng, o.T, o.batch, (n) => buffers.x.subarray(0, n))
          : copyBatch(dataRng, o.T, o.batch, (n) => buffers.x.subarray(0, n));
      }
    },
    lossAndGrad: (batch) => ({ loss: (lastLoss = trainStep(o, model, batch, buffers, k)), count: 1 }),
    // the per-parameter norms of the step each evaluation follows, before clipping
    inspectGradients: (params) => { if ((result.steps + 1) % o.evalEvery === 0 || result.steps + 1 === o.budget) since.norms = parameterNorms(params); },
    validate: () => {
      const log = recordEvaluation(o, evaluate(o, model, val, k), result, since, started);
      // after the step's update and before the next step zeroes the gradients: the measurement's
      // backward pass writes into params.grad, which no update reads
      const flow = flowAt(result.steps);
      if (flow) log.flow = flow;
      onLog?.(log, result);
      if (checkStep(log.valLoss, undefined, limit)) { result.diverged = result.steps; stop = true; }
      if (log.solved && o.stopWhenSolved) stop = true;
      return log.valLoss;
    },
  };
  try {
    trainLoopSync(task, {
      optimizer: o.optimizer, lr: o.lr, clip: o.clip, epochs: Math.ceil(o.budget / o.evalEvery), restoreBest: false,
      onStep: (s) => {
        result.steps = s.step;
        result.curves.loss.push(s.loss);
        result.curves.gradNorm.push(s.gradNorm);
        result.curves.gradNormClipped.push(s.gradNormClipped);
        since.loss += s.loss; since.norm += s.gradNorm; since.clipped += s.gradNormClipped; since.max = Math.max(since.max, s.gradNorm); since.n++;
      },
    }, { shouldStop: () => stop });
  } catch (e) {
    if (!(e instanceof DivergedError)) throw e;
    // the diverged step: its loss, and its gradient's norm where the gradient is finite
    const norm = globalNorm(model.params.grad);
    result.steps = e.step;
    result.diverged = e.step;
    result.curves.loss.push(lastLoss);
    result.curves.gradNorm.push(Number.isFinite(norm) ? norm : NaN);
    result.curves.gradNormClipped.push(NaN);
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/** Training numbers since the last evaluation: sums of loss and gradient norms, their count, the
 *  largest norm, and the per-parameter norms of the step the evaluation follows. */
interface Since { loss: number; norm: number; clipped: number; max: number; n: number; norms: Record<string, number> }

/** An evaluation into the result and the log (whether the task is solved, the means since the last). */
function recordEvaluation(o: TaskOptions, ev: Evaluation, result: TaskResult, since: Since, started: number): TaskLog {
  const baseline = result.baseline;
  const solved = o.task === 'adding' ? ev.loss < ADDING_SOLVED : ev.loss < 0.1 * baseline || (ev.accuracy ?? 0) >= 0.99;
  if (solved && !result.solved) { result.solved = true; result.solvedAt = result.steps; }
  result.finalValLoss = ev.loss;
  result.finalValAccuracy = ev.accuracy;
  result.bestValLoss = Math.min(result.bestValLoss, ev.loss);
  const log: TaskLog = {
    step: result.steps, loss: since.loss / since.n, valLoss: ev.loss, valAccuracy: ev.accuracy, baseline,
    gradNorm: since.norm / since.n, gradNormMax: since.max, gradNormClipped: since.clipped / since.n,
    paramGradNorms: since.norms, solved, seconds: (performance.now() - started) / 1000,
  };
  result.history.push(log);
  result.seconds = log.seconds;
  Object.assign(since, { loss: 0, norm: 0, clipped: 0, max: 0, n: 0, norms: {} });
  return log;
}

interface Buffers {
  x: FloatArray;      // the largest input batch
  dy: FloatArray;     // (S,B,D*H)
  out: FloatArray;    // head outputs (B,1) or (S*B,9)
  dOut: FloatArray;
  last: FloatArray;   // adding: (B, D*H) the last step's outputs
  dLast: FloatArray;
}

function taskBuffers(o: TaskOptions, m: Model, k: Kernels): Buffers {
  const S = o.task === 'adding' ? o.T : o.T + 2 * COPY_LENGTH;
  const I = o.task === 'adding' ? 2 : COPY_INPUTS;
  const DH = m.D * o.hidden;
  const rows = o.task === 'adding' ? o.batch : S * o.batch;
  // adding reads one step: last (B, D*H); copy reads all: out (S*B, 9)
  return {
    x: k.alloc(S * o.batch * I), dy: k.alloc(S * o.batch * DH), out: k.alloc(rows * m.out), dOut: k.alloc(rows * m.out),
    last: k.alloc(o.batch * DH), dLast: k.alloc(o.batch * DH),
  };
}

/** One training step's forward, loss and backward into params.grad. Returns the mean loss. */
function trainStep(o: TaskOptions, m: Model, batch: AddingBatch | CopyBatch, buf: Buffers, k: Kernels): number {
  const B = o.batch;
  const DH = m.D * o.hidden;
  const dy = buf.dy;
  dy.fill(0);
  if (o.task === 'adding') {
    const { x, target } = batch as AddingBatch;
    const T = o.T;
    const { y } = m.stack.forward(x, T, B);
    // the head reads the last step: pred = W h_{T−1} + b
    buf.last.set(y.subarray((T - 1) * B * DH, T * B * DH));
    linearForward(k, buf.out, buf.last, m.head.w, m.head.b, B, DH, 1);
    const { loss } = mse(buf.out, target, buf.dOut, B);
    buf.dLast.fill(0);
    linearBackward(k, buf.dLast, m.head.dw, m.head.db, buf.dOut, buf.last, m.head.w, B, DH, 1);
    dy.set(buf.dLast, (T - 1) * B * DH);
    m.stack.backward(dy, undefined, undefined, { inputGrad: false });
    return loss;
  }
  const { x, targets, steps: S } = batch as CopyBatch;
  const R = S * B;
  const { y } = m.stack.forward(x, S, B);
  // the head reads every step
  linearForward(k, buf.out, y, m.head.w, m.head.b, R, DH, COPY_OUTPUTS);
  const { loss } = crossEntropy(k, buf.out, targets, buf.dOut, R, COPY_OUTPUTS);
  linearBackward(k, dy, m.head.dw, m.head.db, buf.dOut, y, m.head.w, R, DH, COPY_OUTPUTS);
  m.stack.backward(dy, undefined, undefined, { inputGrad: false });
  return loss;
}

/** The gradient flow of the model as it is now, on the validation inputs (the evaluation stack). */
function measureFlow(o: TaskOptions, m: Model, val: AddingBatch | CopyBatch, step: number): TaskFlow {
  const S = o.task === 'adding' ? o.T : (val as CopyBatch).steps;
  const g = gradientNorms(m.evalStack, { x: val.x, T: S, B: o.valSize });
  return { step, gradNorm: g.gradNorm, rate: g.rate };
}

/** The validation loss (and, for copy, the fraction of copied symbols right). */
function evaluate(o: TaskOptions, m: Model, val: AddingBatch | CopyBatch, k: Kernels): Evaluation {
  const B = o.valSize;
  const DH = m.D * o.hidden;
  if (o.task === 'adding') {
    const { x, target } = val as AddingBatch;
    const { y } = m.evalStack.forward(x, o.T, B);
    const pred = k.alloc(B);
    linearForward(k, pred, y.subarray((o.T - 1) * B * DH, o.T * B * DH), m.head.w, m.head.b, B, DH, 1);
    const { loss } = mse(pred, target, undefined, B);
    k.free(pred);
    return { loss, accuracy: null };
  }
  const { x, targets, steps: S } = val as CopyBatch;
  const R = S * B;
  const { y } = m.evalStack.forward(x, S, B);
  const logits = k.alloc(R * COPY_OUTPUTS);
  linearForward(k, logits, y, m.head.w, m.head.b, R, DH, COPY_OUTPUTS);
  const { loss } = crossEntropy(k, logits, targets, undefined, R, COPY_OUTPUTS);
  let right = 0;
  for (let r = (S - COPY_LENGTH) * B; r < R; r++) {
    let best = 0;
    for (let v = 1; v < COPY_OUTPUTS; v++) if (logits[r * COPY_OUTPUTS + v]! > logits[r * COPY_OUTPUTS + best]!) best = v;
    if (best === targets[r]) right++;
  }
  k.free(logits);
  return { loss, accuracy: right / (COPY_LENGTH * B) };
}

function checkOptions(o: TaskOptions): void {
  const pos = (v: number, name: string): void => {
    if (!Number.isSafeInteger(v) || v < 1) throw new RecurError(`${name}: expected an integer ≥ 1, got ${v}`);
  };
  pos(o.T, 'steps');
  pos(o.hidden, 'hidden');
  pos(o.layers, 'layers');
  pos(o.batch, 'batch');
  pos(o.budget, 'budget');
  pos(o.evalEvery, 'eval-every');
  pos(o.valSize, 'val-size');
  if (o.flowEvery !== undefined && o.flowEvery !== 0) pos(o.flowEvery, 'flow-every');
  if (o.task === 'adding' && o.T < 2) throw new RecurError(`adding problem: expected --steps ≥ 2 (one marker in each half), got ${o.T}`);
  if (!(o.lr > 0) || !Number.isFinite(o.lr)) throw new RecurError(`lr: expected a number > 0, got ${o.lr}`);
  if (!(o.clip >= 0) || !Number.isFinite(o.clip)) throw new RecurError(`clip: expected a number ≥ 0 (0 = off), got ${o.clip}`);
}
