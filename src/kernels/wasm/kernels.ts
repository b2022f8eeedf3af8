/**
 * @module kernels/wasm/kernels
 * The Kernels interface over the wasm module's exports: each call turns its arrays into addresses
 * (kernels/wasm/addresses: in place where they live in the module's memory, copied otherwise),
 * asks the splitter whether to cut it between threads (kernels/wasm/splitter), and calls the export
 * once or cuts it into chunks that the calling thread and the workers run at once.
 */
import type { WasmFlavor } from './binary.js';
import type { FloatArray } from '../../tensor/types.js';
import type { Activation, Kernels } from '../types.js';
import { Addresses } from './addresses.js';
import type { WasmExports } from './exports.js';
import type { WasmHeap } from './heap.js';
import { op, opTable } from './jobs.js';
import type { CreateWorker } from './pool.js';
import { WasmSequence } from './sequence.js';
import { CallSplitter, type SplitThresholds } from './splitter.js';

export type { SplitThresholds } from './splitter.js';

type Flavor = WasmFlavor;

const OP_GEMM = op('gemm');
const OP_ONEHOT = op('oneHotProject');
const OP_ONEHOT_BACK = op('oneHotProjectBackward');
const OP_LOSS = op('softmaxCrossEntropy');
const OP_ACT_F = op('activationForward');
const OP_ACT_B = op('activationBackward');
const OP_ADD = op('add');
const OP_FILL = op('fillRows');
const OP_LSTM_F = op('lstmForward');
const OP_LSTM_B = op('lstmBackward');
const OP_GRU_AF = op('gruAfterForward');
const OP_GRU_AB = op('gruAfterBackward');
const OP_GRU_BG = op('gruBeforeGates');
const OP_GRU_BO = op('gruBeforeOutput');
const OP_GRU_BOB = op('gruBeforeOutputBackward');
const OP_GRU_BGB = op('gruBeforeGatesBackward');
// per-step cell kernels: (pointers..., B, H); each pointer's row width in units of H (0: not per row)
const ROW_WIDTHS: readonly (readonly number[] | undefined)[] = (() => {
  const w: (readonly number[] | undefined)[] = [];
  w[OP_LSTM_F] = [4, 0, 1, 1, 1];
  w[OP_LSTM_B] = [4, 1, 1, 1, 4, 1, 1];
  w[OP_GRU_AF] = [3, 3, 0, 1, 1, 1];
  w[OP_GRU_AB] = [3, 3, 1, 1, 3, 1, 1];
  w[OP_GRU_BG] = [3, 2, 0, 1, 1];
  w[OP_GRU_BO] = [3, 1, 0, 1, 1];
  w[OP_GRU_BOB] = [3, 1, 1, 1, 3, 1];
  w[OP_GRU_BGB] = [3, 2, 1, 1, 3, 1];
  return w;
})();

/**
 * The WebAssembly SIMD kernels (from loadWasmKernels or loadKernels): the Kernels interface on one
 * wasm memory, float32. Arrays from `alloc` live in that memory and are used in place; other
 * Float32Arrays are copied in and out per call.
 */
export class WasmKernels implements Kernels {
  /** Which build runs: with relaxed-SIMD fused multiply-add, or plain SIMD. */
  readonly name: Flavor;
  /** Always float32. */
  readonly dtype = 'float32' as const;
  /** @internal The compiled module (worker threads instantiate it too). */
  readonly module: WebAssembly.Module;
  /** @internal The module's exports on this thread. */
  readonly exports: WasmExports;
  /** @internal The allocator of the wasm memory. */
  readonly heap: WasmHeap;
  /** @internal The scratch block of this thread's gemm calls (exports.gemmScratchBytes() bytes). */
  readonly gemmScratch: number;
  private readonly fns: ReturnType<typeof opTable>;
  private readonly scratchBytes: number;
  private workerScratch: number[] = [];
  private readonly m: Addresses;
  private readonly s: CallSplitter;
  /** @internal Whole recurrences in one call, cut by batch rows between threads. */
  readonly sequence: WasmSequence;

