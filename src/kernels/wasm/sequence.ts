/**
 * @module kernels/wasm/sequence
 * SequenceKernels (kernels/types) over the module's whole-recurrence exports (wasm/sequence). With
 * worker threads, a call is cut by batch rows (see run): each thread runs the
 * whole T-step loop on its rows, so a sequence costs one fork/join instead of two or three per step.
 */
import type { FloatArray } from '../../tensor/types.js';
import type { Activation, SequenceKernels } from '../types.js';
import type { Addresses } from './addresses.js';
import { op, type opTable } from './jobs.js';
import type { CallSplitter } from './splitter.js';

const OP_RNN_F = op('rnnSequenceForward');
const OP_RNN_B = op('rnnSequenceBackward');
const OP_LSTM_F = op('lstmSequenceForward');
const OP_LSTM_B = op('lstmSequenceBackward');
const OP_GRU_F = op('gruAfterSequenceForward');
const OP_GRU_B = op('gruAfterSequenceBackward');
const OP_GRUB_F = op('gruBeforeSequenceForward');
const OP_GRUB_B = op('gruBeforeSequenceBackward');
const OP_RES_F = op('residualSequenceForward');
const OP_RES_B = op('residualSequenceBackward');

/** A pointer argument (1-based) and its row width in units of H (a block of rows moves by width·H floats per row). */
type RowArg = readonly [arg: number, width: number];

/** With per-row lengths: rows per block (a whole 8-column panel of the per-step products, see
 *  wasm/gemm) and blocks per thread. */
const LENGTHS_UNIT = 8;
const LENGTHS_PER_THREAD = 4;

export class WasmSequence implements SequenceKernels {
  constructor(private readonly fns: ReturnType<typeof opTable>, private readonly m: Addresses,
              private readonly s: CallSplitter, private readonly scratch: number,
              private readonly activation: (f: Activation) => number, private readonly end: () => void) {}

  rnnForward = (f: Activation, a: FloatArray, hs: FloatArray, wHh: FloatArray, bHh: FloatArray | undefined,
                T: number, B: number, H: number, reverse: boolean, lengths: Int32Array | undefined): void => {
    const j = this.s.j, BH = B * H;
    j[1] = this.activation(f);
    j[2] = this.m.at(a, T * BH, true, 'rnnForward a');
    j[3] = this.m.at(hs, (T + 1) * BH, true, 'rnnForward hs');
    j[4] = this.m.at(wHh, H * H, false, 'rnnForward wHh');
    j[5] = this.m.opt(bHh, H, 'rnnForward bHh');
    this.run(OP_RNN_F, 5, [[2, 1], [3, 1]], 1, T, B, H, reverse, lengths);
  };

  rnnBackward = (f: Activation, dz: FloatArray, a: FloatArray, dY: FloatArray, work: FloatArray, wHh: FloatArray,
                 T: number, B: number, H: number, reverse: boolean, lengths: Int32Array | undefined): void => {
    const j = this.s.j, BH = B * H;
    j[1] = this.activation(f);
    j[2] = this.m.at(dz, T * BH, true, 'rnnBackward dz');
    j[3] = this.m.at(a, T * BH, false, 'rnnBackward a');
    j[4] = this.m.at(dY, T * BH, false, 'rnnBackward dY');
    j[5] = this.m.at(work, 3 * BH, true, 'rnnBackward work');
    j[6] = this.m.at(wHh, H * H, false, 'rnnBackward wHh');
    this.run(OP_RNN_B, 6, [[2, 1], [3, 1], [4, 1], [5, 1]], 1, T, B, H, reverse, lengths);
  };

  lstmForward = (gates: FloatArray, hs: FloatArray, cs: FloatArray, wHh: FloatArray, bHh: FloatArray | undefined,
                 T: number, B: number, H: number, reverse: boolean, lengths: Int32Array | undefined): void => {
    const j = this.s.j, BH = B * H;
    j[1] = this.m.at(gates, 4 * T * BH, true, 'lstmForward gates');
    j[2] = this.m.at(hs, (T + 1) * BH, true, 'lstmForward hs');
    j[3] = this.m.at(cs, (T + 1) * BH, true, 'lstmForward cs');
    j[4] = this.m.at(wHh, 4 * H * H, false, 'lstmForward wHh');
    j[5] = this.m.opt(bHh, 4 * H, 'lstmForward bHh');
    this.run(OP_LSTM_F, 5, [[1, 4], [2, 1], [3, 1]], 4, T, B, H, reverse, lengths);
  };

  lstmBackward = (dGates: FloatArray, gates: FloatArray, cs: FloatArray, dY: FloatArray, work: FloatArray,
                  wHh: FloatArray, T: number, B: number, H: number, reverse: boolean,
                  lengths: Int32Array | undefined): void => {
    const j = this.s.j, BH = B * H;
    j[1] = this.m.at(dGates, 4 * T * BH, true, 'lstmBackward dGates');
    j[2] = this.m.at(gates, 4 * T * BH, false, 'lstmBackward gates');
    j[3] = this.m.at(cs, (T + 1) * BH, false, 'lstmBackward cs');
    j[4] = this.m.at(dY, T * BH, false, 'lstmBackward dY');
    j[5] = this.m.at(work, 5 * BH, true, 'lstmBackward work');
    j[6] = this.m.at(wHh, 4 * H * H, false, 'lstmBackward wHh');
    this.run(OP_LSTM_B, 6, [[1, 4], [2, 4], [3, 1], [4, 1], [5, 1]], 4, T, B, H, reverse, lengths);
  };

