/**
 * @module timeseries/ar
 * The autoregressive model of the notes, fitted by least squares in float64:
 *
 *   y_t = w_0 + Σ_{k ∈ lags} w_k y_{t−k} + ε_t,     ε_t ~ N(0, σ²)
 *
 * exactly as statsmodels' `AutoReg(y, lags, trend='c' | 'n').fit()` defines it (conditional least
 * squares): the design has one row per t = holdBack … n−1 (holdBack defaults to the largest lag, so
 * the first max(lags) observations are only regressors), columns [1, y_{t−l₁}, y_{t−l₂}, …]; no
 * intercept column with trend 'n'. A lag list uses only those lags (2, 5 and 12, say); its
 * coefficients come in the list's order (statsmodels sorts the list first).
 *
 * With k regressors and n' = n − holdBack rows, as statsmodels' AutoRegResults computes them:
 *   σ² = SSR / n'                   (the MLE, not SSR / (n' − k))
 *   llf = −n'/2 · (log 2π + log σ² + 1)
 *   AIC = −2 llf + 2 (k + 1)        BIC = −2 llf + log(n') (k + 1)        HQIC = −2 llf + 2 log(log n') (k + 1)
 * (the +1 counts σ²). Order selection (`selectArOrder`) compares AR(0) … AR(maxLag) on the same rows
 * (holdBack = maxLag), as `ar_select_order(y, maxLag, ic, glob=False)` does.
 */
import { RecurError } from '../errors.js';
import { lstsq } from './linalg.js';

/** An AR model's deterministic term: 'c' a constant, 'n' none. */
export type Trend = 'c' | 'n';
/** The criteria selectArOrder can minimise: Akaike's, Schwarz's (Bayesian) or Hannan-Quinn's. */
export type InformationCriterion = 'aic' | 'bic' | 'hqic';

/** An AR model's lags and trend. */
export interface ArSpec {
  lags: readonly number[]; // in the order the coefficients come
  trend: Trend;
}

/**
 * An AR model fitted by least squares: coefficients, residual variance, log-likelihood and
 * information criteria (as statsmodels' AutoReg).
 */
export interface ArFit extends ArSpec {
  params: Float64Array;    // [w_0 when trend 'c', then w_l for l in lags]
  holdBack: number;
  nobs: number;            // rows of the design: n − holdBack
  sigma2: number;
  llf: number;
  aic: number;
  bic: number;
  hqic: number;
  fitted: Float64Array;    // (nobs) ŷ_t for t = holdBack … n−1
  residuals: Float64Array; // (nobs)
}

/** A lag count p → [1 … p]; a list is checked (positive integers, no repeats) and kept in order. */
export function arLags(lags: number | readonly number[], what = 'lags'): number[] {
  if (typeof lags === 'number') {
    if (!Number.isSafeInteger(lags) || lags < 0) throw new RecurError(`${what}: expected an integer ≥ 0, got ${lags}`);
    return Array.from({ length: lags }, (_, i) => i + 1);
  }
  const seen = new Set<number>();
  for (const l of lags) {
    if (!Number.isSafeInteger(l) || l < 1) throw new RecurError(`${what}: expected positive integer lags, got ${l}`);
    if (seen.has(l)) throw new RecurError(`${what}: lag ${l} is listed twice`);
    seen.add(l);
  }
  return [...lags];
}

export const maxLag = (lags: readonly number[]): number => lags.reduce((a, b) => Math.max(a, b), 0);

/** Column names of the design, for messages and output. */
export function arColumnNames(spec: ArSpec): string[] {
  return [...(spec.trend === 'c' ? ['intercept'] : []), ...spec.lags.map((l) => `lag ${l}`)];
}

