/**
 * @module layers/embedding
 * A lookup table of token vectors, PyTorch's nn.Embedding: weight (V,E), init N(0, 1).
 * R rows (token positions), V vocabulary, E embedding size.
 */
import { RecurError } from '../errors.js';
import type { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import type { ParamSet, ParamSpec } from './params.js';

/** The parameter of an embedding of V tokens into E dimensions: `${prefix}weight` (V,E). */
export const embeddingSpecs = (prefix: string, V: number, E: number): ParamSpec[] => [
  { name: `${prefix}weight`, shape: [V, E] },
];

/** PyTorch's nn.Embedding initialisation: every weight drawn from N(0, 1). */
export function initEmbedding(params: ParamSet, prefix: string, rng: Rng): void {
  const w = params.get(`${prefix}weight`).data;
  for (let i = 0; i < w.length; i++) w[i] = rng.normal();
}

/** Every index in 0..V−1, or a RecurError naming the first that is not. */
export function checkIndices(idx: Int32Array, V: number, what: string): void {
  for (let r = 0; r < idx.length; r++) {
    const v = idx[r]!;
    if (v < 0 || v >= V) throw new RecurError(`${what}: expected token indices in 0..${V - 1}, got ${v} at position ${r}`);
  }
}

/** Look up R token ids: out[r,:] = W[idx[r],:], out (R,E), W (V,E). Indices are not checked here (checkIndices does). */
export function embeddingForward(out: FloatArray, idx: Int32Array, w: FloatArray, R: number, E: number): void {
  for (let r = 0; r < R; r++) {
    const o = idx[r]! * E;
    for (let j = 0; j < E; j++) out[r * E + j] = w[o + j]!;
  }
}

/** The gradient of embeddingForward, accumulated: dW[idx[r],:] += dout[r,:] (a token seen twice gets both gradients). */
export function embeddingBackward(dw: FloatArray, dout: FloatArray, idx: Int32Array, R: number, E: number): void {
  for (let r = 0; r < R; r++) {
    const o = idx[r]! * E;
    for (let j = 0; j < E; j++) dw[o + j]! += dout[r * E + j]!;
  }
}

/** out (R,V) = one-hot rows: the input encoding d2l's language models use instead of an embedding. */
export function oneHot(out: FloatArray, idx: Int32Array, R: number, V: number): void {
  out.fill(0, 0, R * V);
  for (let r = 0; r < R; r++) out[r * V + idx[r]!] = 1;
}
