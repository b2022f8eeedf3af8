/**
 * @module timeseries/metrics
 * Forecast errors and the two baselines every forecast is shown beside. With e_t = ŷ_t − y_t over n
 * values:
 *
 *   RMSE  = √(Σ e² / n)          MAE = Σ |e| / n
 *   MAPE  = 100/n Σ |e / y|      (undefined, null in JSON, when some y = 0)
 *   sMAPE = 100/n Σ 2|e| / (|y| + |ŷ|)   (a term with y = ŷ = 0 counts 0)
 *   NRMSE = RMSE / std(y)        (population std of the actual values; 1 = as good as their mean)
 *
 * Baselines, in the two modes a model is run in:
 *   one step ahead (open loop):   naive ŷ_t = y_{t−1}            seasonal naive ŷ_t = y_{t−S}
 *   from an origin o (closed):    naive ŷ_{o+h} = y_{o−1}        seasonal naive ŷ_{o+h} = y_{o+h−S·⌈(h+1)/S⌉}
 * (h = 0, 1, …: the last value, or the last observed season, repeated).
 */
/**
 * Forecast errors of ŷ against y: RMSE, MAE, MAPE (null where some y = 0), sMAPE and NRMSE (RMSE over
 * the standard deviation of y).
 */
export interface Metrics {
  rmse: number;        // √(Σ e² / n), in the data's units
  mae: number;         // Σ |e| / n
  mape: number | null; // 100/n Σ |e / y| (%); null when some y = 0
  smape: number;       // 100/n Σ 2|e| / (|y| + |ŷ|) (%)
  nrmse: number;       // RMSE / std(y): 1 is as good as the mean
}

/** The forecast errors of `predicted` against `actual` (equal lengths). */
export function metrics(actual: ArrayLike<number>, predicted: ArrayLike<number>): Metrics {
  const n = actual.length;
  if (predicted.length !== n) throw new Error(`metrics: ${n} actual values but ${predicted.length} predictions`);
  let se = 0, ae = 0, ape = 0, sape = 0, mean = 0;
  let zero = false;
  for (let i = 0; i < n; i++) mean += actual[i]!;
  mean /= Math.max(n, 1);
  let variance = 0;
  for (let i = 0; i < n; i++) {
    const y = actual[i]!, p = predicted[i]!;
    const e = p - y;
    se += e * e;
    ae += Math.abs(e);
    if (y === 0) zero = true; else ape += Math.abs(e / y);
    const d = Math.abs(y) + Math.abs(p);
    if (d > 0) sape += (2 * Math.abs(e)) / d;
    variance += (y - mean) * (y - mean);
  }
  const rmse = Math.sqrt(se / n);
  const std = Math.sqrt(variance / n);
  return { rmse, mae: ae / n, mape: zero ? null : (100 * ape) / n, smape: (100 * sape) / n, nrmse: std > 0 ? rmse / std : Infinity };
}

/** One-step-ahead baselines for t in [from, to): y_{t−1} and y_{t−S}. */
export function oneStepBaselines(y: ArrayLike<number>, from: number, to: number, S: number): { naive: Float64Array; seasonalNaive: Float64Array } {
  const naive = new Float64Array(to - from);
  const seasonalNaive = new Float64Array(to - from);
  for (let t = from; t < to; t++) {
    naive[t - from] = y[t - 1]!;
    seasonalNaive[t - from] = y[t - S]!;
  }
  return { naive, seasonalNaive };
}

/** Multi-step baselines from origin o (y known before o) for h = 0 … steps−1. */
export function originBaselines(y: ArrayLike<number>, origin: number, steps: number, S: number): { naive: Float64Array; seasonalNaive: Float64Array } {
  const naive = new Float64Array(steps).fill(y[origin - 1]!);
  const seasonalNaive = new Float64Array(steps);
  for (let h = 0; h < steps; h++) seasonalNaive[h] = y[origin + h - S * Math.ceil((h + 1) / S)]!;
  return { naive, seasonalNaive };
}

/** The lag in [2, maxLag] with the largest sample autocorrelation of y, when it exceeds `threshold`
 *  (a seasonal period to default to); otherwise 1 (seasonal naive = naive). */
export function dominantPeriod(y: ArrayLike<number>, maxLag: number, threshold = 0.3): number {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]!;
  mean /= n;
  let c0 = 0;
  for (let i = 0; i < n; i++) c0 += (y[i]! - mean) ** 2;
  if (c0 === 0) return 1;
  let best = 1, bestR = threshold;
  // a period is a local maximum of the autocorrelation, not the slow decay at small lags
  const r = (lag: number) => { let s = 0; for (let i = lag; i < n; i++) s += (y[i]! - mean) * (y[i - lag]! - mean); return s / c0; };
  const acf = Array.from({ length: Math.min(maxLag, n - 2) + 2 }, (_, lag) => (lag === 0 ? 1 : r(lag)));
  for (let lag = 2; lag < acf.length - 1; lag++) {
    if (acf[lag]! > acf[lag - 1]! && acf[lag]! >= acf[lag + 1]! && acf[lag]! > bestR) { best = lag; bestR = acf[lag]!; }
  }
  return best;
}