  /** @internal loadWasmKernels builds these. */
  constructor(name: Flavor, module: WebAssembly.Module, exports: WasmExports, heap: WasmHeap,
              split: Partial<SplitThresholds> = {}) {
    this.name = name;
    this.module = module;
    this.exports = exports;
    this.heap = heap;
    this.scratchBytes = exports.gemmScratchBytes();
    this.gemmScratch = heap.allocBytes(this.scratchBytes);
    this.fns = opTable(exports as unknown as WebAssembly.Exports);
    this.m = new Addresses(heap, name);
    this.s = new CallSplitter(split);
    this.sequence = new WasmSequence(this.fns, this.m, this.s, this.gemmScratch, (f) => this.activation(f), () => this.end());
  }

  /** @internal When calls are cut between threads. */
  get split(): SplitThresholds {
    return this.s.split;
  }

  /** Calls cut between threads so far. */
  get parallelCalls(): number {
    return this.s.parallelCalls;
  }

  /** @internal Bytes of the memory held as the threads' gemm scratch. */
  get scratchBytesInUse(): number {
    return this.scratchBytes * (1 + this.workerScratch.length);
  }

  /** The calling thread plus the pool's workers. */
  get threads(): number {
    return this.s.threads;
  }

  /** Why fewer threads run than were asked for (set by loadWasmKernels; see Kernels.fallback). */
  fallback: string | undefined;

  /** @internal Start `workers` worker threads and run on them from now on (loadWasmKernels calls this);
   *  undefined once they run, else why they cannot (the kernels then run on this thread alone). */
  async startWorkers(memory: WebAssembly.Memory, workers: number, createWorker?: CreateWorker): Promise<string | undefined> {
    if (this.s.threads > 1 || workers < 1) return undefined;
    const scratch = [this.gemmScratch];
    for (let w = 0; w < workers; w++) scratch.push(this.heap.allocBytes(this.scratchBytes));
    const why = await this.s.start(this.module, memory, workers, scratch, this.fns, createWorker);
    if (why !== undefined) {
      for (const at of scratch.slice(1)) this.heap.freeBytes(at);
      return why;
    }
    this.workerScratch = scratch.slice(1);
    return undefined;
  }

  /** End the worker threads; the kernels keep working on the calling thread alone. */
  dispose = (): void => {
    this.s.stop();
    for (const at of this.workerScratch) this.heap.freeBytes(at);
    this.workerScratch = [];
  };

  /** {@inheritDoc Kernels.alloc} */
  alloc = (length: number): Float32Array => this.heap.alloc(length);

  /** {@inheritDoc Kernels.free} */
  free = (a: FloatArray): void => {
    if (this.heap.owns(a.buffer)) this.heap.freeBytes(a.byteOffset);
  };

  /** {@inheritDoc Kernels.gemm} */
  gemm = (transA: boolean, transB: boolean, M: number, N: number, K: number,
          A: FloatArray, B: FloatArray, C: FloatArray, accumulate: boolean): void => {
    const a = this.m.at(A, M * K, false, 'gemm A');
    const b = this.m.at(B, K * N, false, 'gemm B');
    const c = this.m.at(C, M * N, true, 'gemm C');
    const ta = transA ? 1 : 0, tb = transB ? 1 : 0, lda = transA ? M : K, ldb = transB ? K : N;
    const acc = accumulate ? 1 : 0;
    const byRows = N <= M;
    const m = byRows ? M : N;
    const unit = byRows ? 4 : 8;
    const n = this.s.ways(OP_GEMM, 2 * M * N * K, this.s.split.gemmFlops, m, unit);
    if (n <= 1) {
      this.exports.gemm(ta, tb, M, N, K, a, lda, b, ldb, c, N, acc, this.gemmScratch);
    } else {
      // C's longer side in chunks: rows i of C (A's rows, or columns when transposed) or columns j
      // of C (B's columns, or rows when transposed); see wasm/gemm
      const j = this.s.j;
      j[1] = ta; j[2] = tb; j[3] = M; j[4] = N; j[5] = K; j[6] = a; j[7] = lda; j[8] = b; j[9] = ldb;
      j[10] = c; j[11] = N; j[12] = acc; j[13] = 0;
      if (byRows) this.s.cut(OP_GEMM, m, unit, n, 3, 13, 6, ta ? 4 : 4 * lda, 10, 4 * N);
      else this.s.cut(OP_GEMM, m, unit, n, 4, 13, 8, tb ? 4 * ldb : 4, 10, 4);
    }
    this.end();
  };

