/**
 * @module timeseries/trainer
 * Fitting a neural forecaster in open loop (teacher forcing): minibatches of target times from the
 * training part, mean squared error on the normalized series, Adam, global-norm clipping, through
 * the one training loop (train/loop). After
 * every epoch the one-step error on the validation part decides early stopping, and the parameters
 * of the best epoch are the ones kept. Seeded; no fs, no process.
 */
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import { squaredErrorLimit } from '../train/guard.js';
import { trainLoopSync, type TrainTask } from '../train/loop.js';
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

/** Train on targets t < trainEnd, validate one step ahead on [trainEnd, valEnd), through the one
 *  training loop (train/loop). */
export function fitOpenLoop(model: TrainableModel, k: Kernels, z: Float64Array, x: Float64Array | undefined,
                            trainEnd: number, valEnd: number, o: FitOptions,
                            onEpoch?: (r: EpochReport) => void): FitReport {
  const targets = model.trainingTargets(trainEnd);
  if (targets.length === 0) {
    throw new RecurError(`training: the training part (${trainEnd} values) is no longer than the model's history of ${model.minHistory} values; use fewer lags, a shorter window, or less held out`);
  }
  const validate = valEnd > trainEnd && trainEnd >= model.minHistory;
  const rng = new Rng(o.seed + 1);
  const B = Math.min(o.batch, targets.length);
  const order = Int32Array.from(targets);
  const history: EpochReport[] = [];
  let lr = o.lr;
  const task: TrainTask<Int32Array> = {
    params: model.params, kernels: k, batchesPerEpoch: Math.ceil(targets.length / B),
    // the series is normalised: predicting its mean scores an MSE of about 1
    lossLimit: squaredErrorLimit(1),
    *batches() {
      // Fisher–Yates with the run's own Rng, on the last epoch's order
      for (let i = order.length - 1; i > 0; i--) { const j = rng.int(i + 1); const t = order[i]!; order[i] = order[j]!; order[j] = t; }
      for (let s = 0; s < order.length; s += B) yield order.subarray(s, Math.min(order.length, s + B));
    },
    lossAndGrad: (batch) => ({ loss: model.lossAndGrad(z, x, batch), count: batch.length }),
    ...(validate ? {
      validate: () => {
        const p = openLoop(model, z, x, trainEnd, valEnd);
        let se = 0;
        for (let i = 0; i < p.length; i++) se += (p[i]! - z[trainEnd + i]!) ** 2;
        return se / p.length;
      },
    } : {}),
  };
  // AdamW (Adam without decay), cosine from lr to lr/10; the best validation epoch's parameters kept
  const run = trainLoopSync(task, {
    optimizer: o.weightDecay > 0 ? 'adamw' : 'adam', weightDecay: o.weightDecay, lr: o.lr, schedule: 'cosine', minLr: o.lr / 10,
    clip: o.clip, epochs: o.epochs, patience: o.patience,
    onStep: (s) => { lr = s.lr; },
    onEpoch: (e) => {
      const report = { epoch: e.epoch, trainLoss: e.trainLoss, valLoss: e.valLoss ?? null, lr };
      history.push(report);
      onEpoch?.(report);
    },
  }, { advice: 'Lower --lr' });
  const best = history[run.bestEpoch - 1]!;
  return { epochs: history.length, bestEpoch: run.bestEpoch, trainLoss: best.trainLoss, valLoss: best.valLoss, history };
}
