/**
 * @module timeseries/data
 * The chronological split and the normalization a forecaster stores with itself.
 *
 *   | train ............................ | val ....... | test ....... |
 *   0                                 trainEnd      valEnd          n
 *
 * Nothing is shuffled across the boundaries: a model is fitted on train, stopped early on val, and
 * scored on test, which it never saw. Normalization is fitted on train only:
 *   z = (g(y) − μ) / σ,   g = log when asked (multiplicative seasonality, e.g. airline passengers)
 */
import { RecurError } from '../errors.js';

/**
 * A chronological split of n points: train [0, trainEnd), validation [trainEnd, valEnd), test
 * [valEnd, n).
 */
export interface Split {
  n: number;
  trainEnd: number; // train = [0, trainEnd)
  valEnd: number;   // val = [trainEnd, valEnd), test = [valEnd, n)
}

export const splitSizes = (s: Split) => ({ train: s.trainEnd, val: s.valEnd - s.trainEnd, test: s.n - s.valEnd });

/** The last `test` values for testing, the `val` before them for validation, the rest for training. */
export function chronologicalSplit(n: number, test: number, val: number, minTrain = 2): Split {
  if (!Number.isSafeInteger(test) || test < 0 || !Number.isSafeInteger(val) || val < 0) {
    throw new RecurError(`split: expected whole numbers of values ≥ 0 for test and validation, got ${test} and ${val}`);
  }
  const trainEnd = n - test - val;
  if (trainEnd < minTrain) {
    throw new RecurError(`split: a series of ${n} values with ${test} held out for test and ${val} for validation leaves ${Math.max(0, trainEnd)} to train on; need at least ${minTrain}`);
  }
  return { n, trainEnd, valEnd: n - test };
}

/** A split size given as a count ("24") or a fraction of n ("0.2"). */
export function sizeOf(spec: number, n: number): number {
  return spec > 0 && spec < 1 ? Math.round(spec * n) : spec;
}

/** A column's mean and standard deviation. */
export interface Scale {
  mean: number;
  std: number;
}

/**
 * How a series is normalized: optionally the log of the target, then each column standardized with
 * its training-part Scale.
 */
export interface Normalization {
  log: boolean;       // the target only
  target: Scale;
  exog: Scale[];      // one per exogenous column
}

/** Mean and (population) standard deviation of values[from, to); a constant part gets std 1. */
export function scaleOf(values: ArrayLike<number>, from = 0, to = values.length, stride = 1, offset = 0): Scale {
  let s = 0, n = 0;
  for (let i = from; i < to; i++) { s += values[i * stride + offset]!; n++; }
  const mean = n > 0 ? s / n : 0;
  let v = 0;
  for (let i = from; i < to; i++) { const d = values[i * stride + offset]! - mean; v += d * d; }
  const std = n > 0 ? Math.sqrt(v / n) : 0;
  return { mean, std: std > 0 ? std : 1 };
}

/** g(y): log when asked (every value must be > 0). `what` names the series in the error. */
export function transformTarget(y: ArrayLike<number>, log: boolean, what: string): Float64Array {
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (log && !(v > 0)) throw new RecurError(`${what}: --log needs every value > 0, got ${v} at row ${i + 1}`);
    out[i] = log ? Math.log(v) : v;
  }
  return out;
}

/** Fit on the training rows [0, trainEnd): the target after g, and each exogenous column. */
export function fitNormalization(y: ArrayLike<number>, exog: ArrayLike<number> | undefined, m: number, trainEnd: number,
                                 log: boolean, standardize: boolean, what: string): Normalization {
  const g = transformTarget(y, log, what);
  const identity = { mean: 0, std: 1 };
  return {
    log,
    target: standardize ? scaleOf(g, 0, trainEnd) : identity,
    exog: Array.from({ length: m }, (_, j) => (standardize ? scaleOf(exog!, 0, trainEnd, m, j) : identity)),
  };
}

/** z = (g(y) − μ) / σ for the target. */
export function normalizeTarget(y: ArrayLike<number>, nz: Normalization, what: string): Float64Array {
  const g = transformTarget(y, nz.log, what);
  for (let i = 0; i < g.length; i++) g[i] = (g[i]! - nz.target.mean) / nz.target.std;
  return g;
}

/** The inverse: y = g⁻¹(z σ + μ). */
export function denormalizeTarget(z: ArrayLike<number>, nz: Normalization): Float64Array {
  const out = new Float64Array(z.length);
  for (let i = 0; i < z.length; i++) {
    const v = z[i]! * nz.target.std + nz.target.mean;
    out[i] = nz.log ? Math.exp(v) : v;
  }
  return out;
}

/** Exogenous columns (n, m) standardized with their stored scales. */
export function normalizeExog(x: ArrayLike<number> | undefined, nz: Normalization): Float64Array | undefined {
  if (!x) return undefined;
  const m = nz.exog.length;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) { const s = nz.exog[i % m]!; out[i] = (x[i]! - s.mean) / s.std; }
  return out;
}
