/**
 * @module kernels/native/kernels
 * The Kernels interface over the native addon (kernels/native/addon): each call checks its arrays
 * (kernels/native/check) and hands them to the addon, which computes in place on their memory: any
 * Float32Array works without a copy, `alloc` is a plain zero-filled Float32Array on its own buffer.
 * The addon cuts calls worth it between its threads (native/src/ops.cpp).
 */
import type { FloatArray } from '../../tensor/types.js';
import type { Activation, Kernels, SequenceKernels } from '../types.js';
import type { NativeOps } from './addon.js';
import { activationCode, f32, indices, opt, targetsOf } from './check.js';
import { NativeSequence } from './sequence.js';

/**
 * The native CPU kernels (from loadNativeKernels, or loadKernels with 'native' or 'auto' in Node):
 * float32, in place on any Float32Array, on `threads` threads of the addon.
 */
export class NativeKernels implements Kernels {
  /** Always 'native'; `isa` says which build of the kernels runs. */
  readonly name = 'native';
  /** Always float32. */
  readonly dtype = 'float32' as const;
  /** The instruction set the kernels run with: 'avx512', 'avx2' or 'generic' (the baseline: SSE2, NEON). */
  readonly isa: string;
  /** Whole recurrences in one call, cut by batch rows between the addon's threads. */
  readonly sequence: SequenceKernels;
  /** Never set: the addon's threads always start. */
  readonly fallback: string | undefined = undefined;
  private readonly ops: NativeOps;
  private workers: number;

  /** @internal loadNativeKernels builds these. */
  constructor(ops: NativeOps) {
    this.ops = ops;
    this.isa = ops.isa;
    this.workers = ops.threads - 1;
    this.sequence = new NativeSequence(ops);
  }

  /** The calling thread plus the addon's worker threads. */
  get threads(): number {
    return this.workers + 1;
  }

  /** Calls cut between threads so far. */
  get parallelCalls(): number {
    return this.ops.parallelCalls();
  }

  /** The register tile and k block of the addon's gemm (rows × columns, k), and its vector lanes. */
  get gemmShape(): { mr: number; nr: number; kc: number; lanes: number } {
    return { mr: this.ops.mr, nr: this.ops.nr, kc: this.ops.kc, lanes: this.ops.lanes };
  }

  /**
   * The machine's peak for these kernels, measured on this thread (in its CPU time, so that other
   * processes do not lower it): one core's rate of independent vector multiply-adds, the clock (a
   * chain of dependent additions), and what they imply: vector lanes × 2 FLOPs × FMA units × clock
   * per core. Takes about 0.2 s.
   */
  measurePeak(): { gflopsPerCore: number; ghz: number; lanes: number; fmaUnits: number } {
    const { gflops, ghz } = this.ops.peak();
    const lanes = this.ops.lanes;
    return { gflopsPerCore: gflops, ghz, lanes, fmaUnits: ghz > 0 ? Math.round(gflops / (2 * lanes * ghz)) : 0 };
  }

  /** @internal When calls are cut between threads: gemm FLOPs, elements of a row-wise kernel. */
  setSplit(gemmFlops: number, elements: number): void {
    this.ops.split(gemmFlops, elements);
  }

  /** End the worker threads; the kernels keep working on the calling thread alone. */
  dispose = (): void => {
    this.ops.dispose();
    this.workers = 0;
  };

  /** {@inheritDoc Kernels.alloc} */
  alloc = (length: number): Float32Array => new Float32Array(new ArrayBuffer(4 * length));

  /** {@inheritDoc Kernels.free} */
  free = (): void => {};

  /** {@inheritDoc Kernels.gemm} */
  gemm = (transA: boolean, transB: boolean, M: number, N: number, K: number,
          A: FloatArray, B: FloatArray, C: FloatArray, accumulate: boolean): void => {
    this.ops.gemm(transA ? 1 : 0, transB ? 1 : 0, M, N, K, f32(A, M * K, 'gemm A'), f32(B, K * N, 'gemm B'),
                  f32(C, M * N, 'gemm C'), accumulate ? 1 : 0);
  };

  /** {@inheritDoc Kernels.fillRows} */
  fillRows = (out: FloatArray, v: FloatArray, R: number, N: number): void => {
    this.ops.fillRows(f32(out, R * N, 'fillRows out'), f32(v, N, 'fillRows v'), R, N);
  };

