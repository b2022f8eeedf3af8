/**
 * @module layers/loss
 * Losses summed over every step, as the notes train an RNN: L = Σ_t L_t.
 *
 *   cross-entropy  L_t = −log softmax(o_t)[y_t]   (language models; perplexity = exp(mean L_t))
 *   squared error  L_t = (ŷ_t − y_t)²              (time series)
 *
 * "mean" divides by the number of terms that count (PyTorch's reduction='mean': ignored targets
 * excluded), "sum" does not. R rows (T·B), V classes.
 */
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import type { FloatArray } from '../tensor/types.js';

/** How per-row losses are combined: their mean or their sum. */
export type Reduction = 'mean' | 'sum';

/**
 * Options of crossEntropy: the reduction (default 'mean') and a target index that counts nothing
 * (default −100, as PyTorch).
 */
export interface CrossEntropyOptions {
  reduction?: Reduction;   // default 'mean'
  ignoreIndex?: number;    // targets equal to this add nothing (padding); default −100 as PyTorch
}

/** A loss, reduced as asked, and how many terms it counted. */
export interface LossValue {
  loss: number;  // reduced as asked
  count: number; // how many terms counted
}

/** Loss of logits (R,V) against targets (R); when dLogits is given, writes ∂loss/∂logits there. */
export function crossEntropy(k: Kernels, logits: FloatArray, targets: Int32Array, dLogits: FloatArray | undefined,
                             R: number, V: number, opt: CrossEntropyOptions = {}): LossValue {
  const ignore = opt.ignoreIndex ?? -100;
  let count = 0;
  for (let r = 0; r < R; r++) {
    const y = targets[r]!;
    if (y === ignore) continue;
    if (y < 0 || y >= V) throw new RecurError(`targets: expected class indices in 0..${V - 1} (or ${ignore} to ignore), got ${y} at position ${r}`);
    count++;
  }
  const scale = opt.reduction === 'sum' ? 1 : 1 / Math.max(count, 1);
  const total = k.softmaxCrossEntropy(logits, targets, dLogits, R, V, ignore, scale);
  return { loss: total * scale, count };
}

/** Squared error of pred against target (n values); when dPred is given, writes ∂loss/∂pred. */
export function mse(pred: FloatArray, target: ArrayLike<number>, dPred: FloatArray | undefined, n: number,
                    reduction: Reduction = 'mean'): LossValue {
  const scale = reduction === 'sum' ? 1 : 1 / Math.max(n, 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const d = pred[i]! - target[i]!;
    total += d * d;
    if (dPred) dPred[i] = 2 * d * scale;
  }
  return { loss: total * scale, count: n };
}
