/**
 * @module onnx/gates
 * The order of the gates' blocks in a weight matrix. recur stores them as PyTorch does; ONNX's
 * RNN operators use another order, so export and import permute whole H-row blocks:
 *   GRU:  recur r, z, n          ONNX z, r, h
 *   LSTM: recur i, f, g, o       ONNX i, o, f, c
 *   RNN:  one block, no change.
 */
import type { CellKind } from '../cells/index.js';

/** ONNX_BLOCKS[cell][k] = the recur block that goes to ONNX's block k. */
const ONNX_BLOCKS: Record<'rnn' | 'gru' | 'lstm', readonly number[]> = {
  rnn: [0],
  gru: [1, 0, 2],
  lstm: [0, 3, 1, 2],
};

/** For each ONNX gate block, the recur block it comes from. */
export function onnxGateOrder(cell: CellKind): readonly number[] {
  if (cell !== 'rnn' && cell !== 'gru' && cell !== 'lstm') throw new Error(`onnxGateOrder: ${cell} is no ONNX operator`);
  return ONNX_BLOCKS[cell];
}

/**
 * Rows of `src` (G blocks of H rows, each row `cols` wide) reordered so that block k of the result
 * is block order[k] of the source. `toOnnx` false applies the inverse (ONNX to recur).
 */
export function permuteGateRows(src: ArrayLike<number>, order: readonly number[], H: number, cols: number, toOnnx: boolean): Float64Array {
  const block = H * cols;
  if (src.length !== order.length * block) throw new Error(`permuteGateRows: ${src.length} values, expected ${order.length}×${H}×${cols}`);
  const out = new Float64Array(src.length);
  for (let k = 0; k < order.length; k++) {
    const from = toOnnx ? order[k]! : k;
    const to = toOnnx ? k : order[k]!;
    for (let i = 0; i < block; i++) out[to * block + i] = src[from * block + i]!;
  }
  return out;
}
