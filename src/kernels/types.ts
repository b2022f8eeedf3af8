/**
 * @module kernels/types
 * The kernel interface: every number recur computes goes through one of these functions. The plain
 * TypeScript implementation (kernels/js) is the definition; fast backends must agree with it.
 *
 * Dimension letters: B batch rows, H hidden units, R rows, N columns, M/K matrix sizes.
 * All matrices are row-major and contiguous. Arrays are views (`subarray`), so a kernel never
 * allocates and a backend whose memory holds the views can work on them in place.
 * Pointwise kernels run one time step of one cell over B rows; their maths is quoted in kernels/js.
 */
import type { DType, FloatArray } from '../tensor/types.js';

/** The nonlinearity f of the simple RNN and of the residual cells' g. */
export type Activation = 'tanh' | 'relu' | 'identity';

/**
 * A compute backend: every number recur computes goes through these functions (jsKernels,
 * loadWasmKernels, loadKernels). Matrices are row-major; arrays may be views into `alloc`ed memory.
 */
export interface Kernels {
  /** Which implementation runs: 'js', later 'wasm-simd', ... (reported by `recur info`). */
  readonly name: string;
  readonly dtype: DType;      // of alloc's arrays
  /** Threads the kernels run on: the caller's plus worker threads (1 for a single-threaded backend). */
  readonly threads: number;
  /** Set where fewer threads run than were asked for because they could not start (no
   *  SharedArrayBuffer: a page not cross-origin isolated; a page's main thread; a worker script
   *  that did not load): why, in one line. The kernels then work on one thread. */
  readonly fallback?: string | undefined;
  /** A zero-filled array of this backend's dtype, in memory the backend can use directly. */
  alloc(length: number): FloatArray;
  /** Give back an array from alloc (a no-op where the garbage collector owns memory). */
  free(a: FloatArray): void;

  /** C (M,N) = op(A) (M,K) · op(B) (K,N), plus the old C when `accumulate`. op(X) = Xᵀ when trans. */
  gemm(transA: boolean, transB: boolean, M: number, N: number, K: number,
       A: FloatArray, B: FloatArray, C: FloatArray, accumulate: boolean): void;

  /** Each of the R rows of out (R,N) = v (N). */
  fillRows(out: FloatArray, v: FloatArray, R: number, N: number): void;
  /** out (N) += Σ_r A[r,:] over the R rows of A (R,N): the gradient of a broadcast bias. */
  addRowSums(out: FloatArray, A: FloatArray, R: number, N: number): void;

  /** Simple RNN / residual g, in place: z ← f(z + b). z (B,H), b (H) or undefined. */
  activationForward(f: Activation, z: FloatArray, b: FloatArray | undefined, B: number, H: number): void;
  /** dz (B,H) = dh ⊙ f'(·), computed from the activation's output a (B,H). */
  activationBackward(f: Activation, dz: FloatArray, dh: FloatArray, a: FloatArray, n: number): void;

  /** LSTM step. gates (B,4H): in, x·W_ihᵀ + b_ih + h·W_hhᵀ; out, i,f,g,o after activation. */
  lstmForward(gates: FloatArray, bHh: FloatArray | undefined, cPrev: FloatArray,
              c: FloatArray, h: FloatArray, B: number, H: number): void;
  /** dGates (B,4H) and dcPrev (B,H) from dh, dc (B,H) and what lstmForward left. */
  lstmBackward(dGates: FloatArray, dcPrev: FloatArray, dh: FloatArray, dc: FloatArray,
               gates: FloatArray, c: FloatArray, cPrev: FloatArray, B: number, H: number): void;

  /** GRU step, reset gate after the recurrent product (PyTorch, cuDNN). gates (B,3H): in,
   *  x·W_ihᵀ + b_ih; out, r,z,n. hw (B,3H) = h·W_hhᵀ (no bias). hn (B,H) out: W_hn·h + b_hn. */
  gruAfterForward(gates: FloatArray, hw: FloatArray, bHh: FloatArray | undefined, hPrev: FloatArray,
                  h: FloatArray, hn: FloatArray, B: number, H: number): void;
  /** dXw (B,3H): gradient of the input side; dHw (B,3H): of h·W_hhᵀ + b_hh; dhPrev (B,H) = dh ⊙ z. */
  gruAfterBackward(dXw: FloatArray, dHw: FloatArray, dhPrev: FloatArray, dh: FloatArray,
                   gates: FloatArray, hn: FloatArray, hPrev: FloatArray, B: number, H: number): void;