  /** {@inheritDoc Kernels.addRowSums} */
  addRowSums = (out: FloatArray, A: FloatArray, R: number, N: number): void => {
    this.ops.addRowSums(f32(out, N, 'addRowSums out'), f32(A, R * N, 'addRowSums A'), R, N);
  };

  /** {@inheritDoc Kernels.add} */
  add = (out: FloatArray, a: FloatArray, b: FloatArray, n: number): void => {
    this.ops.add(f32(out, n, 'add out'), f32(a, n, 'add a'), f32(b, n, 'add b'), n);
  };

  /** {@inheritDoc Kernels.activationForward} */
  activationForward = (f: Activation, z: FloatArray, b: FloatArray | undefined, B: number, H: number): void => {
    this.ops.activationForward(activationCode(f), f32(z, B * H, 'activationForward z'), opt(b, H, 'activationForward b'), B, H);
  };

  /** {@inheritDoc Kernels.activationBackward} */
  activationBackward = (f: Activation, dz: FloatArray, dh: FloatArray, a: FloatArray, n: number): void => {
    this.ops.activationBackward(activationCode(f), f32(dz, n, 'activationBackward dz'), f32(dh, n, 'activationBackward dh'),
                                f32(a, n, 'activationBackward a'), n);
  };

  /** {@inheritDoc Kernels.lstmForward} */
  lstmForward = (gates: FloatArray, bHh: FloatArray | undefined, cPrev: FloatArray, c: FloatArray, h: FloatArray,
                 B: number, H: number): void => {
    const BH = B * H;
    this.ops.lstmForward(f32(gates, 4 * BH, 'lstmForward gates'), opt(bHh, 4 * H, 'lstmForward bHh'),
                         f32(cPrev, BH, 'lstmForward cPrev'), f32(c, BH, 'lstmForward c'), f32(h, BH, 'lstmForward h'), B, H);
  };

  /** {@inheritDoc Kernels.lstmBackward} */
  lstmBackward = (dGates: FloatArray, dcPrev: FloatArray, dh: FloatArray, dc: FloatArray, gates: FloatArray,
                  c: FloatArray, cPrev: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    this.ops.lstmBackward(f32(dGates, 4 * BH, 'lstmBackward dGates'), f32(dcPrev, BH, 'lstmBackward dcPrev'),
                          f32(dh, BH, 'lstmBackward dh'), f32(dc, BH, 'lstmBackward dc'),
                          f32(gates, 4 * BH, 'lstmBackward gates'), f32(c, BH, 'lstmBackward c'),
                          f32(cPrev, BH, 'lstmBackward cPrev'), B, H);
  };

  /** {@inheritDoc Kernels.gruAfterForward} */
  gruAfterForward = (gates: FloatArray, hw: FloatArray, bHh: FloatArray | undefined, hPrev: FloatArray,
                     h: FloatArray, hn: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    this.ops.gruAfterForward(f32(gates, 3 * BH, 'gruAfterForward gates'), f32(hw, 3 * BH, 'gruAfterForward hw'),
                             opt(bHh, 3 * H, 'gruAfterForward bHh'), f32(hPrev, BH, 'gruAfterForward hPrev'),
                             f32(h, BH, 'gruAfterForward h'), f32(hn, BH, 'gruAfterForward hn'), B, H);
  };

  /** {@inheritDoc Kernels.gruAfterBackward} */
  gruAfterBackward = (dXw: FloatArray, dHw: FloatArray, dhPrev: FloatArray, dh: FloatArray, gates: FloatArray,
                      hn: FloatArray, hPrev: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    this.ops.gruAfterBackward(f32(dXw, 3 * BH, 'gruAfterBackward dXw'), f32(dHw, 3 * BH, 'gruAfterBackward dHw'),
                              f32(dhPrev, BH, 'gruAfterBackward dhPrev'), f32(dh, BH, 'gruAfterBackward dh'),
                              f32(gates, 3 * BH, 'gruAfterBackward gates'), f32(hn, BH, 'gruAfterBackward hn'),
                              f32(hPrev, BH, 'gruAfterBackward hPrev'), B, H);
  };