  /** After each call: the tuner's timing, the slow path's copies back. */
  private end(): void {
    this.s.timed();
    this.m.done();
  }

  /** A per-step cell kernel over B rows, its `count` pointers in j[1..count]: one call, or cut
   *  by rows when it pays. */
  private cellRows(opIndex: number, count: number, B: number, H: number): void {
    const j = this.s.j;
    j[count + 1] = B;
    j[count + 2] = H;
    const widths = ROW_WIDTHS[opIndex]!;
    let width = 0;
    for (let i = 0; i < count; i++) width += widths[i]!;
    const n = this.s.ways(opIndex, B * H * width, this.s.split.elements, B, 1);
    if (n <= 1) {
      const f = this.fns[opIndex]!;
      if (count === 5) f(j[1]!, j[2]!, j[3]!, j[4]!, j[5]!, B, H);
      else if (count === 6) f(j[1]!, j[2]!, j[3]!, j[4]!, j[5]!, j[6]!, B, H);
      else f(j[1]!, j[2]!, j[3]!, j[4]!, j[5]!, j[6]!, j[7]!, B, H);
      return;
    }
    let k = 0;
    for (let i = 0; i < count; i++) if (widths[i] !== 0) this.s.offset(k++, i + 1, 4 * widths[i]! * H);
    this.s.cut(opIndex, B, 1, n, count + 1, 0, 0, 0, 0, 0, 0, 0, k);
  }

  /** {@inheritDoc Kernels.fillRows} */
  fillRows = (out: FloatArray, v: FloatArray, R: number, N: number): void => {
    const o = this.m.at(out, R * N, true, 'fillRows out');
    const vv = this.m.at(v, N, false, 'fillRows v');
    const n = this.s.ways(OP_FILL, R * N, 4 * this.s.split.elements, R, 1);
    if (n <= 1) this.exports.fillRows(o, vv, R, N);
    else {
      const j = this.s.j;
      j[1] = o; j[2] = vv; j[3] = R; j[4] = N;
      this.s.cut(OP_FILL, R, 1, n, 3, 0, 1, 4 * N);
    }
    this.end();
  };

  /** {@inheritDoc Kernels.addRowSums} */
  addRowSums = (out: FloatArray, A: FloatArray, R: number, N: number): void => {
    const o = this.m.at(out, N, true, 'addRowSums out');
    this.exports.addRowSums(o, this.m.at(A, R * N, false, 'addRowSums A'), R, N);
    this.end();
  };

  /** {@inheritDoc Kernels.add} */
  add = (out: FloatArray, a: FloatArray, b: FloatArray, n: number): void => {
    const o = this.m.at(out, n, true, 'add out');
    const aa = this.m.at(a, n, false, 'add a');
    const bb = this.m.at(b, n, false, 'add b');
    const c = this.s.ways(OP_ADD, n, 2 * this.s.split.elements, n, 16);
    if (c <= 1) this.exports.add(o, aa, bb, n);
    else {
      const j = this.s.j;
      j[1] = o; j[2] = aa; j[3] = bb; j[4] = n;
      this.s.cut(OP_ADD, n, 16, c, 4, 0, 1, 4, 2, 4, 3, 4);
    }
    this.end();
  };

  /** {@inheritDoc Kernels.activationForward} */
  activationForward = (f: Activation, z: FloatArray, b: FloatArray | undefined, B: number, H: number): void => {
    const code = this.activation(f);
    const zz = this.m.at(z, B * H, true, 'activationForward z');
    const bb = this.m.opt(b, H, 'activationForward b');
    const n = this.s.ways(OP_ACT_F, B * H, this.s.split.elements, B, 1);
    if (n <= 1) this.exports.activationForward(code, zz, bb, B, H);
    else {
      const j = this.s.j;
      j[1] = code; j[2] = zz; j[3] = bb; j[4] = B; j[5] = H;
      this.s.cut(OP_ACT_F, B, 1, n, 4, 0, 2, 4 * H);
    }
    this.end();
  };