  gruAfterForward = (gates: FloatArray, hw: FloatArray, hn: FloatArray, hs: FloatArray, wHh: FloatArray,
                     bHh: FloatArray | undefined, T: number, B: number, H: number, reverse: boolean,
                     lengths: Int32Array | undefined): void => {
    const j = this.s.j, BH = B * H;
    j[1] = this.m.at(gates, 3 * T * BH, true, 'gruAfterForward gates');
    j[2] = this.m.at(hw, 3 * BH, true, 'gruAfterForward hw');
    j[3] = this.m.at(hn, T * BH, true, 'gruAfterForward hn');
    j[4] = this.m.at(hs, (T + 1) * BH, true, 'gruAfterForward hs');
    j[5] = this.m.at(wHh, 3 * H * H, false, 'gruAfterForward wHh');
    j[6] = this.m.opt(bHh, 3 * H, 'gruAfterForward bHh');
    this.run(OP_GRU_F, 6, [[1, 3], [2, 3], [3, 1], [4, 1]], 3, T, B, H, reverse, lengths);
  };

  gruAfterBackward = (dXw: FloatArray, dHw: FloatArray, gates: FloatArray, hn: FloatArray, hs: FloatArray,
                      dY: FloatArray, work: FloatArray, wHh: FloatArray, T: number, B: number, H: number,
                      reverse: boolean, lengths: Int32Array | undefined): void => {
    const j = this.s.j, BH = B * H;
    j[1] = this.m.at(dXw, 3 * T * BH, true, 'gruAfterBackward dXw');
    j[2] = this.m.at(dHw, 3 * T * BH, true, 'gruAfterBackward dHw');
    j[3] = this.m.at(gates, 3 * T * BH, false, 'gruAfterBackward gates');
    j[4] = this.m.at(hn, T * BH, false, 'gruAfterBackward hn');
    j[5] = this.m.at(hs, (T + 1) * BH, false, 'gruAfterBackward hs');
    j[6] = this.m.at(dY, T * BH, false, 'gruAfterBackward dY');
    j[7] = this.m.at(work, 3 * BH, true, 'gruAfterBackward work');
    j[8] = this.m.at(wHh, 3 * H * H, false, 'gruAfterBackward wHh');
    this.run(OP_GRU_B, 8, [[1, 3], [2, 3], [3, 3], [4, 1], [5, 1], [6, 1], [7, 1]], 3, T, B, H, reverse, lengths);
  };

  gruBeforeForward = (gates: FloatArray, hwRz: FloatArray, hwN: FloatArray, rh: FloatArray, hs: FloatArray,
                      wHh: FloatArray, bHh: FloatArray | undefined, T: number, B: number, H: number,
                      reverse: boolean, lengths: Int32Array | undefined): void => {
    const j = this.s.j, BH = B * H;
    j[1] = this.m.at(gates, 3 * T * BH, true, 'gruBeforeForward gates');
    j[2] = this.m.at(hwRz, 2 * BH, true, 'gruBeforeForward hwRz');
    j[3] = this.m.at(hwN, BH, true, 'gruBeforeForward hwN');
    j[4] = this.m.at(rh, T * BH, true, 'gruBeforeForward rh');
    j[5] = this.m.at(hs, (T + 1) * BH, true, 'gruBeforeForward hs');
    j[6] = this.m.at(wHh, 3 * H * H, false, 'gruBeforeForward wHh');
    j[7] = this.m.opt(bHh, 3 * H, 'gruBeforeForward bHh');
    this.run(OP_GRUB_F, 7, [[1, 3], [2, 2], [3, 1], [4, 1], [5, 1]], 3, T, B, H, reverse, lengths);
  };

  gruBeforeBackward = (dXw: FloatArray, dHw: FloatArray, dHwN: FloatArray, gates: FloatArray, hs: FloatArray,
                       dY: FloatArray, work: FloatArray, wHh: FloatArray, T: number, B: number, H: number,
                       reverse: boolean, lengths: Int32Array | undefined): void => {
    const j = this.s.j, BH = B * H;
    j[1] = this.m.at(dXw, 3 * T * BH, true, 'gruBeforeBackward dXw');
    j[2] = this.m.at(dHw, 2 * T * BH, true, 'gruBeforeBackward dHw');
    j[3] = this.m.at(dHwN, T * BH, true, 'gruBeforeBackward dHwN');
    j[4] = this.m.at(gates, 3 * T * BH, false, 'gruBeforeBackward gates');
    j[5] = this.m.at(hs, (T + 1) * BH, false, 'gruBeforeBackward hs');
    j[6] = this.m.at(dY, T * BH, false, 'gruBeforeBackward dY');
    j[7] = this.m.at(work, 4 * BH, true, 'gruBeforeBackward work');
    j[8] = this.m.at(wHh, 3 * H * H, false, 'gruBeforeBackward wHh');
    this.run(OP_GRUB_B, 8, [[1, 3], [2, 2], [3, 1], [4, 3], [5, 1], [6, 1], [7, 1]], 3, T, B, H, reverse, lengths);
  };