  /** GRU step, reset gate before the recurrent product (the notes, d2l), first half: r and z.
   *  gates (B,3H) in: x·W_ihᵀ + b_ih, out: r,z written (n untouched). hwRz (B,2H) = h·W_h{r,z}ᵀ.
   *  rh (B,H) out: r ⊙ hPrev. */
  gruBeforeGates(gates: FloatArray, hwRz: FloatArray, bHh: FloatArray | undefined, hPrev: FloatArray,
                 rh: FloatArray, B: number, H: number): void;
  /** Second half: n = tanh(xn + hwN + b_hn), h = (1 − z) ⊙ n + z ⊙ hPrev. hwN (B,H) = rh·W_hnᵀ. */
  gruBeforeOutput(gates: FloatArray, hwN: FloatArray, bHh: FloatArray | undefined, hPrev: FloatArray,
                  h: FloatArray, B: number, H: number): void;
  /** Backward of gruBeforeOutput: dGates[:, n] = dHwN (B,H) = dn_pre, dGates[:, z] = dz (before σ'),
   *  dhPrev = dh ⊙ z. */
  gruBeforeOutputBackward(dGates: FloatArray, dHwN: FloatArray, dhPrev: FloatArray, dh: FloatArray,
                          gates: FloatArray, hPrev: FloatArray, B: number, H: number): void;
  /** Backward of gruBeforeGates, given dRh (B,H) = dn_pre·W_hn: writes dGates[:, r] and dGates[:, z]
   *  (σ' applied) and their copy dHwRz (B,2H), and adds dRh ⊙ r to dhPrev. */
  gruBeforeGatesBackward(dGates: FloatArray, dHwRz: FloatArray, dhPrev: FloatArray, dRh: FloatArray,
                         gates: FloatArray, hPrev: FloatArray, B: number, H: number): void;

  /** The input projection of one-hot rows as a gather: out (R,N) = onehot(idx) (R,I) · Wᵀ (I,N) + b,
   *  i.e. out[r, n] = W[n, idx[r]] + b[n]; W (N,I), b (N) or undefined, idx (R) each in 0..I−1. */
  oneHotProject(out: FloatArray, idx: Int32Array, W: FloatArray, b: FloatArray | undefined,
                R: number, N: number, I: number): void;
  /** Its weight gradient as a scatter-add: dW (N,I) += dOutᵀ (N,R) · onehot(idx) (R,I), i.e.
   *  dW[n, idx[r]] += dOut[r, n]. */
  oneHotProjectBackward(dW: FloatArray, dOut: FloatArray, idx: Int32Array, R: number, N: number, I: number): void;

  /** out = a + b, elementwise over n. */
  add(out: FloatArray, a: FloatArray, b: FloatArray, n: number): void;

  /** Softmax cross-entropy over R rows of logits (R,V) with integer targets (R). Returns the summed
   *  loss over rows whose target ≠ ignoreIndex; when dLogits is given, writes
   *  dLogits = scale · (softmax − onehot) on those rows and 0 on ignored rows. */
  softmaxCrossEntropy(logits: FloatArray, targets: Int32Array, dLogits: FloatArray | undefined,
                      R: number, V: number, ignoreIndex: number, scale: number): number;

  /** Whole recurrences in one call, where the backend has them (see SequenceKernels). */
  readonly sequence?: SequenceKernels | undefined;

  /** End the backend's worker threads, if it has any (it runs on the caller's thread afterwards). */
  dispose?(): void;
}

/**
 * A backend's fused recurrences: the whole T-step loop of a cell, forward or backward, in one call,
 * which a threaded backend can cut by batch rows (rows never meet inside a recurrence, so the
 * threads need no fork/join per step). Each is exactly the step loop of its cell in cells/ (rnn,
 * lstm, gru and residual, all forms), same kernels in the same order, the same bits; the cells call
 * them for runs whose state gradients are not recorded, and run their own loop otherwise.
 *
 * `lengths` (B), when given: row b is active at step t < lengths[b] (cells/sequence's masks).
 * Products and step kernels run on the active rows only; an inactive row carries its state forward
 * (h_t = h_{t−1}, c_t = c_{t−1}) and backward gets zero gate gradients and passes ∂L/∂h (∂L/∂c)
 * through unchanged; dY must be 0 there. Work buffers of inactive rows (gates, a, hn) are left as they
 * are (rh is set to 0). Rows ordered by length (layers/recurrent-order) make the active rows of a step
 * one or two contiguous runs, which is what makes the skipped rows cost nothing.
 *
 * Layout as in cells/sequence: per-step arrays (T,B,W); states hs, cs (T+1,B,H) with h0 (c0) in its
 * slot, h_t in slot t+1 (reverse: steps T−1..0, h_t in slot t, h0 in slot T). `work` is blocks of
 * (B,H): block 0 is dh (in: ∂L/∂h after the last step; out: ∂L/∂h0), for the LSTM block 1 is dc
 * likewise; the other blocks are scratch. dY (T,B,H) is ∂L/∂h_t from above.
 */
