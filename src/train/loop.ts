/**
 * @module train/loop
 * THE training loop, in nanoGPT's order, for every model recur trains:
 *
 *   for each epoch, for each batch:
 *     lr ← schedule(step) → zero grads → forward, loss, backward → finite? → clip → optimizer step
 *   after each epoch: validate → early stopping (patience) → keep the best parameters
 *
 * It knows nothing about models: a `TrainTask` supplies the batches and computes one batch's loss
 * and gradients. `fit` is a task made of a Model, a loss and data. No fs, no process.
 */
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import type { LossValue } from '../layers/loss.js';
import type { ParamSet } from '../layers/params.js';
import { clipByGlobalNorm, clipByValue } from './clip.js';
import { checkStep, DivergedError, type Divergence } from './guard.js';
import { Optimizer, optimizerConfig, type OptimizerKind } from './optim.js';
import { learningRate, type Schedule, type ScheduleKind } from './schedule.js';
import { yieldToEventLoop } from './yield.js';

/** What the loop trains: parameters, batches per epoch, one batch's loss and gradients. */
export interface TrainTask<B> {
  readonly params: ParamSet;
  readonly kernels: Kernels;
  /** The batches of an epoch (0-based), and how many there are (for the schedule and progress). */
  batches(epoch: number): Iterable<B>;
  readonly batchesPerEpoch: number;
  /** Forward, loss and backward of one batch; gradients were zeroed and accumulate. */
  lossAndGrad(batch: B): LossValue;
  /** After a step that updated the parameters (a language model carries its state here). */
  afterStep?(batch: B): void;
  /** Sees the finite gradients before clipping (per-parameter norms, say). */
  inspectGradients?(params: ParamSet): void;
  /** The validation score after an epoch, lower is better (undefined: no validation). */
  validate?(): number | undefined;
  /** A loss above this has exploded (train/guard: 10 × a trivial guess's loss); default: only a
   *  non-finite loss counts. */
  readonly lossLimit?: number;
}

/** How to train: optimizer, learning rate and its schedule, clipping, epochs, early stopping. */
export interface LoopOptions {
  /** default 'adam' */
  optimizer?: OptimizerKind;
  /** default 0.001 */
  lr?: number;
  /** SGD momentum, default 0 */
  momentum?: number;
  /** the optimizer's default when absent (AdamW 0.01, others 0) */
  weightDecay?: number;
  /** default 'constant' */
  schedule?: ScheduleKind;
  /** steps of linear warm-up, default 0 */
  warmup?: number;
  /** cosine floor, default 0 */
  minLr?: number;
  /** step decay: ×gamma every `stepEvery` steps (defaults 0.5, 1000) */
  gamma?: number;
  stepEvery?: number;
  /** global-norm clipping threshold θ (the notes' g ← min(1, θ/‖g‖)·g), default 0 = off */
  clip?: number;
  /** element-wise clipping, default 0 = off */
  clipValue?: number;
  /** default 10 */
  epochs?: number;
  /** Stop after this many epochs without a better validation score; default 0 = never. */
  patience?: number;
  /** After training, put back the parameters of the best validation epoch; default true. */
  restoreBest?: boolean;
  /** A non-finite loss or gradient: 'stop' (default) throws, 'skip' drops the batch (counted). */
  onNonFinite?: 'stop' | 'skip';
  /** Called after every step. */
  onStep?: (log: StepLog) => void;
  /** Called after every epoch. */
  onEpoch?: (log: EpochLog) => void;
  /** Ends training after the current step (the result says 'aborted'). */
  signal?: AbortSignal;
}

/** One optimizer step. */
export interface StepLog {
  /** 1-based epoch, global step count, batch within the epoch and batches per epoch. */
  epoch: number; step: number; batch: number; batches: number;
  /** This batch's loss; the running mean over the epoch's good steps. */
  loss: number; epochLoss: number;
  /** ‖g‖ before clipping, and after (NaN for a skipped step). */
  gradNorm: number; gradNormClipped: number;
  lr: number; skipped: boolean;
  /** Milliseconds this step took (its share of the wall clock since the last step). */
  milliseconds: number;
}

