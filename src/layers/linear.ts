/**
 * @module layers/linear
 * The output layer of the notes, O_t = W_qh H_t + b_q, applied to all T·B rows at once.
 * PyTorch's nn.Linear: weight (O,I), bias (O), init U(−1/√I, 1/√I).
 * R rows (T·B), I in features, O out features.
 */
import type { Kernels } from '../kernels/types.js';
import type { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import type { ParamSet, ParamSpec } from './params.js';

/**
 * The parameters of a linear layer of I inputs and O outputs: `${prefix}weight` (O,I) and, with
 * `bias`, `${prefix}bias` (O).
 */
export const linearSpecs = (prefix: string, I: number, O: number, bias = true): ParamSpec[] => [
  { name: `${prefix}weight`, shape: [O, I] },
  ...(bias ? [{ name: `${prefix}bias`, shape: [O] }] : []),
];

/** PyTorch's nn.Linear initialisation: weight and bias uniform in ±1/√I, drawn from rng. */
export function initLinear(params: ParamSet, prefix: string, I: number, rng: Rng): void {
  const bound = 1 / Math.sqrt(I);
  for (const name of [`${prefix}weight`, `${prefix}bias`]) {
    if (!params.has(name)) continue;
    const p = params.get(name).data;
    for (let i = 0; i < p.length; i++) p[i] = rng.uniformIn(-bound, bound);
  }
}

/** A linear layer over R rows, written into y: y (R,O) = x (R,I) · Wᵀ + b, W (O,I), b (O) or none. */
export function linearForward(k: Kernels, y: FloatArray, x: FloatArray, w: FloatArray, b: FloatArray | undefined,
                              R: number, I: number, O: number): void {
  if (b) k.fillRows(y, b, R, O);
  k.gemm(false, true, R, O, I, x, w, y, b !== undefined);
}

/**
 * The gradients of linearForward from dy (R,O) = ∂L/∂y, accumulated (+=) into dw (O,I), db (O) and
 * dx (R,I) (each skipped when undefined).
 */
// in the forward pass this was y = x·Wᵀ + b, so (∂L/∂W_qh = Σ_t ∂L/∂o_t h_tᵀ in the notes):
//   dW += dyᵀ (O,R) · x (R,I);   db += Σ_rows dy;   dx += dy (R,O) · W (O,I)
export function linearBackward(k: Kernels, dx: FloatArray | undefined, dw: FloatArray, db: FloatArray | undefined,
                               dy: FloatArray, x: FloatArray, w: FloatArray, R: number, I: number, O: number): void {
  k.gemm(true, false, O, I, R, dy, x, dw, true);
  if (db) k.addRowSums(db, dy, R, O);
  if (dx) k.gemm(false, false, R, I, O, dy, w, dx, true);
}
