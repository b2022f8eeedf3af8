/**
 * @module timeseries/narx
 * The nonlinear autoregressive model with exogenous inputs of the notes:
 *
 *   y_t = f(x_t, x_{t−1}, …, x_{t−Kx}, y_{t−1}, …, y_{t−Ky})
 *
 * with f a small MLP (timeseries/mlp: tanh hidden layers, linear output). Delays are lists (input
 * delays ≥ 0, feedback delays ≥ 1); a count K means 0…K for inputs (x_t is in the notes' sum) and
 * 1…K for feedback. Every delayed value of every exogenous column is one regressor:
 *
 *   r_t = [x_{t−d}[j] for d in inputDelays for j < m,  y_{t−d} for d in feedbackDelays]
 *
 * Training is always open loop (series-parallel: the true y_{t−d} are the regressors, i.e. teacher
 * forcing), which makes it plain regression. Prediction runs in either loop (timeseries/loops); the
 * closed loop feeds the model's own outputs back into the y regressors and is where errors compound.
 * With feedback delays {k, …, k+p−1} and no inputs, it is a direct k-step-ahead model.
 */
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import { mse } from '../layers/loss.js';
import { ParamSet } from '../layers/params.js';
import type { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import { initMlp, Mlp, mlpSpecs, type MlpConfig } from './mlp.js';
import type { TrainableModel } from './model.js';

/**
 * A NARX model: ŷ_t = f(y at the feedback delays, x at the input delays), f an MLP with these
 * hidden layers.
 */
export interface NarxConfig {
  exogSize: number;          // m
  inputDelays: number[];     // of x (ignored when m = 0)
  feedbackDelays: number[];  // of y
  hidden: number[];          // the MLP's tanh layers
}

/** A delay count K or an explicit list, as the CLI and the config carry them. */
export function delayList(spec: number | readonly number[], min: 0 | 1, what: string): number[] {
  if (typeof spec === 'number') {
    if (!Number.isSafeInteger(spec) || spec < 0) throw new RecurError(`${what}: expected a count ≥ 0 or a list of delays, got ${spec}`);
    return Array.from({ length: min === 0 ? spec + 1 : spec }, (_, i) => i + min);
  }
  const seen = new Set<number>();
  for (const d of spec) {
    if (!Number.isSafeInteger(d) || d < min) throw new RecurError(`${what}: expected delays that are integers ≥ ${min}, got ${d}`);
    if (seen.has(d)) throw new RecurError(`${what}: delay ${d} is listed twice`);
    seen.add(d);
  }
  return [...spec];
}

export function checkNarxConfig(c: NarxConfig, what = 'NARX'): void {
  // a config read from a file may hold anything: lists first, before they are iterated
  for (const key of ['inputDelays', 'feedbackDelays', 'hidden'] as const) {
    if (!Array.isArray(c[key])) throw new RecurError(`${what}: ${key} must be a list of integers, got ${JSON.stringify(c[key]) ?? 'nothing'}`);
  }
  delayList(c.inputDelays, 0, `${what}: inputDelays`);
  delayList(c.feedbackDelays, 1, `${what}: feedbackDelays`);
  if (!Number.isSafeInteger(c.exogSize) || c.exogSize < 0) throw new RecurError(`${what}: exogSize must be an integer ≥ 0, got ${c.exogSize}`);
  if (regressorCount(c) === 0) throw new RecurError(`${what}: no regressors: give feedback delays, or exogenous inputs with input delays`);
  for (const h of c.hidden) if (!Number.isSafeInteger(h) || h < 1) throw new RecurError(`${what}: hidden sizes must be positive integers, got ${h}`);
}

export const regressorCount = (c: NarxConfig): number => (c.exogSize > 0 ? c.exogSize * c.inputDelays.length : 0) + c.feedbackDelays.length;

export const mlpConfigOf = (c: NarxConfig): MlpConfig => ({ inputSize: regressorCount(c), hidden: c.hidden, outputSize: 1 });

export class Narx implements TrainableModel {
  readonly config: NarxConfig;
  readonly params: ParamSet;
  readonly minHistory: number;
  private readonly k: Kernels;
  private readonly mlp: Mlp;
  private r: Float64Array = new Float64Array(0);
  private dPred: FloatArray;

  constructor(config: NarxConfig, k: Kernels, rng: Rng) {
    checkNarxConfig(config);
    this.config = config;
    this.k = k;
    const mc = mlpConfigOf(config);
    this.params = new ParamSet(k, mlpSpecs(mc, 'net.'));
    initMlp(this.params, mc, 'net.', rng);
    this.mlp = new Mlp(mc, k, this.params, 'net.');
    const inputs = config.exogSize > 0 ? config.inputDelays : [];
    this.minHistory = Math.max(0, ...inputs, ...config.feedbackDelays);
    this.dPred = k.alloc(0);
  }

  get exogSize(): number { return this.config.exogSize; }

  /** r (R, D) for the target times ts. */
  regressors(z: ArrayLike<number>, x: ArrayLike<number> | undefined, ts: ArrayLike<number>): Float64Array {
    const { exogSize: m, inputDelays, feedbackDelays } = this.config;
    const D = regressorCount(this.config);
    const R = ts.length;
    if (this.r.length < R * D) this.r = new Float64Array(R * D);
    const r = this.r;
    if (m > 0 && !x) throw new RecurError(`NARX: the model reads ${m} exogenous input${m === 1 ? '' : 's'}, none given`);
    for (let i = 0; i < R; i++) {
      const t = ts[i]!;
      let c = i * D;
      if (m > 0) for (const d of inputDelays) for (let j = 0; j < m; j++) r[c++] = x![(t - d) * m + j]!;
      for (const d of feedbackDelays) r[c++] = z[t - d]!;
    }
    return r;
  }

  predict(z: ArrayLike<number>, x: ArrayLike<number> | undefined, ts: ArrayLike<number>): Float64Array {
    const out = new Float64Array(ts.length);
    const CHUNK = 1024;
    for (let s = 0; s < ts.length; s += CHUNK) {
      const part = Array.prototype.slice.call(ts, s, Math.min(ts.length, s + CHUNK)) as number[];
      const y = this.mlp.forward(this.regressors(z, x, part), part.length);
      for (let i = 0; i < part.length; i++) out[s + i] = y[i]!;
    }
    return out;
  }

  lossAndGrad(z: ArrayLike<number>, x: ArrayLike<number> | undefined, ts: ArrayLike<number>): number {
    const R = ts.length;
    const y = this.mlp.forward(this.regressors(z, x, ts), R);
    if (this.dPred.length < R) { this.k.free(this.dPred); this.dPred = this.k.alloc(R); }
    const target = new Float64Array(R);
    for (let i = 0; i < R; i++) target[i] = z[ts[i]!]!;
    const { loss } = mse(y, target, this.dPred, R);
    this.mlp.backward(this.dPred.subarray(0, R));
    return loss;
  }

  trainingTargets(end: number): Int32Array {
    const from = this.minHistory;
    return Int32Array.from({ length: Math.max(0, end - from) }, (_, i) => from + i);
  }
}
