/**
 * @module timeseries/trainer
 * Fitting a neural forecaster in open loop (teacher forcing): minibatches of target times from the
 * training part, mean squared error on the normalized series, Adam, global-norm clipping. After
 * every epoch the one-step error on the validation part decides early stopping, and the parameters
 * of the best epoch are the ones kept. Seeded; no fs, no process.
 */
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import { clipByGlobalNorm } from '../train/clip.js';
import { checkStep, squaredErrorLimit } from '../train/guard.js';
import { Optimizer, optimizerConfig } from '../train/optim.js';
import { learningRate } from '../train/schedule.js';
import { Rng } from '../tensor/rng.js';
import { openLoop } from './loops.js';
import type { TrainableModel } from './model.js';

/**
 * How fitOpenLoop trains: epochs, batch, AdamW's learning rate and weight decay, clipping,
 * early-stopping patience and the seed.
 */
export interface FitOptions {
  epochs: number;      // at most
  batch: number;       // target times per minibatch
  lr: number;          // Adam's initial learning rate (cosine decay to lr/10)
  clip: number;        // global norm; 0 = off
  weightDecay: number; // AdamW's decoupled decay
  patience: number;    // epochs without a better validation loss; 0 = run every epoch
  seed: number;        // of the initialisation and the minibatch order
}

/** The default FitOptions of the forecasting models. */
export const DEFAULT_FIT: FitOptions = { epochs: 200, batch: 32, lr: 0.01, clip: 1, weightDecay: 0, patience: 30, seed: 0 };

/** fitOpenLoop's report after each epoch: training and validation loss and the learning rate. */
export interface EpochReport {
  epoch: number;
  trainLoss: number;      // mean squared error on the normalized training targets
  valLoss: number | null; // one-step MSE on the normalized validation part; null without one
  lr: number;
}

/**
 * What fitOpenLoop did: the epochs run, the best one (whose parameters are kept), its losses and
 * every epoch's.
 */
export interface FitReport {
  epochs: number;            // run
  bestEpoch: number;         // whose parameters are kept (the last when there is no validation)
  trainLoss: number;         // of that epoch
  valLoss: number | null;    // of that epoch (one-step MSE on the normalized validation part)
  history: EpochReport[];   // every epoch run
}

/** Train on targets t < trainEnd, validate one step ahead on [trainEnd, valEnd). */
export function fitOpenLoop(model: TrainableModel, k: Kernels, z: Float64Array, x: Float64Array | undefined,
                            trainEnd: number, valEnd: number, o: FitOptions,
                            onEpoch?: (r: EpochReport) => void): FitReport {
  const targets = model.trainingTargets(trainEnd);
  if (targets.length === 0) {
    throw new RecurError(`training: the training part (${trainEnd} values) is no longer than the model's history of ${model.minHistory} values; use fewer lags, a shorter window, or less held out`);
  }
  const validate = valEnd > trainEnd && trainEnd >= model.minHistory;
  const params = model.params;
  const opt = new Optimizer(optimizerConfig(o.weightDecay > 0 ? 'adamw' : 'adam', { weightDecay: o.weightDecay }), k, params.data.length);
  const rng = new Rng(o.seed + 1);
  const B = Math.min(o.batch, targets.length);
  const perEpoch = Math.ceil(targets.length / B);
  const schedule = { kind: 'cosine' as const, lr: o.lr, warmup: 0, total: o.epochs * perEpoch, minLr: o.lr / 10, gamma: 1, stepEvery: 1 };
  const order = Int32Array.from(targets);
  const best = new Float64Array(params.data.length);
  best.set(params.data);
  let bestLoss = Infinity, bestEpoch = 0, bestTrain = NaN, bestVal: number | null = null, bad = 0, step = 0;
  const history: EpochReport[] = [];
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    // Fisher–Yates with the run's own Rng
    for (let i = order.length - 1; i > 0; i--) { const j = rng.int(i + 1); const t = order[i]!; order[i] = order[j]!; order[j] = t; }
    let sum = 0, count = 0, lr = o.lr;
    for (let s = 0; s < order.length; s += B) {
      const batch = order.subarray(s, Math.min(order.length, s + B));
      lr = learningRate(schedule, step++);
      params.zeroGrad();
      const loss = model.lossAndGrad(z, x, batch);
      // the series is normalised: predicting its mean scores an MSE of about 1
      const bad = checkStep(loss, params.grad, squaredErrorLimit(1));
      if (bad) throw new RecurError(`training diverged at epoch ${epoch} (step ${step}): ${bad.reason}; lower --lr`);
      if (o.clip > 0) clipByGlobalNorm(params.grad, o.clip);
      opt.update(params.data, params.grad, lr);
      sum += loss * batch.length;
      count += batch.length;
    }
    const trainLoss = sum / count;
    let valLoss: number | null = null;
    if (validate) {
      const p = openLoop(model, z, x, trainEnd, valEnd);
      let se = 0;
      for (let i = 0; i < p.length; i++) se += (p[i]! - z[trainEnd + i]!) ** 2;
      valLoss = se / p.length;
    }
    const report = { epoch, trainLoss, valLoss, lr };
    history.push(report);
    onEpoch?.(report);
    const score = valLoss ?? trainLoss;
    if (score < bestLoss || !validate) {
      bestLoss = score; bestEpoch = epoch; bestTrain = trainLoss; bestVal = valLoss; bad = 0;
      best.set(params.data);
    } else if (o.patience > 0 && ++bad >= o.patience) break;
  }
  params.data.set(best);
  return { epochs: history.length, bestEpoch, trainLoss: bestTrain, valLoss: bestVal, history };
}
