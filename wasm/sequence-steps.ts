/**
 * @module wasm/sequence-steps
 * What the whole-recurrence loops (wasm/sequence, wasm/sequence-gru) share: the order of the steps,
 * where each step's states are, which rows a step runs on, and the per-step product.
 *
 * Per-row lengths: `lens` (B int32, this block's rows; 0 = none, every row runs every step). A row r
 * is active at step t when t < lens[r]; the loops walk a step's rows as runs of active and of
 * inactive rows, compute the active runs (products and step kernels on those rows only) and carry
 * the inactive ones (forward: the state unchanged; backward: zero gate gradients, the state
 * gradient passed through). With rows ordered by length (layers/recurrent-order), a step has one or
 * two active runs, so a padded batch costs its real tokens, as PyTorch's packed sequences do.
 */
import { gemm, gemmTiled } from './gemm';

/** Step t of iteration i: 0..T−1 forward, T−1..0 in reverse. */
// @ts-ignore: decorator
@inline export function stepOf(i: i32, T: i32, reverse: i32): i32 {
  return reverse ? T - 1 - i : i;
}
/** The slot of h_{t−1}: h0 in slot 0 (reverse: slot T). */
// @ts-ignore: decorator
@inline export function prevSlot(t: i32, reverse: i32): usize {
  return <usize>(reverse ? t + 1 : t);
}
/** The slot of h_t. */
// @ts-ignore: decorator
@inline export function stateSlot(t: i32, reverse: i32): usize {
  return <usize>(reverse ? t : t + 1);
}

/** Whether row r runs step t. */
// @ts-ignore: decorator
@inline export function isActive(lens: usize, r: i32, t: i32): bool {
  return lens == 0 || load<i32>(lens + (<usize>r << 2)) > t;
}

/** The end of the run of rows from r that are all active (`on`) or all inactive at step t. */
export function runEnd(lens: usize, r: i32, B: i32, t: i32, on: bool): i32 {
  if (lens == 0) return B;
  let e = r + 1;
  while (e < B && (load<i32>(lens + (<usize>e << 2)) > t) == on) e++;
  return e;
}

/** A step's product over M of the batch's ldB rows. gemm takes its matrix-vector shortcut for one
 *  row or column of C; here it is taken exactly where the same product over the whole batch would
 *  take it (ldB = 1 or N = 1), so each row gets the bits it gets in the cells' step loops. */
// @ts-ignore: decorator
@inline export function stepGemm(ta: i32, tb: i32, M: i32, N: i32, K: i32, a: usize, lda: i32, b: usize, ldb: i32,
                                 c: usize, ldc: i32, acc: i32, scratch: usize, ldB: i32): void {
  if (ldB == 1 || N == 1) gemm(ta, tb, M, N, K, a, lda, b, ldb, c, ldc, acc, scratch);
  else gemmTiled(ta, tb, M, N, K, a, lda, b, ldb, c, ldc, acc, scratch);
}