  /** {@inheritDoc Kernels.activationBackward} */
  activationBackward = (f: Activation, dz: FloatArray, dh: FloatArray, a: FloatArray, n: number): void => {
    const code = this.activation(f);
    const d = this.m.at(dz, n, true, 'activationBackward dz');
    const hh = this.m.at(dh, n, false, 'activationBackward dh');
    const aa = this.m.at(a, n, false, 'activationBackward a');
    const c = this.s.ways(OP_ACT_B, n, this.s.split.elements, n, 16);
    if (c <= 1) this.exports.activationBackward(code, d, hh, aa, n);
    else {
      const j = this.s.j;
      j[1] = code; j[2] = d; j[3] = hh; j[4] = aa; j[5] = n;
      this.s.cut(OP_ACT_B, n, 16, c, 5, 0, 2, 4, 3, 4, 4, 4);
    }
    this.end();
  };

  /** {@inheritDoc Kernels.lstmForward} */
  lstmForward = (gates: FloatArray, bHh: FloatArray | undefined, cPrev: FloatArray, c: FloatArray, h: FloatArray,
                 B: number, H: number): void => {
    const BH = B * H;
    const j = this.s.j;
    j[1] = this.m.at(gates, 4 * BH, true, 'lstmForward gates');
    j[2] = this.m.opt(bHh, 4 * H, 'lstmForward bHh');
    j[3] = this.m.at(cPrev, BH, false, 'lstmForward cPrev');
    j[4] = this.m.at(c, BH, true, 'lstmForward c');
    j[5] = this.m.at(h, BH, true, 'lstmForward h');
    this.cellRows(OP_LSTM_F, 5, B, H);
    this.end();
  };

  /** {@inheritDoc Kernels.lstmBackward} */
  lstmBackward = (dGates: FloatArray, dcPrev: FloatArray, dh: FloatArray, dc: FloatArray, gates: FloatArray,
                  c: FloatArray, cPrev: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    const j = this.s.j;
    j[1] = this.m.at(dGates, 4 * BH, true, 'lstmBackward dGates');
    j[2] = this.m.at(dcPrev, BH, true, 'lstmBackward dcPrev');
    j[3] = this.m.at(dh, BH, false, 'lstmBackward dh');
    j[4] = this.m.at(dc, BH, false, 'lstmBackward dc');
    j[5] = this.m.at(gates, 4 * BH, false, 'lstmBackward gates');
    j[6] = this.m.at(c, BH, false, 'lstmBackward c');
    j[7] = this.m.at(cPrev, BH, false, 'lstmBackward cPrev');
    this.cellRows(OP_LSTM_B, 7, B, H);
    this.end();
  };

  /** {@inheritDoc Kernels.gruAfterForward} */
  gruAfterForward = (gates: FloatArray, hw: FloatArray, bHh: FloatArray | undefined, hPrev: FloatArray,
                     h: FloatArray, hn: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    const j = this.s.j;
    j[1] = this.m.at(gates, 3 * BH, true, 'gruAfterForward gates');
    j[2] = this.m.at(hw, 3 * BH, false, 'gruAfterForward hw');
    j[3] = this.m.opt(bHh, 3 * H, 'gruAfterForward bHh');
    j[4] = this.m.at(hPrev, BH, false, 'gruAfterForward hPrev');
    j[5] = this.m.at(h, BH, true, 'gruAfterForward h');
    j[6] = this.m.at(hn, BH, true, 'gruAfterForward hn');
    this.cellRows(OP_GRU_AF, 6, B, H);
    this.end();
  };

  /** {@inheritDoc Kernels.gruAfterBackward} */
  gruAfterBackward = (dXw: FloatArray, dHw: FloatArray, dhPrev: FloatArray, dh: FloatArray, gates: FloatArray,
                      hn: FloatArray, hPrev: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    const j = this.s.j;
    j[1] = this.m.at(dXw, 3 * BH, true, 'gruAfterBackward dXw');
    j[2] = this.m.at(dHw, 3 * BH, true, 'gruAfterBackward dHw');
    j[3] = this.m.at(dhPrev, BH, true, 'gruAfterBackward dhPrev');
    j[4] = this.m.at(dh, BH, false, 'gruAfterBackward dh');
    j[5] = this.m.at(gates, 3 * BH, false, 'gruAfterBackward gates');
    j[6] = this.m.at(hn, BH, false, 'gruAfterBackward hn');
    j[7] = this.m.at(hPrev, BH, false, 'gruAfterBackward hPrev');
    this.cellRows(OP_GRU_AB, 7, B, H);
    this.end();
  };

