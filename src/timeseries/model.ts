/**
 * @module timeseries/model
 * What every forecaster is to the loops that run it: a one-step predictor on the normalized series.
 *
 *   ŷ_t = model(z_{<t}, x_{≤t})          z the normalized target, x the normalized exogenous inputs (n, m)
 *
 * The model reads only the values it needs (its lags or its window); which values those are — true
 * ones or its own earlier predictions — is the loop's business (timeseries/loops):
 *   open loop   (series-parallel, teacher forcing): z is the true series
 *   closed loop (parallel, free run): z after the origin holds the model's own predictions
 */
import type { ParamSet } from '../layers/params.js';

/** The forecasting models: AR, NARX, TDNN and the recurrent ones. */
export type ForecastKind = 'ar' | 'narx' | 'tdnn' | 'rnn' | 'gru' | 'lstm';
export const FORECAST_KINDS: readonly ForecastKind[] = ['ar', 'narx', 'tdnn', 'rnn', 'gru', 'lstm'];

/**
 * A one-step predictor the loops (openLoop, closedLoop, kStepAhead) can run: ŷ_t from the series
 * before t and the exogenous inputs up to t.
 */
export interface StepModel {
  /** The smallest t it can predict: it reads z[t − minHistory … t − 1] at most. */
  readonly minHistory: number;
  /** m, the exogenous columns it reads (0 for a pure autoregression). */
  readonly exogSize: number;
  /** ŷ_t for each t in ts (normalized), reading z before each t and x at rows ≤ t. */
  predict(z: ArrayLike<number>, x: ArrayLike<number> | undefined, ts: ArrayLike<number>): Float64Array;
}

/** A model trained by gradient descent in open loop: mean squared error over the targets of `ts`. */
export interface TrainableModel extends StepModel {
  readonly params: ParamSet;
  /** Forward, loss and backward for one minibatch of target times; grads accumulate (zero them first). */
  lossAndGrad(z: ArrayLike<number>, x: ArrayLike<number> | undefined, ts: ArrayLike<number>): number;
  /** The target times a training part [0, end) provides. */
  trainingTargets(end: number): Int32Array;
}