/** Fit AR by least squares on y (every value finite). */
export function fitAr(y: ArrayLike<number>, spec: ArSpec, holdBack?: number): ArFit {
  const lags = arLags(spec.lags);
  const n = y.length;
  const P = maxLag(lags);
  const hb = holdBack ?? P;
  if (!Number.isSafeInteger(hb) || hb < P) throw new RecurError(`AR: holdBack must be an integer ≥ the largest lag ${P}, got ${hb}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(y[i]!)) throw new RecurError(`AR: the series has a non-finite value (${y[i]}) at index ${i}`);
  }
  const k = (spec.trend === 'c' ? 1 : 0) + lags.length;
  const what = `AR(${describeLags(lags)})${spec.trend === 'c' ? ' with an intercept' : ' without an intercept'}`;
  if (k === 0) throw new RecurError(`${what} has no coefficients to fit: give at least one lag, or trend "c"`);
  const m = n - hb;
  if (m < k) {
    throw new RecurError(`${what} has ${k} coefficient${k === 1 ? '' : 's'}, but a series of ${n} values leaves ${Math.max(0, m)} rows once the first ${hb} are held back: the series is too short (need at least ${hb + k} values)`);
  }
  const X = new Float64Array(m * k);
  const target = new Float64Array(m);
  for (let r = 0; r < m; r++) {
    const t = hb + r;
    let c = 0;
    if (spec.trend === 'c') X[r * k + c++] = 1;
    for (const l of lags) X[r * k + c++] = y[t - l]!;
    target[r] = y[t]!;
  }
  const ls = lstsq(X, target, m, k, arColumnNames({ lags, trend: spec.trend }));
  const fitted = new Float64Array(m);
  for (let r = 0; r < m; r++) fitted[r] = target[r]! - ls.residuals[r]!;
  return { lags, trend: spec.trend, params: ls.beta, holdBack: hb, nobs: m, ...criteria(ls.ssr, m, k), fitted, residuals: ls.residuals };
}

/** σ², llf and the information criteria of a fit with SSR `ssr` on n rows and k regressors. */
export function criteria(ssr: number, n: number, k: number): { sigma2: number; llf: number; aic: number; bic: number; hqic: number } {
  const sigma2 = ssr / n;
  const llf = -(n / 2) * (Math.log(2 * Math.PI) + Math.log(sigma2) + 1);
  const df = k + 1;
  return { sigma2, llf, aic: -2 * llf + 2 * df, bic: -2 * llf + Math.log(n) * df, hqic: -2 * llf + 2 * Math.log(Math.log(n)) * df };
}

/** The order selectArOrder chose, by which criterion, and every candidate's scores. */
export interface OrderSelection {
  order: number;
  ic: InformationCriterion;
  /** Every candidate p = 0 … maxLag on the common rows t ≥ maxLag. */
  table: { order: number; aic: number; bic: number; hqic: number }[];
}

/** The p in 0 … maxLag minimising the criterion, all fitted on the rows t ≥ maxLag (ties: the smaller p). */
export function selectArOrder(y: ArrayLike<number>, maxLagValue: number, ic: InformationCriterion, trend: Trend): OrderSelection {
  if (!Number.isSafeInteger(maxLagValue) || maxLagValue < 1) throw new RecurError(`AR order selection: expected a maximum lag ≥ 1, got ${maxLagValue}`);
  const table: OrderSelection['table'] = [];
  for (let p = trend === 'n' ? 1 : 0; p <= maxLagValue; p++) {
    const f = fitAr(y, { lags: arLags(p), trend }, maxLagValue);
    table.push({ order: p, aic: f.aic, bic: f.bic, hqic: f.hqic });
  }
  if (trend === 'n') {
    // AR(0) without an intercept: ŷ = 0, the residuals are y itself (statsmodels' "no regressor" case)
    let ssr = 0;
    for (let t = maxLagValue; t < y.length; t++) ssr += y[t]! * y[t]!;
    const c = criteria(ssr, y.length - maxLagValue, 0);
    table.unshift({ order: 0, aic: c.aic, bic: c.bic, hqic: c.hqic });
  }
  let best = table[0]!;
  for (const row of table) if (row[ic] < best[ic]) best = row;
  return { order: best.order, ic, table };
}

/** ŷ_t = w_0 + Σ w_l y_{t−l}, reading y at t − l (which the caller has filled, true or predicted). */
export function arPredictAt(params: ArrayLike<number>, spec: ArSpec, y: ArrayLike<number>, t: number): number {
  let c = 0;
  let s = spec.trend === 'c' ? params[c++]! : 0;
  for (const l of spec.lags) s += params[c++]! * y[t - l]!;
  return s;
}

function describeLags(lags: readonly number[]): string {
  const consecutive = lags.every((l, i) => l === i + 1);
  return consecutive ? String(lags.length) : `lags ${lags.join(',')}`;
}

/** A fitted AR as a one-step predictor for the loops (timeseries/loops). */
export class ArModel {
  readonly spec: ArSpec;
  readonly params: Float64Array;
  readonly minHistory: number;
  readonly exogSize = 0;

  constructor(spec: ArSpec, params: ArrayLike<number>) {
    const lags = arLags(spec.lags);
    const k = (spec.trend === 'c' ? 1 : 0) + lags.length;
    if (params.length !== k) throw new RecurError(`AR: expected ${k} coefficients (${arColumnNames({ lags, trend: spec.trend }).join(', ')}), got ${params.length}`);
    this.spec = { lags, trend: spec.trend };
    this.params = Float64Array.from(params as ArrayLike<number>);
    this.minHistory = maxLag(lags);
  }

  /** Fit an AR model of `spec` to the series y: the predictor and its fit. */
  static fit(y: ArrayLike<number>, spec: ArSpec): { model: ArModel; fit: ArFit } {
    const fit = fitAr(y, spec);
    return { model: new ArModel(fit, fit.params), fit };
  }

  /** ŷ_t for each t in ts from the series z before t (the exogenous input is unused). */
  predict(z: ArrayLike<number>, _x: ArrayLike<number> | undefined, ts: ArrayLike<number>): Float64Array {
    const out = new Float64Array(ts.length);
    for (let i = 0; i < ts.length; i++) out[i] = arPredictAt(this.params, this.spec, z, ts[i]!);
    return out;
  }
}
