/**
 * @module train/losses
 * The losses `fit` and `evaluate` take by name, over a model output and a batch's targets, counting
 * only what is real: per-step outputs (T,B,·) skip each row's padded steps (t ≥ lengths[b]) and
 * class targets equal to −100. "Mean" divides by the number of terms that count.
 *
 *   crossEntropy    L = mean −log softmax(o)[y]                       o (R,V), y (R) class ids
 *   mse             L = mean (ŷ − y)²                                 ŷ, y (R,O)
 *   bceWithLogits   L = mean max(z,0) − z·y + log(1 + e^{−|z|})       z, y (R,O), y in [0,1]
 *
 * R is B for per-sequence outputs (B,·) and T·B for per-step outputs (T,B,·), time-major.
 */
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import { crossEntropy } from '../layers/loss.js';
import type { LossValue } from '../layers/loss.js';
import type { Tensor } from '../nn/types.js';
import type { FloatArray } from '../tensor/types.js';
import { IGNORE_INDEX } from '../data/sequences.js';

/** A loss by name. */
export type LossName = 'crossEntropy' | 'mse' | 'bceWithLogits';

/** A loss: its mean over what counts, and ∂loss/∂output written into `dOut` when given. */
export type LossFunction = (k: Kernels, output: Tensor, targets: Int32Array | Float64Array, dOut: FloatArray | undefined) => LossValue;

/** The loss function of a name. */
export function lossFunction(loss: LossName | LossFunction): LossFunction {
  if (typeof loss === 'function') return loss;
  switch (loss) {
    case 'crossEntropy': return crossEntropyLoss;
    case 'mse': return mseLoss;
    case 'bceWithLogits': return bceWithLogitsLoss;
    default: throw new RecurError(`loss: expected "crossEntropy", "mse", "bceWithLogits" or a function, got ${JSON.stringify(loss)}`);
  }
}

/** Rows R and width W of an output, and which rows count: undefined when all do. */
export function outputRows(output: Tensor): { R: number; W: number; counts: Uint8Array | undefined } {
  const W = output.shape[output.shape.length - 1]!;
  const R = output.data.length / W;
  if (output.shape.length !== 3 || !output.lengths) return { R, W, counts: undefined };
  // rows in time-major order (t·B + b), or batch-first (b·T + t)
  const [T, B] = (output.batchFirst ? [output.shape[1], output.shape[0]] : output.shape) as [number, number];
  const counts = new Uint8Array(T * B);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) counts[output.batchFirst ? b * T + t : t * B + b] = t < output.lengths[b]! ? 1 : 0;
  }
  return { R, W, counts };
}

/** Class targets with padded steps turned into the ignore index. */
export function classTargets(output: Tensor, targets: Int32Array | Float64Array): Int32Array {
  const { R, counts } = outputRows(output);
  if (!(targets instanceof Int32Array)) throw new RecurError('crossEntropy: expected class ids (an Int32Array of targets), got float values; use "mse" or "bceWithLogits" for values');
  if (targets.length !== R) throw new RecurError(`targets: expected ${R} class ids (one per output row), got ${targets.length}`);
  if (!counts) return targets;
  return targets.map((y, r) => (counts[r] ? y : IGNORE_INDEX));
}

function crossEntropyLoss(k: Kernels, output: Tensor, targets: Int32Array | Float64Array, dOut: FloatArray | undefined): LossValue {
  const { R, W } = outputRows(output);
  return crossEntropy(k, output.data, classTargets(output, targets), dOut, R, W, { ignoreIndex: IGNORE_INDEX });
}

/** Value targets of the output's size, and which rows count. */
function valueTargets(output: Tensor, targets: Int32Array | Float64Array, what: string) {
  const rows = outputRows(output);
  if (targets.length !== output.data.length) {
    throw new RecurError(`${what}: expected ${output.data.length} target values (the output's shape (${output.shape.join(', ')})), got ${targets.length}`);
  }
  let count = rows.R * rows.W;
  if (rows.counts) { count = 0; for (const c of rows.counts) count += c * rows.W; }
  return { ...rows, count: Math.max(count, 1) };
}

/** A loss that is a mean of per-value terms ℓ(ŷ, y) over what counts, with ∂ℓ/∂ŷ. */
function elementwiseLoss(name: string, term: (z: number, y: number) => number, grad: (z: number, y: number) => number): LossFunction {
  return (_k, output, targets, dOut) => {
    const { R, W, counts, count } = valueTargets(output, targets, name);
    let total = 0;
    for (let r = 0; r < R; r++) {
      const on = !counts || counts[r] === 1;
      for (let j = 0; j < W; j++) {
        const i = r * W + j;
        if (on) total += term(output.data[i]!, targets[i]!);
        if (dOut) dOut[i] = on ? grad(output.data[i]!, targets[i]!) / count : 0;
      }
    }
    return { loss: total / count, count };
  };
}

// (ŷ − y)²;  ∂/∂ŷ = 2(ŷ − y)
const mseLoss = elementwiseLoss('mse', (z, y) => (z - y) ** 2, (z, y) => 2 * (z - y));

// max(z,0) − z·y + log(1 + e^{−|z|});  ∂/∂z = σ(z) − y
const bceWithLogitsLoss = elementwiseLoss('bceWithLogits',
  (z, y) => Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z))), (z, y) => 1 / (1 + Math.exp(-z)) - y);
