/**
 * @module nn/layout
 * Batch-first ↔ time-major, PyTorch's `batch_first`: (B,T,F) ↔ (T,B,F). recur computes time-major;
 * batch-first values are transposed at the model's edge.
 */

/** dst (d1,d0,F) = src (d0,d1,F) with the first two axes swapped. */
export function swapLeadingAxes<A extends { [i: number]: number; length: number }>(dst: A, src: ArrayLike<number>,
                                                                                 d0: number, d1: number, F: number): A {
  for (let i = 0; i < d0; i++) {
    for (let j = 0; j < d1; j++) {
      const s = (i * d1 + j) * F;
      const d = (j * d0 + i) * F;
      for (let f = 0; f < F; f++) dst[d + f] = src[s + f]!;
    }
  }
  return dst;
}