/** One epoch: mean training loss over its good steps, the validation score, and extra numbers. */
export interface EpochLog {
  epoch: number; step: number; trainLoss: number; valLoss: number | undefined; skipped: number; seconds: number;
  /** Validation metrics, by name (fit fills these in). */
  metrics: Record<string, number>;
}

/** How training went. */
export interface History {
  epochs: EpochLog[];
  /** 'done' (every epoch), 'early' (patience), 'aborted' (the signal). */
  stopped: 'done' | 'early' | 'aborted';
  /** The epoch whose parameters the model holds now (1-based; the last without validation). */
  bestEpoch: number;
  steps: number;
  /** Batches dropped for a non-finite loss or gradient (onNonFinite 'skip'). */
  skipped: number;
}

/** Where a run is, so that it can stop and continue exactly (a checkpoint saves it). */
export interface LoopState {
  step: number;
  /** Epochs done, and batches done in the current one. */
  epoch: number;
  batch: number;
  /** Σ loss·count and Σ count over the current epoch's good steps; its skipped steps. */
  epochLoss: number;
  epochCount: number;
  epochSkipped: number;
  /** Best validation score so far, its epoch, and epochs since it improved. */
  best: number | null;
  bestEpoch: number;
  bad: number;
  /** Steps skipped in the whole run. */
  skipped: number;
}

/** The state of a run that has not started. */
export const initialLoopState = (): LoopState => ({
  step: 0, epoch: 0, batch: 0, epochLoss: 0, epochCount: 0, epochSkipped: 0, best: null, bestEpoch: 0, bad: 0, skipped: 0,
});

/** What a caller that saves and resumes runs (the language-model trainer) adds to the options. */
export interface LoopControl {
  /** Where to start (a resumed run); updated as the run goes. Default: a new run. */
  state?: LoopState;
  /** The optimizer, when the caller keeps its state; default a new one from the options. */
  optimizer?: Optimizer;
  /** Asked after every step and epoch: true ends the run ('aborted') as the signal does. */
  shouldStop?: () => boolean;
  /** Save a checkpoint: every `checkpointEvery` steps ('interval'), when the run is stopped
   *  ('stop') and when it ends ('end'; not when it diverges). An interval checkpoint is written
   *  once its model has been checked — when the next step's loss and gradients (or the epoch's
   *  validation) pass train/guard, before that step's update — so a run that diverges never leaves
   *  the diverged model as its last checkpoint. */
  onCheckpoint?: (reason: 'interval' | 'end' | 'stop') => void;
  checkpointEvery?: number;
  /** After each epoch's bookkeeping (state.epoch counts it, state.bestEpoch says whether it was the
   *  best), before onEpoch and early stopping. */
  afterEpoch?: (log: EpochLog) => void;
  /** Extra numbers for each epoch's log (fit: the validation metrics). */
  epochMetrics?: () => Record<string, number>;
  /** What to try, ending a divergence message. */
  advice?: string;
}

/** The mutable side of one run: optimizer, schedule, state, and the pending checkpoint. */
interface Run<B> {
  task: TrainTask<B>;
  o: LoopOptions;
  c: LoopControl;
  s: LoopState;
  optimizer: Optimizer;
  schedule: Schedule;
  limit: number;
  pending: boolean;
  tick: number;
  yielded: number;
}

/** Train until the epochs are done, patience runs out, or the run is stopped. A step that diverges
 *  (train/guard: a non-finite or exploded loss, a non-finite gradient) throws a DivergedError, or
 *  with `onNonFinite: 'skip'` is dropped and counted; an epoch that skips more than half its steps
 *  throws. Every ~50 ms it lets the event loop run (a Ctrl-C handler, a browser message, an abort). */
export async function trainLoop<B>(task: TrainTask<B>, o: LoopOptions, control: LoopControl = {}): Promise<History> {
  const run = loop(task, o, control);
  for (let r = run.next(); ; r = run.next()) {
    if (r.done) return r.value;
    await yieldToEventLoop();
  }
}

