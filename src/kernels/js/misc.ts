/**
 * @module kernels/js/misc
 * Broadcasts, reductions and the softmax cross-entropy loss. R rows, N or V columns.
 */
import type { FloatArray } from '../../tensor/types.js';

export function fillRows(out: FloatArray, v: FloatArray, R: number, N: number): void {
  for (let r = 0; r < R; r++) out.set(v.subarray(0, N), r * N);
}

export function addRowSums(out: FloatArray, A: FloatArray, R: number, N: number): void {
  for (let r = 0; r < R; r++) {
    const o = r * N;
    for (let j = 0; j < N; j++) out[j]! += A[o + j]!;
  }
}

export function add(out: FloatArray, a: FloatArray, b: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
}

// loss_r = −log softmax(logits_r)[y_r] = logsumexp(logits_r) − logits_r[y_r]
// dlogits_r = scale · (softmax(logits_r) − onehot(y_r))
export function softmaxCrossEntropy(logits: FloatArray, targets: Int32Array, dLogits: FloatArray | undefined,
                                    R: number, V: number, ignoreIndex: number, scale: number): number {
  let total = 0;
  for (let r = 0; r < R; r++) {
    const o = r * V;
    const y = targets[r]!;
    if (y === ignoreIndex) {
      if (dLogits) dLogits.fill(0, o, o + V);
      continue;
    }
    let max = -Infinity;
    for (let v = 0; v < V; v++) if (logits[o + v]! > max) max = logits[o + v]!;
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(logits[o + v]! - max);
    const logZ = max + Math.log(sum);
    total += logZ - logits[o + y]!;
    if (dLogits) {
      for (let v = 0; v < V; v++) dLogits[o + v] = scale * Math.exp(logits[o + v]! - logZ);
      dLogits[o + y]! -= scale;
    }
  }
  return total;
}

// x_r = onehot(idx[r]) (I): (x · Wᵀ)[r, n] = W[n, idx[r]], so the product is a gather of columns
//   out[r, n] = W[n, idx[r]] + b[n]
export function oneHotProject(out: FloatArray, idx: Int32Array, W: FloatArray, b: FloatArray | undefined,
                              R: number, N: number, I: number): void {
  for (let r = 0; r < R; r++) {
    const v = idx[r]!;
    const o = r * N;
    for (let n = 0; n < N; n++) out[o + n] = W[n * I + v]! + (b ? b[n]! : 0);
  }
}

// its gradient, (dOutᵀ · x)[n, v] = Σ_{r: idx[r] = v} dOut[r, n]: a scatter-add into W's columns
//   dW[n, idx[r]] += dOut[r, n]
export function oneHotProjectBackward(dW: FloatArray, dOut: FloatArray, idx: Int32Array,
                                      R: number, N: number, I: number): void {
  for (let r = 0; r < R; r++) {
    const v = idx[r]!;
    const o = r * N;
    for (let n = 0; n < N; n++) dW[n * I + v]! += dOut[o + n]!;
  }
}
