/**
 * @module kernels/native/sequence
 * SequenceKernels (kernels/types) over the addon's fused recurrences (native/src/sequence.inc):
 * each call checks its arrays and runs the whole T-step loop in the addon, cut by batch rows
 * between its threads (native/src/sequence.cpp), with the recurrent weights packed once per call.
 */
import type { FloatArray } from '../../tensor/types.js';
import type { Activation, SequenceKernels } from '../types.js';
import type { NativeOps } from './addon.js';
import { activationCode, f32, lengthsOf, opt } from './check.js';

// the addon's SeqOp codes (native/src/table.h)
const RNN_F = 0, RNN_B = 1, LSTM_F = 2, LSTM_B = 3, GRUA_F = 4, GRUA_B = 5, GRUB_F = 6, GRUB_B = 7, RES_F = 8, RES_B = 9;

/** The native backend's fused recurrences (NativeKernels.sequence). */
export class NativeSequence implements SequenceKernels {
  /** @internal NativeKernels builds it. */
  constructor(private readonly ops: NativeOps) {}

  /** {@inheritDoc SequenceKernels.rnnForward} */
  rnnForward = (f: Activation, a: FloatArray, hs: FloatArray, wHh: FloatArray, bHh: FloatArray | undefined,
                T: number, B: number, H: number, reverse: boolean, lengths: Int32Array | undefined): void => {
    const BH = B * H;
    this.ops.sequence(RNN_F, activationCode(f), 0, f32(wHh, H * H, 'rnnForward wHh'), opt(bHh, H, 'rnnForward bHh'),
                      lengthsOf(lengths, B), B, H, T, reverse ? 1 : 0,
                      f32(a, T * BH, 'rnnForward a'), f32(hs, (T + 1) * BH, 'rnnForward hs'));
  };

  /** {@inheritDoc SequenceKernels.rnnBackward} */
  rnnBackward = (f: Activation, dz: FloatArray, a: FloatArray, dY: FloatArray, work: FloatArray, wHh: FloatArray,
                 T: number, B: number, H: number, reverse: boolean, lengths: Int32Array | undefined): void => {
    const BH = B * H;
    this.ops.sequence(RNN_B, activationCode(f), 0, f32(wHh, H * H, 'rnnBackward wHh'), null, lengthsOf(lengths, B),
                      B, H, T, reverse ? 1 : 0, f32(dz, T * BH, 'rnnBackward dz'), f32(a, T * BH, 'rnnBackward a'),
                      f32(dY, T * BH, 'rnnBackward dY'), f32(work, 3 * BH, 'rnnBackward work'));
  };

  /** {@inheritDoc SequenceKernels.lstmForward} */
  lstmForward = (gates: FloatArray, hs: FloatArray, cs: FloatArray, wHh: FloatArray, bHh: FloatArray | undefined,
                 T: number, B: number, H: number, reverse: boolean, lengths: Int32Array | undefined): void => {
    const BH = B * H;
    this.ops.sequence(LSTM_F, 0, 0, f32(wHh, 4 * H * H, 'lstmForward wHh'), opt(bHh, 4 * H, 'lstmForward bHh'),
                      lengthsOf(lengths, B), B, H, T, reverse ? 1 : 0, f32(gates, 4 * T * BH, 'lstmForward gates'),
                      f32(hs, (T + 1) * BH, 'lstmForward hs'), f32(cs, (T + 1) * BH, 'lstmForward cs'));
  };

  /** {@inheritDoc SequenceKernels.lstmBackward} */
  lstmBackward = (dGates: FloatArray, gates: FloatArray, cs: FloatArray, dY: FloatArray, work: FloatArray,
                  wHh: FloatArray, T: number, B: number, H: number, reverse: boolean,
                  lengths: Int32Array | undefined): void => {
    const BH = B * H;
    this.ops.sequence(LSTM_B, 0, 0, f32(wHh, 4 * H * H, 'lstmBackward wHh'), null, lengthsOf(lengths, B),
                      B, H, T, reverse ? 1 : 0, f32(dGates, 4 * T * BH, 'lstmBackward dGates'),
                      f32(gates, 4 * T * BH, 'lstmBackward gates'), f32(cs, (T + 1) * BH, 'lstmBackward cs'),
                      f32(dY, T * BH, 'lstmBackward dY'), f32(work, 5 * BH, 'lstmBackward work'));
  };

  /** {@inheritDoc SequenceKernels.gruAfterForward} */
  gruAfterForward = (gates: FloatArray, hw: FloatArray, hn: FloatArray, hs: FloatArray, wHh: FloatArray,
                     bHh: FloatArray | undefined, T: number, B: number, H: number, reverse: boolean,
                     lengths: Int32Array | undefined): void => {
    const BH = B * H;
    this.ops.sequence(GRUA_F, 0, 0, f32(wHh, 3 * H * H, 'gruAfterForward wHh'), opt(bHh, 3 * H, 'gruAfterForward bHh'),
                      lengthsOf(lengths, B), B, H, T, reverse ? 1 : 0, f32(gates, 3 * T * BH, 'gruAfterForward gates'),
                      f32(hw, 3 * BH, 'gruAfterForward hw'), f32(hn, T * BH, 'gruAfterForward hn'),
                      f32(hs, (T + 1) * BH, 'gruAfterForward hs'));
  };

