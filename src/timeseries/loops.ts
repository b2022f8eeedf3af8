/**
 * @module timeseries/loops
 * Running a one-step model (timeseries/model) over a series, in the two modes that NARX users know
 * as series-parallel and parallel:
 *
 *   open loop     ŷ_t = f(y_{t−1}, y_{t−2}, …)          true past values: one step ahead at every t
 *   closed loop   ŷ_t = f(ŷ_{t−1}, ŷ_{t−2}, …)          after the origin o, the model's own outputs:
 *                                                       a free run / dynamic forecast of any length
 *   k steps ahead ŷ_t from the truth up to t−k and k−1 own predictions in between (d2l §9.1)
 *
 * The gap between the first two is the surprise other NARX tools leave to their users: a model with
 * a tiny one-step error can drift far once it feeds on itself. Exogenous inputs are always the true
 * ones (they are inputs, not predictions).
 */
import { RecurError } from '../errors.js';
import type { StepModel } from './model.js';

/**
 * Open loop (each prediction reads the actual past) or closed loop (it reads its own predictions).
 */
export type Loop = 'open' | 'closed';

function checkRange(model: StepModel, from: number, what: string): void {
  if (from < model.minHistory) {
    throw new RecurError(`${what}: the model needs ${model.minHistory} earlier value${model.minHistory === 1 ? '' : 's'} before its first prediction, but it starts at index ${from}`);
  }
}

/** One-step predictions ŷ_t for t in [from, to), from the true z. */
export function openLoop(model: StepModel, z: ArrayLike<number>, x: ArrayLike<number> | undefined, from: number, to: number): Float64Array {
  checkRange(model, from, 'open-loop prediction');
  return model.predict(z, x, Int32Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i));
}

/** ŷ_{o}, …, ŷ_{o+steps−1}: z is read before the origin o only; x (when the model reads it) must
 *  cover the rows up to o + steps − 1. */
export function closedLoop(model: StepModel, z: ArrayLike<number>, x: ArrayLike<number> | undefined, origin: number, steps: number): Float64Array {
  checkRange(model, origin, 'closed-loop prediction');
  if (model.exogSize > 0 && (!x || x.length < (origin + steps) * model.exogSize)) {
    throw new RecurError(`closed-loop prediction: ${steps} steps from index ${origin} need the exogenous inputs up to row ${origin + steps}; a model with exogenous inputs cannot forecast past the end of its inputs`);
  }
  const buf = new Float64Array(origin + steps);
  for (let i = 0; i < origin; i++) buf[i] = z[i]!;
  const at = new Int32Array(1);
  for (let h = 0; h < steps; h++) {
    at[0] = origin + h;
    buf[origin + h] = model.predict(buf, x, at)[0]!;
  }
  return buf.slice(origin);
}

/** ŷ_t for t in [from, to), each from the truth up to t − k (k = 1 is the open loop). */
export function kStepAhead(model: StepModel, z: ArrayLike<number>, x: ArrayLike<number> | undefined, k: number, from: number, to: number): Float64Array {
  if (!Number.isSafeInteger(k) || k < 1) throw new RecurError(`k-step prediction: expected k ≥ 1, got ${k}`);
  if (k === 1) return openLoop(model, z, x, from, to);
  checkRange(model, from - k + 1, `${k}-step prediction`);
  const out = new Float64Array(Math.max(0, to - from));
  for (let t = from; t < to; t++) out[t - from] = closedLoop(model, z, x, t - k + 1, k)[k - 1]!;
  return out;
}