  /** {@inheritDoc Kernels.gruBeforeGates} */
  gruBeforeGates = (gates: FloatArray, hwRz: FloatArray, bHh: FloatArray | undefined, hPrev: FloatArray,
                    rh: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    const j = this.s.j;
    j[1] = this.m.at(gates, 3 * BH, true, 'gruBeforeGates gates');
    j[2] = this.m.at(hwRz, 2 * BH, false, 'gruBeforeGates hwRz');
    j[3] = this.m.opt(bHh, 3 * H, 'gruBeforeGates bHh');
    j[4] = this.m.at(hPrev, BH, false, 'gruBeforeGates hPrev');
    j[5] = this.m.at(rh, BH, true, 'gruBeforeGates rh');
    this.cellRows(OP_GRU_BG, 5, B, H);
    this.end();
  };

  /** {@inheritDoc Kernels.gruBeforeOutput} */
  gruBeforeOutput = (gates: FloatArray, hwN: FloatArray, bHh: FloatArray | undefined, hPrev: FloatArray,
                     h: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    const j = this.s.j;
    j[1] = this.m.at(gates, 3 * BH, true, 'gruBeforeOutput gates');
    j[2] = this.m.at(hwN, BH, false, 'gruBeforeOutput hwN');
    j[3] = this.m.opt(bHh, 3 * H, 'gruBeforeOutput bHh');
    j[4] = this.m.at(hPrev, BH, false, 'gruBeforeOutput hPrev');
    j[5] = this.m.at(h, BH, true, 'gruBeforeOutput h');
    this.cellRows(OP_GRU_BO, 5, B, H);
    this.end();
  };

  /** {@inheritDoc Kernels.gruBeforeOutputBackward} */
  gruBeforeOutputBackward = (dGates: FloatArray, dHwN: FloatArray, dhPrev: FloatArray, dh: FloatArray,
                             gates: FloatArray, hPrev: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    const j = this.s.j;
    j[1] = this.m.at(dGates, 3 * BH, true, 'gruBeforeOutputBackward dGates');
    j[2] = this.m.at(dHwN, BH, true, 'gruBeforeOutputBackward dHwN');
    j[3] = this.m.at(dhPrev, BH, true, 'gruBeforeOutputBackward dhPrev');
    j[4] = this.m.at(dh, BH, false, 'gruBeforeOutputBackward dh');
    j[5] = this.m.at(gates, 3 * BH, false, 'gruBeforeOutputBackward gates');
    j[6] = this.m.at(hPrev, BH, false, 'gruBeforeOutputBackward hPrev');
    this.cellRows(OP_GRU_BOB, 6, B, H);
    this.end();
  };

  /** {@inheritDoc Kernels.gruBeforeGatesBackward} */
  gruBeforeGatesBackward = (dGates: FloatArray, dHwRz: FloatArray, dhPrev: FloatArray, dRh: FloatArray,
                            gates: FloatArray, hPrev: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    const j = this.s.j;
    j[1] = this.m.at(dGates, 3 * BH, true, 'gruBeforeGatesBackward dGates');
    j[2] = this.m.at(dHwRz, 2 * BH, true, 'gruBeforeGatesBackward dHwRz');
    j[3] = this.m.at(dhPrev, BH, true, 'gruBeforeGatesBackward dhPrev');
    j[4] = this.m.at(dRh, BH, false, 'gruBeforeGatesBackward dRh');
    j[5] = this.m.at(gates, 3 * BH, false, 'gruBeforeGatesBackward gates');
    j[6] = this.m.at(hPrev, BH, false, 'gruBeforeGatesBackward hPrev');
    this.cellRows(OP_GRU_BGB, 6, B, H);
    this.end();
  };