  /** {@inheritDoc Kernels.gruBeforeGates} */
  gruBeforeGates = (gates: FloatArray, hwRz: FloatArray, bHh: FloatArray | undefined, hPrev: FloatArray,
                    rh: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    this.ops.gruBeforeGates(f32(gates, 3 * BH, 'gruBeforeGates gates'), f32(hwRz, 2 * BH, 'gruBeforeGates hwRz'),
                            opt(bHh, 3 * H, 'gruBeforeGates bHh'), f32(hPrev, BH, 'gruBeforeGates hPrev'),
                            f32(rh, BH, 'gruBeforeGates rh'), B, H);
  };

  /** {@inheritDoc Kernels.gruBeforeOutput} */
  gruBeforeOutput = (gates: FloatArray, hwN: FloatArray, bHh: FloatArray | undefined, hPrev: FloatArray,
                     h: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    this.ops.gruBeforeOutput(f32(gates, 3 * BH, 'gruBeforeOutput gates'), f32(hwN, BH, 'gruBeforeOutput hwN'),
                             opt(bHh, 3 * H, 'gruBeforeOutput bHh'), f32(hPrev, BH, 'gruBeforeOutput hPrev'),
                             f32(h, BH, 'gruBeforeOutput h'), B, H);
  };

  /** {@inheritDoc Kernels.gruBeforeOutputBackward} */
  gruBeforeOutputBackward = (dGates: FloatArray, dHwN: FloatArray, dhPrev: FloatArray, dh: FloatArray,
                             gates: FloatArray, hPrev: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    this.ops.gruBeforeOutputBackward(f32(dGates, 3 * BH, 'gruBeforeOutputBackward dGates'),
                                     f32(dHwN, BH, 'gruBeforeOutputBackward dHwN'), f32(dhPrev, BH, 'gruBeforeOutputBackward dhPrev'),
                                     f32(dh, BH, 'gruBeforeOutputBackward dh'), f32(gates, 3 * BH, 'gruBeforeOutputBackward gates'),
                                     f32(hPrev, BH, 'gruBeforeOutputBackward hPrev'), B, H);
  };

  /** {@inheritDoc Kernels.gruBeforeGatesBackward} */
  gruBeforeGatesBackward = (dGates: FloatArray, dHwRz: FloatArray, dhPrev: FloatArray, dRh: FloatArray,
                            gates: FloatArray, hPrev: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    this.ops.gruBeforeGatesBackward(f32(dGates, 3 * BH, 'gruBeforeGatesBackward dGates'),
                                    f32(dHwRz, 2 * BH, 'gruBeforeGatesBackward dHwRz'), f32(dhPrev, BH, 'gruBeforeGatesBackward dhPrev'),
                                    f32(dRh, BH, 'gruBeforeGatesBackward dRh'), f32(gates, 3 * BH, 'gruBeforeGatesBackward gates'),
                                    f32(hPrev, BH, 'gruBeforeGatesBackward hPrev'), B, H);
  };

  /** {@inheritDoc Kernels.oneHotProject} */
  oneHotProject = (out: FloatArray, idx: Int32Array, W: FloatArray, b: FloatArray | undefined,
                   R: number, N: number, I: number): void => {
    this.ops.oneHotProject(f32(out, R * N, 'oneHotProject out'), indices(idx, R, I, 'oneHotProject'),
                           f32(W, N * I, 'oneHotProject W'), opt(b, N, 'oneHotProject b'), R, N, I);
  };

  /** {@inheritDoc Kernels.oneHotProjectBackward} */
  oneHotProjectBackward = (dW: FloatArray, dOut: FloatArray, idx: Int32Array, R: number, N: number, I: number): void => {
    this.ops.oneHotProjectBackward(f32(dW, N * I, 'oneHotProjectBackward dW'), f32(dOut, R * N, 'oneHotProjectBackward dOut'),
                                   indices(idx, R, I, 'oneHotProjectBackward'), R, N, I);
  };

  /** {@inheritDoc Kernels.softmaxCrossEntropy} */
  softmaxCrossEntropy = (logits: FloatArray, targets: Int32Array, dLogits: FloatArray | undefined, R: number,
                         V: number, ignoreIndex: number, scale: number): number =>
    this.ops.softmaxCrossEntropy(f32(logits, R * V, 'softmaxCrossEntropy logits'), targetsOf(targets, R, V, ignoreIndex),
                                 opt(dLogits, R * V, 'softmaxCrossEntropy dLogits'), R, V, ignoreIndex, scale);
}
