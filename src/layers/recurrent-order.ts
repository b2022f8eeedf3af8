/**
 * @module layers/recurrent-order
 * The order a padded batch runs in. PyTorch's pack_padded_sequence sorts the rows by length, so
 * that step t runs on the first n_t rows (those still going) and padding costs nothing. The stack
 * does the same: it runs a batch with lengths in a permuted row order, turning its inputs into that
 * order on the way in and its outputs back on the way out, and the fused loops (kernels/types
 * SequenceKernels) skip the inactive rows of each step.
 *
 * The order: by length, longest first (ties by row), dealt alternately to the front and the back,
 *
 *   position 0, B−1, 1, B−2, 2, …  ←  rank 0, 1, 2, 3, 4, …
 *
 * so the rows still active at a step are a prefix and a suffix of the batch (two runs), and the
 * two ends hold equal work: a threaded backend cutting the batch into blocks of rows, the calling
 * thread taking blocks from the front and the workers from the back (kernels/wasm/jobs), gives each
 * thread the same number of real tokens, and the last blocks taken are the shortest.
 *
 * Any order gives the same outputs per row (rows never meet in a recurrence); the parameter
 * gradients sum over rows in this order. Also here: a layer's outputs and output gradients between
 * a direction's (T,B,H) and the layer's (T,B,D*H), the top layer's in the caller's order.
 */
import { stateSlot } from '../cells/sequence.js';
import type { SeqDims } from '../cells/types.js';
import { RecurError } from '../errors.js';
import type { FloatArray } from '../tensor/types.js';

/** A batch's rows of W values per (slot, row): (R,B,W) arrays. */
type Rows = FloatArray | Int32Array;

/** A padded batch's running order: its permutation and its lengths in that order. */
export class RowOrder {
  /** perm[p]: the caller's row that runs at position p. */
  readonly perm: Int32Array;
  /** The lengths in running order (B). */
  readonly lengths: Int32Array;

  private constructor(perm: Int32Array, lengths: Int32Array) {
    this.perm = perm;
    this.lengths = lengths;
  }

  /** The running order of a batch with these lengths (each in 1..T); undefined when every row has
   *  length T (no padding: the batch runs as it is, without masks). */
  static of(lengths: Int32Array, T: number): RowOrder | undefined {
    const B = lengths.length;
    if (lengths.every((n) => n === T)) return undefined;
    const ranked = Array.from({ length: B }, (_, b) => b).sort((a, b) => lengths[b]! - lengths[a]! || a - b);
    const perm = new Int32Array(B);
    // rank k to position k/2 (k even) or B − 1 − (k−1)/2 (k odd)
    ranked.forEach((row, k) => { perm[k % 2 === 0 ? k >> 1 : B - 1 - (k >> 1)] = row; });
    return new RowOrder(perm, Int32Array.from(perm, (row) => lengths[row]!));
  }

  /** dst (R,B,W) in running order = src (R,B,W) in the caller's: dst[r, p, :] = src[r, perm[p], :]. */
  gather<A extends Rows>(dst: A, src: A, R: number, W: number): A {
    const B = this.perm.length;
    if (W === 1) {
      for (let r = 0; r < R; r++) for (let p = 0; p < B; p++) dst[r * B + p] = src[r * B + this.perm[p]!]!;
      return dst;
    }
    for (let r = 0; r < R; r++) {
      for (let p = 0; p < B; p++) {
        const from = (r * B + this.perm[p]!) * W;
        dst.set(src.subarray(from, from + W) as never, (r * B + p) * W);
      }
    }
    return dst;
  }

  /** dst (R,B,W) in the caller's order = src (R,B,W) in running order: dst[r, perm[p], :] = src[r, p, :]. */
  scatter<A extends Rows>(dst: A, src: A, R: number, W: number): A {
    const B = this.perm.length;
    for (let r = 0; r < R; r++) {
      for (let p = 0; p < B; p++) {
        const from = (r * B + p) * W;
        dst.set(src.subarray(from, from + W) as never, (r * B + this.perm[p]!) * W);
      }
    }
    return dst;
  }
}

/** y[t, b, dir*H:(dir+1)*H] = h_t from one direction's states hs (T+1,B,H); 0 at padded steps.
 *  With `perm` (layers/recurrent-order), hs is in running order and y's row perm[b] gets hs's row b. */
export function writeDirection(y: FloatArray, hs: FloatArray, d: SeqDims, dir: number, D: number, H: number,
                               perm: Int32Array | undefined): void {
  const { T, B, active } = d;
  if (D === 1 && !active && !d.reverse) {
    y.set(hs.subarray(B * H, (T + 1) * B * H)); // slots 1..T are h_0..h_{T−1} in time order
    return;
  }
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const yo = ((t * B + (perm ? perm[b]! : b)) * D + dir) * H;
      const ho = (stateSlot(t, d) * B + b) * H;
      const on = !active || active[t * B + b] === 1;
      for (let j = 0; j < H; j++) y[yo + j] = on ? hs[ho + j]! : 0;
    }
  }
}

/** dYdir (T,B,H) = dy[:, :, dir*H:(dir+1)*H]; 0 at padded steps, where y is a constant. With `perm`,
 *  dYdir is in running order and its row b is dy's row perm[b]. */
export function readDirection(dYdir: FloatArray, dy: FloatArray, d: SeqDims, dir: number, D: number, H: number,
                              perm: Int32Array | undefined): FloatArray {
  const { T, B, active } = d;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const o = (t * B + b) * H;
      const yo = ((t * B + (perm ? perm[b]! : b)) * D + dir) * H;
      const on = !active || active[t * B + b] === 1;
      for (let j = 0; j < H; j++) dYdir[o + j] = on ? dy[yo + j]! : 0;
    }
  }
  return dYdir;
}

/** dst (B,H) = a final state src (B,H) in the caller's row order. */
export function toCaller(order: RowOrder | undefined, dst: FloatArray, src: FloatArray, H: number): void {
  if (order) order.scatter(dst, src, 1, H);
  else dst.set(src);
}

/** A padded batch's buffers in running order (layers/recurrent-order), made at its first use. */
export interface Ordered {
  x: FloatArray | undefined;  // (T,B,I), made at the first dense x
  dx: FloatArray | undefined; // (T,B,I) in the caller's order, made at the first dx
  h0: FloatArray;     // (L*D,B,H), and the same for c0, dh_n, dc_n, dh0, dc0
  c0: FloatArray;
  dhN: FloatArray;
  dcN: FloatArray;
  dh0: FloatArray;
  dc0: FloatArray;
  lengths: Int32Array; // (B) in the backend's memory, for the fused loops
}

/** lengths (B), each in 1..T, or a RecurError naming the first that is not. */
export function checkLengths(lengths: Int32Array, T: number, B: number): Int32Array {
  if (lengths.length !== B) throw new RecurError(`lengths: expected shape (${B}) (one per batch row), got (${lengths.length})`);
  for (let b = 0; b < B; b++) {
    const n = lengths[b]!;
    if (n < 1 || n > T) throw new RecurError(`lengths: expected every length in 1..${T}, got ${n} at index ${b}`);
  }
  return lengths;
}