  /** {@inheritDoc SequenceKernels.gruAfterBackward} */
  gruAfterBackward = (dXw: FloatArray, dHw: FloatArray, gates: FloatArray, hn: FloatArray, hs: FloatArray,
                      dY: FloatArray, work: FloatArray, wHh: FloatArray, T: number, B: number, H: number,
                      reverse: boolean, lengths: Int32Array | undefined): void => {
    const BH = B * H;
    this.ops.sequence(GRUA_B, 0, 0, f32(wHh, 3 * H * H, 'gruAfterBackward wHh'), null, lengthsOf(lengths, B),
                      B, H, T, reverse ? 1 : 0, f32(dXw, 3 * T * BH, 'gruAfterBackward dXw'),
                      f32(dHw, 3 * T * BH, 'gruAfterBackward dHw'), f32(gates, 3 * T * BH, 'gruAfterBackward gates'),
                      f32(hn, T * BH, 'gruAfterBackward hn'), f32(hs, (T + 1) * BH, 'gruAfterBackward hs'),
                      f32(dY, T * BH, 'gruAfterBackward dY'), f32(work, 3 * BH, 'gruAfterBackward work'));
  };

  /** {@inheritDoc SequenceKernels.gruBeforeForward} */
  gruBeforeForward = (gates: FloatArray, hwRz: FloatArray, hwN: FloatArray, rh: FloatArray, hs: FloatArray,
                      wHh: FloatArray, bHh: FloatArray | undefined, T: number, B: number, H: number,
                      reverse: boolean, lengths: Int32Array | undefined): void => {
    const BH = B * H;
    this.ops.sequence(GRUB_F, 0, 0, f32(wHh, 3 * H * H, 'gruBeforeForward wHh'), opt(bHh, 3 * H, 'gruBeforeForward bHh'),
                      lengthsOf(lengths, B), B, H, T, reverse ? 1 : 0, f32(gates, 3 * T * BH, 'gruBeforeForward gates'),
                      f32(hwRz, 2 * BH, 'gruBeforeForward hwRz'), f32(hwN, BH, 'gruBeforeForward hwN'),
                      f32(rh, T * BH, 'gruBeforeForward rh'), f32(hs, (T + 1) * BH, 'gruBeforeForward hs'));
  };

  /** {@inheritDoc SequenceKernels.gruBeforeBackward} */
  gruBeforeBackward = (dXw: FloatArray, dHw: FloatArray, dHwN: FloatArray, gates: FloatArray, hs: FloatArray,
                       dY: FloatArray, work: FloatArray, wHh: FloatArray, T: number, B: number, H: number,
                       reverse: boolean, lengths: Int32Array | undefined): void => {
    const BH = B * H;
    this.ops.sequence(GRUB_B, 0, 0, f32(wHh, 3 * H * H, 'gruBeforeBackward wHh'), null, lengthsOf(lengths, B),
                      B, H, T, reverse ? 1 : 0, f32(dXw, 3 * T * BH, 'gruBeforeBackward dXw'),
                      f32(dHw, 2 * T * BH, 'gruBeforeBackward dHw'), f32(dHwN, T * BH, 'gruBeforeBackward dHwN'),
                      f32(gates, 3 * T * BH, 'gruBeforeBackward gates'), f32(hs, (T + 1) * BH, 'gruBeforeBackward hs'),
                      f32(dY, T * BH, 'gruBeforeBackward dY'), f32(work, 4 * BH, 'gruBeforeBackward work'));
  };

  /** {@inheritDoc SequenceKernels.residualForward} */
  residualForward = (f: Activation, xh: boolean, a: FloatArray, hs: FloatArray, wHh: FloatArray | undefined,
                     bHh: FloatArray | undefined, T: number, B: number, H: number, reverse: boolean,
                     lengths: Int32Array | undefined): void => {
    const BH = B * H;
    this.ops.sequence(RES_F, activationCode(f), xh ? 1 : 0, xh ? f32(wHh!, H * H, 'residualForward wHh') : null,
                      xh ? opt(bHh, H, 'residualForward bHh') : null, lengthsOf(lengths, B), B, H, T, reverse ? 1 : 0,
                      f32(a, T * BH, 'residualForward a'), f32(hs, (T + 1) * BH, 'residualForward hs'));
  };

  /** {@inheritDoc SequenceKernels.residualBackward} */
  residualBackward = (f: Activation, xh: boolean, dz: FloatArray, a: FloatArray, dY: FloatArray, work: FloatArray,
                      wHh: FloatArray | undefined, T: number, B: number, H: number, reverse: boolean,
                      lengths: Int32Array | undefined): void => {
    const BH = B * H;
    this.ops.sequence(RES_B, activationCode(f), xh ? 1 : 0, xh ? f32(wHh!, H * H, 'residualBackward wHh') : null, null,
                      lengthsOf(lengths, B), B, H, T, reverse ? 1 : 0, f32(dz, T * BH, 'residualBackward dz'),
                      f32(a, T * BH, 'residualBackward a'), f32(dY, T * BH, 'residualBackward dY'),
                      f32(work, 3 * BH, 'residualBackward work'));
  };
}