  /** {@inheritDoc Kernels.oneHotProject} */
  oneHotProject = (out: FloatArray, idx: Int32Array, W: FloatArray, b: FloatArray | undefined,
                   R: number, N: number, I: number): void => {
    this.checkIndices(idx, R, I, 'oneHotProject');
    const o = this.m.at(out, R * N, true, 'oneHotProject out');
    const w = this.m.at(W, N * I, false, 'oneHotProject W');
    const bb = this.m.opt(b, N, 'oneHotProject b');
    const ix = this.m.indices(idx);
    const n = this.s.ways(OP_ONEHOT, R * N, this.s.split.elements, N, 16);
    if (n <= 1) this.exports.oneHotProject(o, ix, w, bb, R, N, I, this.gemmScratch, this.scratchBytes, N);
    else {
      // blocks of W's rows, i.e. of out's columns
      const j = this.s.j;
      j[1] = o; j[2] = ix; j[3] = w; j[4] = bb; j[5] = R; j[6] = N; j[7] = I; j[8] = 0; j[9] = this.scratchBytes; j[10] = N;
      this.s.cut(OP_ONEHOT, N, 16, n, 6, 8, 1, 4, 3, 4 * I, 4, 4);
    }
    this.end();
  };

  /** {@inheritDoc Kernels.oneHotProjectBackward} */
  oneHotProjectBackward = (dW: FloatArray, dOut: FloatArray, idx: Int32Array, R: number, N: number, I: number): void => {
    this.checkIndices(idx, R, I, 'oneHotProjectBackward');
    const d = this.m.at(dW, N * I, true, 'oneHotProjectBackward dW');
    const o = this.m.at(dOut, R * N, false, 'oneHotProjectBackward dOut');
    const ix = this.m.indices(idx);
    const n = this.s.ways(OP_ONEHOT_BACK, R * N, this.s.split.elements, N, 16);
    if (n <= 1) this.exports.oneHotProjectBackward(d, o, ix, R, N, I, this.gemmScratch, this.scratchBytes, N);
    else {
      const j = this.s.j;
      j[1] = d; j[2] = o; j[3] = ix; j[4] = R; j[5] = N; j[6] = I; j[7] = 0; j[8] = this.scratchBytes; j[9] = N;
      this.s.cut(OP_ONEHOT_BACK, N, 16, n, 5, 7, 1, 4 * I, 2, 4);
    }
    this.end();
  };

  /** {@inheritDoc Kernels.softmaxCrossEntropy} */
  softmaxCrossEntropy = (logits: FloatArray, targets: Int32Array, dLogits: FloatArray | undefined, R: number,
                         V: number, ignoreIndex: number, scale: number): number => {
    if (!(targets instanceof Int32Array) || targets.length < R) {
      this.m.fail(`softmaxCrossEntropy: expected targets as an Int32Array of at least ${R} values`);
    }
    for (let r = 0; r < R; r++) {
      const y = targets[r]!;
      if (y !== ignoreIndex && !(y >= 0 && y < V)) {
        this.m.fail(`softmaxCrossEntropy: target ${y} at row ${r} is outside 0..${V - 1} and is not the ignore index ${ignoreIndex}`);
      }
    }
    const l = this.m.at(logits, R * V, false, 'softmaxCrossEntropy logits');
    const t = this.m.indices(targets);
    const d = dLogits ? this.m.at(dLogits, R * V, true, 'softmaxCrossEntropy dLogits') : 0;
    const n = this.s.ways(OP_LOSS, R * V, this.s.split.elements, R, 1);
    let loss: number;
    if (n <= 1) loss = this.exports.softmaxCrossEntropy(l, t, d, R, V, ignoreIndex, scale);
    else {
      const j = this.s.j;
      j[1] = l; j[2] = t; j[3] = d; j[4] = R; j[5] = V; j[6] = ignoreIndex; j[7] = scale;
      loss = this.s.cut(OP_LOSS, R, 1, n, 4, 0, 1, 4 * V, 2, 4, 3, 4 * V);
    }
    this.end();
    return loss;
  };

  // ---------------------------------------------------------------------------------------------

  private checkIndices(idx: Int32Array, R: number, I: number, what: string): void {
    if (!(idx instanceof Int32Array) || idx.length < R) this.m.fail(`${what}: expected indices as an Int32Array of at least ${R} values`);
    for (let r = 0; r < R; r++) {
      const v = idx[r]!;
      if (!(v >= 0 && v < I)) this.m.fail(`${what}: index ${v} at row ${r} is outside 0..${I - 1}`);
    }
  }

  private activation(f: Activation): number {
    const code = f === 'tanh' ? 0 : f === 'relu' ? 1 : f === 'identity' ? 2 : -1;
    if (code < 0) this.m.fail(`activation: expected tanh, relu or identity, got ${String(f)}`);
    return code;
  }
}