  residualForward = (f: Activation, xh: boolean, a: FloatArray, hs: FloatArray, wHh: FloatArray | undefined,
                     bHh: FloatArray | undefined, T: number, B: number, H: number, reverse: boolean,
                     lengths: Int32Array | undefined): void => {
    const j = this.s.j, BH = B * H;
    j[1] = this.activation(f);
    j[2] = xh ? 1 : 0;
    j[3] = this.m.at(a, T * BH, true, 'residualForward a');
    j[4] = this.m.at(hs, (T + 1) * BH, true, 'residualForward hs');
    j[5] = xh ? this.m.at(wHh!, H * H, false, 'residualForward wHh') : 0;
    j[6] = xh ? this.m.opt(bHh, H, 'residualForward bHh') : 0;
    // form "x" has no product: T·B·H additions, never worth a fork/join
    this.run(OP_RES_F, 6, [[3, 1], [4, 1]], xh ? 1 : 0, T, B, H, reverse, lengths);
  };

  residualBackward = (f: Activation, xh: boolean, dz: FloatArray, a: FloatArray, dY: FloatArray, work: FloatArray,
                      wHh: FloatArray | undefined, T: number, B: number, H: number, reverse: boolean,
                      lengths: Int32Array | undefined): void => {
    const j = this.s.j, BH = B * H;
    j[1] = this.activation(f);
    j[2] = xh ? 1 : 0;
    j[3] = this.m.at(dz, T * BH, true, 'residualBackward dz');
    j[4] = this.m.at(a, T * BH, false, 'residualBackward a');
    j[5] = this.m.at(dY, T * BH, false, 'residualBackward dY');
    j[6] = this.m.at(work, 3 * BH, true, 'residualBackward work');
    j[7] = xh ? this.m.at(wHh!, H * H, false, 'residualBackward wHh') : 0;
    this.run(OP_RES_B, 7, [[3, 1], [4, 1], [5, 1], [6, 1]], xh ? 1 : 0, T, B, H, reverse, lengths);
  };

  /**
   * Call export opIndex with the `count` arguments in j[1..count], then B, H, T, ldB, reverse, the
   * gemm scratch and the lengths: whole, or cut into blocks of rows (the row arguments moved).
   * G: the gates (0: no recurrent product), for the work (2·B·T·G·H² FLOPs, Σ lengths for B·T) the
   * splitter weighs. Without lengths a thread gets one block of rows; with them, blocks of 8 rows
   * (whole panels of the per-step products), a few per thread: rows ordered by length
   * (layers/recurrent-order: longest at both ends) then give the calling thread, which takes blocks
   * from the front, and the workers, from the back, the same work.
   */
  private run(opIndex: number, count: number, rows: readonly RowArg[], G: number, T: number, B: number, H: number,
              reverse: boolean, lengths: Int32Array | undefined): void {
    const j = this.s.j;
    j[count + 1] = B;
    j[count + 2] = H;
    j[count + 3] = T;
    j[count + 4] = B;
    j[count + 5] = reverse ? 1 : 0;
    j[count + 6] = this.scratch;
    j[count + 7] = lengths ? this.lengthsAt(lengths, B) : 0;
    let steps = T * B;
    if (lengths) {
      steps = 0;
      for (let b = 0; b < B; b++) steps += lengths[b]!;
    }
    const work = 2 * steps * G * H * H;
    const n = lengths ? this.s.ways(opIndex, work, this.s.split.gemmFlops, B, LENGTHS_UNIT, LENGTHS_PER_THREAD)
      : this.s.ways(opIndex, work, this.s.split.gemmFlops, B, 1, 1);
    if (n <= 1) {
      // extra arguments past an export's own are ignored
      this.fns[opIndex]!(j[1]!, j[2]!, j[3]!, j[4]!, j[5]!, j[6]!, j[7]!, j[8]!, j[9]!, j[10]!, j[11]!, j[12]!, j[13]!,
                         j[14]!, j[15]!, j[16]!);
    } else {
      rows.forEach(([arg, width], k) => this.s.offset(k, arg, 4 * width * H));
      if (lengths) this.s.offset(rows.length, count + 7, 4);
      this.s.cut(opIndex, B, lengths ? LENGTHS_UNIT : 1, n, count + 1, count + 6, 0, 0, 0, 0, 0, 0,
                 rows.length + (lengths ? 1 : 0));
    }
    this.end();
  }

  /** The address of B lengths, each in 0..: the kernels read them as int32. */
  private lengthsAt(lengths: Int32Array, B: number): number {
    if (!(lengths instanceof Int32Array) || lengths.length < B) {
      this.m.fail(`sequence lengths: expected an Int32Array of at least ${B} values`);
    }
    return this.m.indices(lengths);
  }
}
