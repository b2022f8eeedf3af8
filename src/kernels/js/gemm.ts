/**
 * @module kernels/js/gemm
 * The reference matrix product: C (M,N) = op(A) (M,K) · op(B) (K,N) [+ C], row-major, contiguous.
 * Loops are ordered so that the innermost one walks memory in order (i-k-j), which keeps this
 * readable version within a small factor of a hand-blocked JS kernel.
 */
import type { FloatArray } from '../../tensor/types.js';

export function gemm(transA: boolean, transB: boolean, M: number, N: number, K: number,
                     A: FloatArray, B: FloatArray, C: FloatArray, accumulate: boolean): void {
  if (!accumulate) C.fill(0, 0, M * N);
  if (!transB) {
    // C[i,j] += Σ_k op(A)[i,k] · B[k,j], B (K,N): walk a row of B for each a_ik
    for (let i = 0; i < M; i++) {
      const ci = i * N;
      for (let k = 0; k < K; k++) {
        const a = transA ? A[k * M + i]! : A[i * K + k]!;
        const bk = k * N;
        for (let j = 0; j < N; j++) C[ci + j]! += a * B[bk + j]!;
      }
    }
  } else {
    // C[i,j] += Σ_k op(A)[i,k] · B[j,k], B (N,K): a dot product of rows
    for (let i = 0; i < M; i++) {
      const ci = i * N;
      for (let j = 0; j < N; j++) {
        const bj = j * K;
        let s = 0;
        if (transA) for (let k = 0; k < K; k++) s += A[k * M + i]! * B[bj + k]!;
        else {
          const ai = i * K;
          for (let k = 0; k < K; k++) s += A[ai + k]! * B[bj + k]!;
        }
        C[ci + j]! += s;
      }
    }
  }
}
