/**
 * @module cells/types
 * What every cell shares. A cell runs one layer in one direction over a whole sequence: forward
 * fills its cache, backward walks the steps in reverse and accumulates gradients.
 *
 * Dimension letters: T time, B batch, I input, H hidden, G gates (1 RNN and residual, 3 GRU, 4 LSTM).
 */
import type { FloatArray } from '../tensor/types.js';

/** One layer-direction's parameters, as views into the stack's flat buffer (PyTorch's shapes). */
export interface CellWeights {
  wIh: FloatArray;             // (G*H, I)
  wHh: FloatArray | undefined; // (G*H, H); the residual g(x_t; θ) has none
  bIh: FloatArray | undefined; // (G*H)
  bHh: FloatArray | undefined; // (G*H)
}

/** The sizes and direction of one run. `active` (T,B) is 1 where step t < the row's length. */
export interface SeqDims {
  T: number;
  B: number;
  I: number;
  H: number;
  reverse: boolean;
  active: Uint8Array | undefined;
  /** The per-row lengths (B) behind `active`, as int32 in the backend's memory: what the fused loops
   *  (kernels/types SequenceKernels) take. `active` without them runs the cells' step loops. */
  lengths?: Int32Array | undefined;
  /** When given (T,B), the input is one-hot: x_t,b = onehot(tokens[t,b]) of size I, never built. The
   *  input projection is then a gather of W_ih's columns and its gradient a scatter-add; x is unused. */
  tokens?: Int32Array | undefined;
  /** When given (T,B,H), backward writes ∂L/∂h_t of every step there: the gradient that BPTT carries,
   *  for the gradient-flow diagnostics. */
  stateGrads?: FloatArray | undefined;
}

/** Per-(T,B) buffers. `hs` (T+1,B,H) holds every state: see `stateSlot`. */
export interface CellCache {
  readonly T: number;
  readonly B: number;
  readonly hs: StepViews;
  readonly cs: StepViews | undefined; // LSTM's memory cells, same layout as hs
}

/**
 * One layer-direction of a recurrent cell over a sequence: forward fills a cache of every step's
 * state, backward accumulates the gradients from it (exact BPTT).
 */
export interface Cell<C extends CellCache = CellCache> {
  readonly gates: number;
  readonly hasRecurrentWeight: boolean;
  readonly hasCellState: boolean;
  /**
   * A cache for sequences of T steps, B rows, I inputs and H hidden units, its arrays from `alloc`.
   */
  createCache(alloc: Alloc, T: number, B: number, I: number, H: number): C;
  /** Fills cache.hs (and cache.cs) from x (T,B,I) and h0, c0 (B,H). */
  forward(cache: C, x: FloatArray, h0: FloatArray, c0: FloatArray | undefined,
          w: CellWeights, d: SeqDims): void;
  /** Given dY (T,B,H), the gradient of this direction's outputs, and dhN, dcN (B,H) of the final
   *  states: accumulates parameter gradients into dw and dx (T,B,I) (skipped when dx is undefined:
   *  one-hot inputs need none), and writes dh0, dc0 (B,H). */
  backward(dw: CellWeights, dx: FloatArray | undefined, dh0: FloatArray, dc0: FloatArray | undefined,
           dY: FloatArray, dhN: FloatArray, dcN: FloatArray | undefined,
           cache: C, x: FloatArray, w: CellWeights, d: SeqDims): void;
}

/** Where a cache's buffers come from: the stack's workspace, which frees them when shapes change. */
export type Alloc = (length: number) => FloatArray;

/** Views of a (count, size) buffer, one per step, made once so that step loops never allocate. */
export class StepViews {
  readonly all: FloatArray;
  readonly at: FloatArray[];
  constructor(alloc: Alloc, count: number, size: number) {
    this.all = alloc(count * size);
    this.at = [];
    for (let s = 0; s < count; s++) this.at.push(this.all.subarray(s * size, (s + 1) * size));
  }
}