/** trainLoop without the pauses, for callers that cannot wait (a short fit inside a computation). */
export function trainLoopSync<B>(task: TrainTask<B>, o: LoopOptions, control: LoopControl = {}): History {
  const run = loop(task, o, control);
  for (let r = run.next(); ; r = run.next()) if (r.done) return r.value;
}

/** The loop itself; it yields where the event loop may run. */
function* loop<B>(task: TrainTask<B>, o: LoopOptions, control: LoopControl): Generator<void, History> {
  const epochs = o.epochs ?? 10;
  const lr = o.lr ?? 1e-3;
  checkLoopOptions(o, epochs, lr);
  const run: Run<B> = {
    task, o, c: control, s: control.state ?? initialLoopState(),
    optimizer: control.optimizer ?? new Optimizer(optimizerConfig(o.optimizer ?? 'adam', {
      momentum: o.momentum ?? 0, ...(o.weightDecay === undefined ? {} : { weightDecay: o.weightDecay }),
    }), task.kernels, task.params.data.length),
    schedule: { kind: o.schedule ?? 'constant', lr, warmup: o.warmup ?? 0, total: epochs * task.batchesPerEpoch,
                minLr: o.minLr ?? 0, gamma: o.gamma ?? 0.5, stepEvery: o.stepEvery ?? 1000 },
    limit: task.lossLimit ?? Infinity, pending: false, tick: Date.now(), yielded: Date.now(),
  };
  const s = run.s;
  const history: History = { epochs: [], stopped: 'done', bestEpoch: s.bestEpoch, steps: s.step, skipped: s.skipped };
  let best: Float64Array | undefined;
  while (s.epoch < epochs && history.stopped === 'done') {
    const started = Date.now();
    let i = 0;
    for (const batch of task.batches(s.epoch)) {
      if (i++ < s.batch) continue; // resuming mid-epoch: these were done
      yield* step(run, batch);
      if (stopRequested(run)) { history.stopped = 'aborted'; break; }
    }
    if (history.stopped !== 'done') break;
    const log = endEpoch(run, started);
    if (s.bestEpoch === s.epoch && o.restoreBest !== false && log.valLoss !== undefined) best = Float64Array.from(task.params.data);
    history.epochs.push(log);
    control.afterEpoch?.(log);
    o.onEpoch?.(log);
    if (log.valLoss !== undefined && (o.patience ?? 0) > 0 && s.bad >= o.patience!) history.stopped = 'early';
    else {
      flush(run); // the validation checked the model
      if (stopRequested(run)) history.stopped = 'aborted';
    }
  }
  // the best epoch's parameters, when this run saw them (a resumed run may not have)
  if (best) task.params.data.set(best);
  history.bestEpoch = best || s.best === null ? s.bestEpoch : s.epoch;
  history.steps = s.step;
  history.skipped = s.skipped;
  control.onCheckpoint?.(history.stopped === 'aborted' ? 'stop' : 'end');
  return history;
}

/** One step: lr → zero grads → loss and gradients → check → clip → update → log. */
function* step<B>(run: Run<B>, batch: B): Generator<void, void> {
  const { task, o, s } = run;
  const params = task.params;
  const lr = learningRate(run.schedule, s.step);
  params.zeroGrad();
  const value = task.lossAndGrad(batch);
  let bad = checkStep(value.loss, params.grad, run.limit);
  let gradNorm = NaN, gradNormClipped = NaN;
  if (!bad) {
    task.inspectGradients?.(params); // before clipping
    // g ← min(1, θ/‖g‖)·g; finite values whose norm overflows have diverged too
    gradNorm = clipByGlobalNorm(params.grad, o.clip && o.clip > 0 ? o.clip : Infinity);
    if (!Number.isFinite(gradNorm)) bad = { what: 'gradient', index: -1, reason: 'the gradient\'s norm overflows' };
  }
  if (bad) {
    if ((o.onNonFinite ?? 'stop') === 'stop') throw new DivergedError(s.step + 1, s.epoch + 1, describe(bad, params), run.c.advice ?? DEFAULT_ADVICE);
    s.epochSkipped++;
    s.skipped++;
    gradNorm = NaN;
  } else {
    flush(run); // the last interval's model gave a healthy step: save it before updating
    if (o.clipValue && o.clipValue > 0) clipByValue(params.grad, o.clipValue);
    gradNormClipped = o.clip && o.clip > 0 ? Math.min(gradNorm, o.clip) : gradNorm;
    run.optimizer.update(params.data, params.grad, lr);
    task.afterStep?.(batch);
    s.epochLoss += value.loss * value.count;
    s.epochCount += value.count;
  }
  s.step++;
  s.batch++;
  const now = Date.now();
  o.onStep?.({ epoch: s.epoch + 1, step: s.step, batch: s.batch, batches: task.batchesPerEpoch, loss: value.loss,
               epochLoss: s.epochCount > 0 ? s.epochLoss / s.epochCount : NaN, gradNorm, gradNormClipped, lr,
               skipped: bad !== null, milliseconds: now - run.tick });
  run.tick = Date.now();
  if (run.c.checkpointEvery && s.step % run.c.checkpointEvery === 0) run.pending = true;
  if (run.tick - run.yielded > 50) {
    yield;
    run.yielded = run.tick = Date.now(); // the pause is not training time
  }
}

