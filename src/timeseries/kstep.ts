/**
 * @module timeseries/kstep
 * d2l's k-step-ahead experiment (§9.1 "Sequence Models"), for horizons k = 1, 4, 16, 64 say: how the
 * error of a prediction k steps ahead grows with k, in the two loops.
 *
 *   closed loop (recursive)  the one-step model, iterated: ŷ_{t−k+1}, …, ŷ_t from the truth up to
 *                            t−k, each step feeding on the model's own earlier outputs (d2l's figure)
 *   open loop (direct)       a model of its own for each k, trained in open loop on the true values
 *                            k, …, k+p−1 steps back (feedback delays or lags shifted by k−1): it
 *                            never sees its own predictions, so its errors do not compound
 *   naive                    ŷ_t = y_{t−k}
 *
 * Every k is scored on the same targets: the test part [valEnd, n).
 */
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import { arLags } from './ar.js';
import type { Split } from './data.js';
import { metrics, type Metrics } from './metrics.js';
import { fitModels, type ModelOptions, type SeriesInput } from './pipeline.js';

/**
 * k-step-ahead errors per horizon: the closed-loop model's and one direct open-loop model's per k.
 */
export interface KStepResult {
  ks: number[];
  from: number;
  actual: Float64Array;
  closed: { metrics: Metrics; predictions: Float64Array }[];
  open: { metrics: Metrics; predictions: Float64Array; delays: number[] }[];
  naive: Metrics[];
}

/**
 * For each horizon k in ks, compare the closed-loop model run k steps with a direct model fitted to
 * predict k steps ahead (AR or NARX), on the test part of `split`.
 */
export function kStepExperiment(series: SeriesInput, o: ModelOptions, split: Split, ks: readonly number[], k: Kernels): KStepResult {
  if (o.kind !== 'ar' && o.kind !== 'narx') throw new RecurError(`--kstep: the direct (open-loop) k-step models need lags to shift; use --model ar or narx, not ${o.kind}`);
  if (o.kind === 'ar' && o.ic) throw new RecurError('--kstep: give the AR order with --lags (not --ic), so that every k uses the same lags');
  for (const h of ks) if (!Number.isSafeInteger(h) || h < 1) throw new RecurError(`--kstep: expected horizons ≥ 1, got ${h}`);
  const { n, valEnd } = split;
  const y = series.y;
  const actual = y.slice(valEnd);
  const one = fitModels(series, o, split, k).scored;
  const base = o.kind === 'ar' ? arLags(o.lags) : o.feedbackDelays;
  const result: KStepResult = { ks: [...ks], from: valEnd, actual, closed: [], open: [], naive: [] };
  for (const h of ks) {
    if (valEnd - h + 1 < one.model.minHistory) throw new RecurError(`--kstep ${h}: the test part starts at ${valEnd}, too early for ${h} steps ahead of a model with ${one.model.minHistory} lags`);
    const closed = one.predictKStep(y, series.exog, h, valEnd, n);
    result.closed.push({ metrics: metrics(actual, closed), predictions: closed });
    const delays = base.map((d) => d + h - 1);
    const direct = h === 1 ? one : fitModels(series, o.kind === 'ar' ? { ...o, lags: delays } : { ...o, feedbackDelays: delays }, split, k).scored;
    const open = direct.predictOpen(y, series.exog, valEnd, n);
    result.open.push({ metrics: metrics(actual, open), predictions: open, delays });
    result.naive.push(metrics(actual, y.slice(valEnd - h, n - h)));
  }
  return result;
}