export interface SequenceKernels {
  /** a (T,B,H): in, x_t·W_ihᵀ + b_ih; out, h_t = f(a_t + h_{t−1}·W_hhᵀ + b_hh), also written to hs. */
  rnnForward(f: Activation, a: FloatArray, hs: FloatArray, wHh: FloatArray, bHh: FloatArray | undefined,
             T: number, B: number, H: number, reverse: boolean, lengths: Int32Array | undefined): void;
  /** dz (T,B,H) out; work (3,B,H). */
  rnnBackward(f: Activation, dz: FloatArray, a: FloatArray, dY: FloatArray, work: FloatArray, wHh: FloatArray,
              T: number, B: number, H: number, reverse: boolean, lengths: Int32Array | undefined): void;
  /** gates (T,B,4H): in, x_t·W_ihᵀ + b_ih; out, i,f,g,o (lstmForward per step). */
  lstmForward(gates: FloatArray, hs: FloatArray, cs: FloatArray, wHh: FloatArray, bHh: FloatArray | undefined,
              T: number, B: number, H: number, reverse: boolean, lengths: Int32Array | undefined): void;
  /** dGates (T,B,4H) out; work (5,B,H). */
  lstmBackward(dGates: FloatArray, gates: FloatArray, cs: FloatArray, dY: FloatArray, work: FloatArray,
               wHh: FloatArray, T: number, B: number, H: number, reverse: boolean,
               lengths: Int32Array | undefined): void;
  /** gates (T,B,3H): in, x_t·W_ihᵀ + b_ih; out, r,z,n. hw (B,3H) scratch; hn (T,B,H) out. */
  gruAfterForward(gates: FloatArray, hw: FloatArray, hn: FloatArray, hs: FloatArray, wHh: FloatArray,
                  bHh: FloatArray | undefined, T: number, B: number, H: number, reverse: boolean,
                  lengths: Int32Array | undefined): void;
  /** gates (T,B,3H): in, x_t·W_ihᵀ + b_ih; out, r,z,n. hwRz (B,2H), hwN (B,H) scratch; rh (T,B,H) out. */
  gruBeforeForward(gates: FloatArray, hwRz: FloatArray, hwN: FloatArray, rh: FloatArray, hs: FloatArray,
                   wHh: FloatArray, bHh: FloatArray | undefined, T: number, B: number, H: number, reverse: boolean,
                   lengths: Int32Array | undefined): void;
  /** dXw (T,B,3H), dHw (T,B,2H), dHwN (T,B,H) out; work (4,B,H). */
  gruBeforeBackward(dXw: FloatArray, dHw: FloatArray, dHwN: FloatArray, gates: FloatArray, hs: FloatArray,
                    dY: FloatArray, work: FloatArray, wHh: FloatArray, T: number, B: number, H: number,
                    reverse: boolean, lengths: Int32Array | undefined): void;
  /** h_t = h_{t−1} + g_t. a (T,B,H): form "x" (xh false), g_t already; form "xh": in, x_t·W_ihᵀ + b_ih,
   *  out, g_t = f(a_t + h_{t−1}·W_hhᵀ + b_hh) (wHh, bHh unused for "x"). */
  residualForward(f: Activation, xh: boolean, a: FloatArray, hs: FloatArray, wHh: FloatArray | undefined,
                  bHh: FloatArray | undefined, T: number, B: number, H: number, reverse: boolean,
                  lengths: Int32Array | undefined): void;
  /** dz (T,B,H) out; work (3,B,H). */
  residualBackward(f: Activation, xh: boolean, dz: FloatArray, a: FloatArray, dY: FloatArray, work: FloatArray,
                   wHh: FloatArray | undefined, T: number, B: number, H: number, reverse: boolean,
                   lengths: Int32Array | undefined): void;
  /** dXw, dHw (T,B,3H) out; work (3,B,H). */
  gruAfterBackward(dXw: FloatArray, dHw: FloatArray, gates: FloatArray, hn: FloatArray, hs: FloatArray,
                   dY: FloatArray, work: FloatArray, wHh: FloatArray, T: number, B: number, H: number,
                   reverse: boolean, lengths: Int32Array | undefined): void;
}