/** End of an epoch: the skip rule, validation (checked), the best score and patience, the state. */
function endEpoch<B>(run: Run<B>, started: number): EpochLog {
  const { task, s } = run;
  const batches = task.batchesPerEpoch;
  if (2 * s.epochSkipped > batches) {
    throw new DivergedError(s.step, s.epoch + 1, `${s.epochSkipped} of the epoch's ${batches} steps were skipped ` +
      '(loss or gradients not finite or exploded), so nothing reliable was learned', run.c.advice ?? DEFAULT_ADVICE);
  }
  const trainLoss = s.epochCount > 0 ? s.epochLoss / s.epochCount : NaN;
  const skipped = s.epochSkipped;
  const valLoss = task.validate?.();
  const metrics = valLoss === undefined ? {} : run.c.epochMetrics?.() ?? {};
  s.epoch++;
  s.batch = 0;
  s.epochLoss = s.epochCount = s.epochSkipped = 0;
  if (valLoss === undefined) s.bestEpoch = s.epoch;
  else if (s.best === null || valLoss < s.best) { s.best = valLoss; s.bestEpoch = s.epoch; s.bad = 0; }
  else s.bad++;
  return { epoch: s.epoch, step: s.step, trainLoss, valLoss, skipped, seconds: (Date.now() - started) / 1000, metrics };
}

/** Write the interval checkpoint that was waiting for its model to be checked. */
function flush<B>(run: Run<B>): void {
  if (!run.pending) return;
  run.pending = false;
  run.c.onCheckpoint?.('interval');
}

const stopRequested = <B>(run: Run<B>): boolean => run.o.signal?.aborted === true || run.c.shouldStop?.() === true;

const DEFAULT_ADVICE = 'Lower the learning rate, clip gradients, or skip such steps';

/** A divergence in words, naming the parameter whose gradient is not finite. */
function describe(d: Divergence, params: ParamSet): string {
  if (d.what === 'loss') return d.reason;
  const p = params.list.find((q) => d.index >= q.offset && d.index < q.offset + q.size);
  return `the gradient of ${p?.name ?? 'a parameter'} is not finite`;
}

function checkLoopOptions(o: LoopOptions, epochs: number, lr: number): void {
  const need = (ok: boolean, what: string, expected: string, got: unknown) => {
    if (!ok) throw new RecurError(`${what}: expected ${expected}, got ${String(got)}`);
  };
  need(Number.isSafeInteger(epochs) && epochs >= 1, 'epochs', 'a positive integer', epochs);
  need(Number.isFinite(lr) && lr > 0, 'lr', 'a number > 0', lr);
  need(o.clip === undefined || (Number.isFinite(o.clip) && o.clip >= 0), 'clip', 'a number ≥ 0 (0 = off)', o.clip);
  need(o.clipValue === undefined || (Number.isFinite(o.clipValue) && o.clipValue >= 0), 'clipValue', 'a number ≥ 0 (0 = off)', o.clipValue);
  need(o.patience === undefined || (Number.isSafeInteger(o.patience) && o.patience >= 0), 'patience', 'an integer ≥ 0', o.patience);
}
