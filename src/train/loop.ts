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
import { clipByGlobalNorm, clipByValue, firstNonFinite } from './clip.js';
import { Optimizer, optimizerConfig, type OptimizerKind } from './optim.js';
import { learningRate, type ScheduleKind } from './schedule.js';
import { yieldToEventLoop } from './yield.js';

/** What the loop trains: parameters, batches per epoch, one batch's loss and gradients. */
export interface TrainTask<B> {
  readonly params: ParamSet;
  readonly kernels: Kernels;
  /** The batches of an epoch (0-based), and how many there are (for the schedule). */
  batches(epoch: number): Iterable<B>;
  readonly batchesPerEpoch: number;
  /** Forward, loss and backward of one batch; gradients were zeroed and accumulate. */
  lossAndGrad(batch: B): LossValue;
  /** The validation score after an epoch, lower is better (undefined: no validation). */
  validate?(): number | undefined;
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
  /** After training, put back the parameters of the best validation epoch; default true when validating. */
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
  epoch: number; step: number; loss: number; gradNorm: number; lr: number; skipped: boolean;
}

/** One epoch: mean training loss over its batches, the validation score, and extra numbers. */
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

/** Train until the epochs are done, patience runs out, or the signal aborts. */
export async function trainLoop<B>(task: TrainTask<B>, o: LoopOptions, extraMetrics?: () => Record<string, number>): Promise<History> {
  const epochs = o.epochs ?? 10;
  const params = task.params;
  const optimizer = new Optimizer(optimizerConfig(o.optimizer ?? 'adam', {
    momentum: o.momentum ?? 0, ...(o.weightDecay === undefined ? {} : { weightDecay: o.weightDecay }),
  }), task.kernels, params.data.length);
  const schedule = { kind: o.schedule ?? 'constant', lr: o.lr ?? 1e-3, warmup: o.warmup ?? 0, total: epochs * task.batchesPerEpoch, minLr: o.minLr ?? 0,
                     gamma: o.gamma ?? 0.5, stepEvery: o.stepEvery ?? 1000 };
  checkLoopOptions(o, epochs, schedule.lr);
  const history: History = { epochs: [], stopped: 'done', bestEpoch: 0, steps: 0, skipped: 0 };
  let best: { score: number; data: Float64Array } | undefined;
  let bad = 0;
  let yielded = Date.now();
  for (let epoch = 0; epoch < epochs && history.stopped === 'done'; epoch++) {
    const started = Date.now();
    let sum = 0, count = 0, skipped = 0;
    for (const batch of task.batches(epoch)) {
      const lr = learningRate(schedule, history.steps);
      params.zeroGrad();
      const value = task.lossAndGrad(batch);
      const where = nonFinite(value, params);
      history.steps++;
      let gradNorm = NaN;
      if (where) {
        if ((o.onNonFinite ?? 'stop') === 'stop') throw new RecurError(`training stopped at step ${history.steps} (epoch ${epoch + 1}): ${where} is not finite (loss ${value.loss}); lower the learning rate, clip gradients, or skip such batches`);
        skipped++;
      } else {
        gradNorm = clipByGlobalNorm(params.grad, o.clip && o.clip > 0 ? o.clip : Infinity);
        if (o.clipValue && o.clipValue > 0) clipByValue(params.grad, o.clipValue);
        optimizer.update(params.data, params.grad, lr);
        sum += value.loss * value.count;
        count += value.count;
      }
      o.onStep?.({ epoch: epoch + 1, step: history.steps, loss: value.loss, gradNorm, lr, skipped: where !== undefined });
      if (Date.now() - yielded > 50) { await yieldToEventLoop(); yielded = Date.now(); }
      if (o.signal?.aborted) { history.stopped = 'aborted'; break; }
    }
    history.skipped += skipped;
    if (count === 0 && history.stopped === 'done') throw new RecurError(`training learned nothing in epoch ${epoch + 1}: every batch had a non-finite loss or gradient (${skipped} skipped)`);
    const valLoss = history.stopped === 'done' ? task.validate?.() : undefined;
    const log: EpochLog = { epoch: epoch + 1, step: history.steps, trainLoss: sum / Math.max(count, 1), valLoss, skipped,
                            seconds: (Date.now() - started) / 1000, metrics: valLoss === undefined ? {} : extraMetrics?.() ?? {} };
    history.epochs.push(log);
    o.onEpoch?.(log);
    if (valLoss === undefined) { history.bestEpoch = epoch + 1; continue; }
    if (!best || valLoss < best.score) {
      best = { score: valLoss, data: Float64Array.from(params.data) };
      history.bestEpoch = epoch + 1;
      bad = 0;
    } else if ((o.patience ?? 0) > 0 && ++bad >= o.patience!) history.stopped = 'early';
  }
  if (best && (o.restoreBest ?? true)) params.data.set(best.data);
  else history.bestEpoch = history.epochs.length;
  return history;
}

/** Where a step went non-finite: the loss, a parameter's gradient, or undefined when all is finite. */
function nonFinite(value: LossValue, params: ParamSet): string | undefined {
  if (!Number.isFinite(value.loss)) return 'the loss';
  const i = firstNonFinite(params.grad);
  if (i === -1) return undefined;
  return `the gradient of ${params.list.find((p) => i >= p.offset && i < p.offset + p.size)!.name}`;
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
