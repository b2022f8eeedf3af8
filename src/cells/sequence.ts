/**
 * @module cells/sequence
 * Walking a sequence forwards or backwards, and the masks that make a padded batch behave exactly
 * like PyTorch's packed sequences.
 *
 * States live in one buffer hs (T+1,B,H). Forward direction: h0 in slot 0, h_t in slot t+1.
 * Reverse direction: h_t in slot t, h0 in slot T. Either way the previous states of steps 0..T-1,
 * in time order, are T contiguous slots, so dW_hh is one product over all steps.
 *
 * Lengths: at a step t ≥ length_b a row is inactive. Forward, it carries its state unchanged, so the
 * final slot holds each row's state at its own last step; backward, its gate gradients are zero and
 * the state gradient passes through. In reverse the inactive steps come first and carry h0, so each
 * row's reverse pass starts at its own last step.
 */
import type { Kernels, SequenceKernels } from '../kernels/types.js';
import type { FloatArray } from '../tensor/types.js';
import type { Alloc, CellCache, CellWeights, SeqDims } from './types.js';

export const stateSlot = (t: number, d: SeqDims): number => (d.reverse ? t : t + 1);
export const prevSlot = (t: number, d: SeqDims): number => (d.reverse ? t + 1 : t);
/** The slot holding the state after the last step: h_n. */
export const finalSlot = (d: SeqDims): number => (d.reverse ? 0 : d.T);
/** The slot holding h0. */
export const initialSlot = (d: SeqDims): number => (d.reverse ? d.T : 0);
/** The (T*B, H) block of previous states in time order, a view into hs. */
export const prevStates = (c: CellCache, d: SeqDims): FloatArray =>
  c.hs.all.subarray((d.reverse ? 1 : 0) * d.B * d.H, (d.reverse ? d.T + 1 : d.T) * d.B * d.H);

/** The backend's whole-recurrence kernels, where it has them and this run can use them: no recorded
 *  state gradients, and per-row lengths (if any) given as `d.lengths`, which the fused loops take
 *  in place of the mask. The cells' own step loops are the definition. */
export const fusedLoop = (k: Kernels, d: SeqDims): SequenceKernels | undefined =>
  d.stateGrads === undefined && (d.active === undefined || d.lengths !== undefined) ? k.sequence : undefined;

/** The lengths to hand the fused loops: d.lengths where there is a mask. */
export const fusedLengths = (d: SeqDims): Int32Array | undefined => (d.active ? d.lengths : undefined);

/** Step t of iteration i: 0..T-1 forward, T-1..0 in reverse. */
export const stepAt = (i: number, d: SeqDims): number => (d.reverse ? d.T - 1 - i : i);

/** active (T,B): 1 where t < lengths[b]. */
export function activeMask(lengths: Int32Array, T: number, B: number): Uint8Array {
  const active = new Uint8Array(T * B);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) active[t * B + b] = t < lengths[b]! ? 1 : 0;
  return active;
}

/** For the rows inactive at step t, dst[row,:] = src[row,:] (rows of width W). */
export function copyInactiveRows(dst: FloatArray, src: FloatArray, d: SeqDims, t: number, W: number): void {
  const active = d.active;
  if (!active) return;
  for (let b = 0; b < d.B; b++) {
    if (!active[t * d.B + b]) dst.set(src.subarray(b * W, (b + 1) * W), b * W);
  }
}

/** For the rows inactive at step t, buf[row,:] = 0 (rows of width W). */
export function zeroInactiveRows(buf: FloatArray, d: SeqDims, t: number, W: number): void {
  const active = d.active;
  if (!active) return;
  for (let b = 0; b < d.B; b++) if (!active[t * d.B + b]) buf.fill(0, b * W, (b + 1) * W);
}

/** out (T*B, N) = x (T*B, I) · Wᵀ + b: the input projection of all steps and gates in one product.
 *  A one-hot x (d.tokens) makes it a gather: out[r, :] = W[:, tokens[r]] + b. */
export function projectInputs(k: Kernels, out: FloatArray, x: FloatArray, w: FloatArray,
                              b: FloatArray | undefined, rows: number, N: number, I: number, d: SeqDims): void {
  if (d.tokens) {
    k.oneHotProject(out, d.tokens, w, b, rows, N, I);
    return;
  }
  if (b) k.fillRows(out, b, rows, N);
  k.gemm(false, true, rows, N, I, x, w, out, b !== undefined);
}

/** dhTotal = dY_t + dh: ∂L/∂h_t, recorded in d.stateGrads when asked. */
export function stateGradient(k: Kernels, g: StepGrads, dY: FloatArray, t: number, d: SeqDims): void {
  const n = d.B * d.H;
  k.add(g.dhTotal, stepView(dY, t, n), g.dh, n);
  d.stateGrads?.set(g.dhTotal, t * n);
}

// per-step views of the arrays dY comes in (the stack's and the model's buffers, which live as long
// as their (T,B)), made once, so that a step of backward allocates nothing
const stepViews = new WeakMap<FloatArray, FloatArray[]>();

/** a.subarray(t·n, (t+1)·n), from a cache of views per array and step size. */
function stepView(a: FloatArray, t: number, n: number): FloatArray {
  if (n <= 0 || a.length < (t + 1) * n) return a.subarray(t * n, (t + 1) * n);
  let views = stepViews.get(a);
  if (views === undefined || views[0]!.length !== n) {
    views = [];
    for (let s = 0; (s + 1) * n <= a.length; s++) views.push(a.subarray(s * n, (s + 1) * n));
    stepViews.set(a, views);
  }
  return views[t]!;
}

/** The input side's gradients, after the recurrence, as whole-sequence products:
 *  dW_ih += dZᵀ (N, T*B) · x (T*B, I);  db_ih += Σ_rows dZ;  dx += dZ (T*B, N) · W_ih (N, I).
 *  A one-hot x (d.tokens) makes dW_ih a scatter-add, dW_ih[:, tokens[r]] += dZ[r, :], and has no dx. */
export function inputGradients(k: Kernels, dw: CellWeights, dx: FloatArray | undefined, dZ: FloatArray,
                               x: FloatArray, w: CellWeights, rows: number, N: number, I: number, d: SeqDims): void {
  if (d.tokens) k.oneHotProjectBackward(dw.wIh, dZ, d.tokens, rows, N, I);
  else k.gemm(true, false, N, I, rows, dZ, x, dw.wIh, true);
  if (dw.bIh) k.addRowSums(dw.bIh, dZ, rows, N);
  if (dx && !d.tokens) k.gemm(false, false, rows, I, N, dZ, w.wIh, dx, true);
}

/** Scratch for one step's state gradients: the carried dh, its sum with dY_t, and dh_{t-1}. */
export class StepGrads {
  dh: FloatArray;
  dhPrev: FloatArray;
  readonly dhTotal: FloatArray;
  constructor(alloc: Alloc, B: number, H: number) {
    this.dh = alloc(B * H);
    this.dhPrev = alloc(B * H);
    this.dhTotal = alloc(B * H);
  }
  /** dh ← dh_{t-1}: the gradient carried to the next (earlier) step. */
  swap(): void {
    const t = this.dh;
    this.dh = this.dhPrev;
    this.dhPrev = t;
  }
}
