/**
 * @module kernels/wasm/kernels
 * The Kernels interface over the wasm module's exports. Each call turns its arrays into addresses:
 *
 *   fast path   a Float32Array whose buffer is the module's memory (from alloc, or a subarray of
 *               one) is passed as its byteOffset: no copy, no allocation.
 *   slow path   any other Float32Array (or Int32Array of targets) is copied, whole, into a block of
 *               wasm memory for the call; arrays the kernel writes are copied back afterwards and
 *               the blocks freed. Correct, but it costs a copy each way and a block per array.
 *               The same array object passed twice (in place) shares one block; distinct views
 *               that overlap in the same foreign buffer are not supported.
 *   errors      a Float64Array, or an array shorter than the shapes say, is a RecurError.
 *
 * Threads: with a WorkerPool (kernels/wasm/pool, kernels/wasm/jobs), a call large enough to pay for
 * the fork/join is cut into chunks that the calling thread and the workers compute at once: a gemm
 * by C's longer side (whole 8-column panels or 4-row tiles per chunk, so that each thread streams
 * its own share of the weight matrix), the per-step cell kernels, elementwise kernels and the loss
 * by rows, the one-hot projection by blocks of 16 rows of W. Every element is computed by the same
 * instructions in the same order as without threads, so the results are bitwise the same (the loss
 * total aside: the chunks' float64 sums are added in chunk order). `parallelCalls` counts the calls
 * that were cut.
 */
import { RecurError } from '../../errors.js';
import type { FloatArray } from '../../tensor/types.js';
import type { Activation, Kernels } from '../types.js';
import type { WasmExports } from './exports.js';
import type { WasmHeap } from './heap.js';
import {
  CHUNK, CHUNKS, COUNT_ARG, JOB, MAX_CHUNKS, MAX_OFFSETS, OFFSET0, OFFSETS, op, opTable, RES, SCRATCH_ARG, TOTAL,
} from './jobs.js';
import { WorkerPool } from './pool.js';

type Flavor = 'wasm-relaxed-simd' | 'wasm-simd';
type Foreign = Float32Array | Int32Array;

/** When a call is cut between threads (see `WasmKernels.split`). */
export interface SplitThresholds {
  /** A gemm is cut when 2·M·N·K ≥ this (default 2¹⁸ FLOPs: a few microseconds of work). */
  gemmFlops: number;
  /** A row-wise kernel (cells, loss, one-hot projection) when its elements ≥ this (default 2¹³). */
  elements: number;
  /** Chunks per thread (default 2): more balance the load when a thread is late, fewer pack less. */
  chunksPerThread: number;
  /** Time calls cut and whole and cut only where cutting is faster (default true); false cuts every
   *  call above the thresholds (tests). */
  tune: boolean;
}

const TUNE_BUCKETS = 48; // log2 of a call's work
const TUNE_SLOTS = 32 * TUNE_BUCKETS;

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

export class WasmKernels implements Kernels {
  readonly name: Flavor;
  readonly dtype = 'float32' as const;
  readonly module: WebAssembly.Module;
  readonly exports: WasmExports;
  readonly heap: WasmHeap;
  /** The scratch block of this thread's gemm calls (exports.gemmScratchBytes() bytes). */
  readonly gemmScratch: number;
  /** Calls cut between threads so far. */
  parallelCalls = 0;
  readonly split: SplitThresholds;
  private pool: WorkerPool | undefined;
  // the tuner: per (kernel, log2 of the work) the time per unit of work cut and whole (EWMA)
  private readonly tuneCut = new Float64Array(TUNE_SLOTS);
  private readonly tuneWhole = new Float64Array(TUNE_SLOTS);
  private readonly tuneCalls = new Float64Array(TUNE_SLOTS);
  private tuneSlot = -1;
  private tuneWork = 0;
  private tuneCutNow = false;
  private tuneStart = 0;
  private readonly fns: ReturnType<typeof opTable>;
  /** The job being set up: the pool's shared one, or this private one without a pool. */
  private j: Float64Array;
  private readonly solo = new Float64Array(JOB);
  private readonly scratchBytes: number;
  private view: Float32Array;
  // the current call's slow-path copies
  private pending = 0;
  private readonly pendArr: Foreign[] = [];
  private readonly pendAt: number[] = [];
  private readonly pendLen: number[] = [];
  private readonly pendOut: boolean[] = [];

  constructor(name: Flavor, module: WebAssembly.Module, exports: WasmExports, heap: WasmHeap,
              split: Partial<SplitThresholds> = {}) {
    this.name = name;
    this.module = module;
    this.exports = exports;
    this.heap = heap;
    this.scratchBytes = exports.gemmScratchBytes();
    this.gemmScratch = heap.allocBytes(this.scratchBytes);
    this.fns = opTable(exports as unknown as WebAssembly.Exports);
    this.split = {
      gemmFlops: split.gemmFlops ?? 1 << 18, elements: split.elements ?? 1 << 13,
      chunksPerThread: split.chunksPerThread ?? 2, tune: split.tune ?? true,
    };
    this.j = this.solo;
    this.view = new Float32Array(heap.buffer);
  }

  /** Bytes of the memory held as the threads' gemm scratch. */
  get scratchBytesInUse(): number {
    return this.scratchBytes * (1 + this.workerScratch.length);
  }
  private workerScratch: number[] = [];

  /** The calling thread plus the pool's workers. */
  get threads(): number {
    return this.pool?.alive ? this.pool.size + 1 : 1;
  }

  /** Start `workers` worker threads and run on them from now on (loadWasmKernels calls this). */
  async startWorkers(memory: WebAssembly.Memory, workers: number): Promise<void> {
    if (this.pool || workers < 1) return;
    const scratch = [this.gemmScratch];
    for (let w = 0; w < workers; w++) scratch.push(this.heap.allocBytes(this.scratchBytes));
    const pool = await WorkerPool.start(this.module, memory, workers, scratch, this.fns);
    if (!pool) {
      for (const at of scratch.slice(1)) this.heap.freeBytes(at);
      return;
    }
    this.workerScratch = scratch.slice(1);
    this.pool = pool;
    this.j = pool.data;
  }

  /** End the worker threads; the kernels keep working on the calling thread alone. */
  dispose = (): void => {
    this.pool?.dispose();
    this.pool = undefined;
    for (const at of this.workerScratch) this.heap.freeBytes(at);
    this.workerScratch = [];
    this.j = this.solo;
  };

  alloc = (length: number): Float32Array => this.heap.alloc(length);

  free = (a: FloatArray): void => {
    if (this.heap.owns(a.buffer)) this.heap.freeBytes(a.byteOffset);
  };

  gemm = (transA: boolean, transB: boolean, M: number, N: number, K: number,
          A: FloatArray, B: FloatArray, C: FloatArray, accumulate: boolean): void => {
    const a = this.at(A, M * K, false, 'gemm A');
    const b = this.at(B, K * N, false, 'gemm B');
    const c = this.at(C, M * N, true, 'gemm C');
    const ta = transA ? 1 : 0, tb = transB ? 1 : 0, lda = transA ? M : K, ldb = transB ? K : N;
    const acc = accumulate ? 1 : 0;
    const byRows = N <= M;
    const m = byRows ? M : N;
    const unit = byRows ? 4 : 8;
    const n = this.pool === undefined || 2 * M * N * K < this.split.gemmFlops ? 1 : this.plan(OP_GEMM, 2 * M * N * K, this.chunks(m, unit));
    if (n <= 1) {
      this.exports.gemm(ta, tb, M, N, K, a, lda, b, ldb, c, N, acc, this.gemmScratch);
    } else {
      // C's longer side in chunks: rows i of C (A's rows, or columns when transposed) or columns j
      // of C (B's columns, or rows when transposed); see wasm/gemm
      const j = this.j;
      j[1] = ta; j[2] = tb; j[3] = M; j[4] = N; j[5] = K; j[6] = a; j[7] = lda; j[8] = b; j[9] = ldb;
      j[10] = c; j[11] = N; j[12] = acc; j[13] = 0;
      if (byRows) this.cut(OP_GEMM, m, unit, n, 3, 13, 6, ta ? 4 : 4 * lda, 10, 4 * N);
      else this.cut(OP_GEMM, m, unit, n, 4, 13, 8, tb ? 4 * ldb : 4, 10, 4);
    }
    this.timed();
    if (this.pending !== 0) this.finish();
  };

  // ---------------------------------------------------------------------------------------------
  // Threads

  /**
   * Whether this call is cut (its chunk count n) or run whole (1): where cutting pays. Threads pay
   * only while the workers get a core: on a machine whose other work takes the cores, a cut call
   * is slower than a whole one. So the calls of each kernel and size (log2 of the work) are timed,
   * cut and whole, and the faster way taken, the other still tried now and then (1 call in 16 while
   * the two are within 25%, else 1 in 64) so that a change of load is seen. A time more than twice
   * the average (the scheduler took the core away) counts as twice the average.
   */
  private plan(opIndex: number, work: number, n: number): number {
    if (n <= 1 || !this.split.tune) return n;
    const slot = opIndex * TUNE_BUCKETS + Math.min(TUNE_BUCKETS - 1, Math.floor(Math.log2(work)));
    const calls = ++this.tuneCalls[slot]!;
    const cutT = this.tuneCut[slot]!, wholeT = this.tuneWhole[slot]!;
    let cut: boolean;
    if (calls <= 8) cut = (calls & 1) === 1; // both ways, alternately, to start
    else {
      cut = cutT < wholeT;
      // the other way now and then: the more it loses, the more rarely
      const loss = cut ? wholeT / cutT : cutT / wholeT;
      const period = loss < 1.25 ? 16 : 64;
      if (calls % period === 0) cut = !cut;
    }
    this.tuneSlot = slot;
    this.tuneWork = work;
    this.tuneCutNow = cut;
    this.tuneStart = performance.now();
    return cut ? n : 1;
  }

  /** After a call planned by `plan`: its time per unit of work into the average of its way. */
  private timed(): void {
    const slot = this.tuneSlot;
    if (slot < 0) return;
    this.tuneSlot = -1;
    let t = (performance.now() - this.tuneStart) / this.tuneWork;
    // a cut call that had to wake a sleeping worker says little of a cut call while the worker
    // polls, which is what cutting every call keeps it doing: not counted
    if (this.tuneCutNow && this.pool?.woke) return;
    const a = this.tuneCutNow ? this.tuneCut : this.tuneWhole;
    const old = a[slot]!;
    // a call the scheduler interrupted (milliseconds on a busy machine) counts as at most twice the
    // average, so that one such call does not hide the faster way for hundreds of calls
    if (old !== 0 && t > 2 * old) t = 2 * old;
    a[slot] = old === 0 ? t : old + (t - old) / 8;
  }

  /** How many chunks of `unit` to cut `total` units into: up to chunksPerThread per thread. */
  private chunks(total: number, unit: number): number {
    const most = Math.min(MAX_CHUNKS, this.threads * this.split.chunksPerThread, Math.floor(total / unit));
    if (most <= 1) return 1;
    return Math.ceil(total / (Math.ceil(total / most / unit) * unit));
  }

  /**
   * Run the job whose arguments are in this.j[1..14] in about `n` chunks of whole `unit`s of `total`
   * (the count in argument countArg, each thread's gemm scratch in scratchArg when not 0), moving
   * the pointer arguments given as (argument, bytes per unit) pairs: up to three here, or `more`
   * pairs already written to the job with `offset`. Returns the chunks' results summed in order.
   */
  private cut(opIndex: number, total: number, unit: number, n: number, countArg: number, scratchArg: number,
              a1 = 0, s1 = 0, a2 = 0, s2 = 0, a3 = 0, s3 = 0, more = 0): number {
    const j = this.j;
    const chunk = Math.ceil(total / n / unit) * unit;
    j[0] = opIndex;
    j[TOTAL] = total;
    j[CHUNK] = chunk;
    j[CHUNKS] = Math.ceil(total / chunk);
    j[COUNT_ARG] = countArg;
    j[SCRATCH_ARG] = scratchArg;
    if (more === 0) {
      j[OFFSETS] = a3 !== 0 ? 3 : a2 !== 0 ? 2 : a1 !== 0 ? 1 : 0;
      this.offset(0, a1, s1);
      this.offset(1, a2, s2);
      this.offset(2, a3, s3);
    } else j[OFFSETS] = more;
    this.pool!.run();
    this.parallelCalls++;
    let sum = 0;
    for (let i = 0; i < j[CHUNKS]!; i++) sum += j[RES + i]!;
    return sum;
  }

  /** Offset pair k of the job: argument `arg` moves by `stride` bytes per unit. */
  private offset(k: number, arg: number, stride: number): void {
    if (k >= MAX_OFFSETS) throw new Error('wasm kernels: too many offsets for a job');
    this.j[OFFSET0 + 2 * k] = arg;
    this.j[OFFSET0 + 2 * k + 1] = stride;
  }

  /** A per-step cell kernel over B rows, its `count` pointers in this.j[1..count]: one call, or cut
   *  by rows when it pays. */
  private cellRows(opIndex: number, count: number, B: number, H: number): void {
    const j = this.j;
    j[count + 1] = B;
    j[count + 2] = H;
    const widths = ROW_WIDTHS[opIndex]!;
    let width = 0;
    for (let i = 0; i < count; i++) width += widths[i]!;
    const n = this.pool === undefined || B * H * width < this.split.elements ? 1 : this.plan(opIndex, B * H * width, this.chunks(B, 1));
    if (n <= 1) {
      const f = this.fns[opIndex]!;
      if (count === 5) f(j[1]!, j[2]!, j[3]!, j[4]!, j[5]!, B, H);
      else if (count === 6) f(j[1]!, j[2]!, j[3]!, j[4]!, j[5]!, j[6]!, B, H);
      else f(j[1]!, j[2]!, j[3]!, j[4]!, j[5]!, j[6]!, j[7]!, B, H);
      return;
    }
    let k = 0;
    for (let i = 0; i < count; i++) if (widths[i] !== 0) this.offset(k++, i + 1, 4 * widths[i]! * H);
    this.cut(opIndex, B, 1, n, count + 1, 0, 0, 0, 0, 0, 0, 0, k);
  }

  fillRows = (out: FloatArray, v: FloatArray, R: number, N: number): void => {
    const o = this.at(out, R * N, true, 'fillRows out');
    const vv = this.at(v, N, false, 'fillRows v');
    const n = this.pool === undefined || R * N < 4 * this.split.elements ? 1 : this.plan(OP_FILL, R * N, this.chunks(R, 1));
    if (n <= 1) this.exports.fillRows(o, vv, R, N);
    else {
      const j = this.j;
      j[1] = o; j[2] = vv; j[3] = R; j[4] = N;
      this.cut(OP_FILL, R, 1, n, 3, 0, 1, 4 * N);
    }
    this.timed();
    if (this.pending !== 0) this.finish();
  };

  addRowSums = (out: FloatArray, A: FloatArray, R: number, N: number): void => {
    const o = this.at(out, N, true, 'addRowSums out');
    this.exports.addRowSums(o, this.at(A, R * N, false, 'addRowSums A'), R, N);
    this.timed();
    if (this.pending !== 0) this.finish();
  };

  add = (out: FloatArray, a: FloatArray, b: FloatArray, n: number): void => {
    const o = this.at(out, n, true, 'add out');
    const aa = this.at(a, n, false, 'add a');
    const bb = this.at(b, n, false, 'add b');
    const c = this.pool === undefined || n < 2 * this.split.elements ? 1 : this.plan(OP_ADD, n, this.chunks(n, 16));
    if (c <= 1) this.exports.add(o, aa, bb, n);
    else {
      const j = this.j;
      j[1] = o; j[2] = aa; j[3] = bb; j[4] = n;
      this.cut(OP_ADD, n, 16, c, 4, 0, 1, 4, 2, 4, 3, 4);
    }
    this.timed();
    if (this.pending !== 0) this.finish();
  };

  activationForward = (f: Activation, z: FloatArray, b: FloatArray | undefined, B: number, H: number): void => {
    const code = this.activation(f);
    const zz = this.at(z, B * H, true, 'activationForward z');
    const bb = this.opt(b, H, 'activationForward b');
    const n = this.pool === undefined || B * H < this.split.elements ? 1 : this.plan(OP_ACT_F, B * H, this.chunks(B, 1));
    if (n <= 1) this.exports.activationForward(code, zz, bb, B, H);
    else {
      const j = this.j;
      j[1] = code; j[2] = zz; j[3] = bb; j[4] = B; j[5] = H;
      this.cut(OP_ACT_F, B, 1, n, 4, 0, 2, 4 * H);
    }
    this.timed();
    if (this.pending !== 0) this.finish();
  };

  activationBackward = (f: Activation, dz: FloatArray, dh: FloatArray, a: FloatArray, n: number): void => {
    const code = this.activation(f);
    const d = this.at(dz, n, true, 'activationBackward dz');
    const hh = this.at(dh, n, false, 'activationBackward dh');
    const aa = this.at(a, n, false, 'activationBackward a');
    const c = this.pool === undefined || n < this.split.elements ? 1 : this.plan(OP_ACT_B, n, this.chunks(n, 16));
    if (c <= 1) this.exports.activationBackward(code, d, hh, aa, n);
    else {
      const j = this.j;
      j[1] = code; j[2] = d; j[3] = hh; j[4] = aa; j[5] = n;
      this.cut(OP_ACT_B, n, 16, c, 5, 0, 2, 4, 3, 4, 4, 4);
    }
    this.timed();
    if (this.pending !== 0) this.finish();
  };

  lstmForward = (gates: FloatArray, bHh: FloatArray | undefined, cPrev: FloatArray, c: FloatArray, h: FloatArray,
                 B: number, H: number): void => {
    const BH = B * H;
    const j = this.j;
    j[1] = this.at(gates, 4 * BH, true, 'lstmForward gates');
    j[2] = this.opt(bHh, 4 * H, 'lstmForward bHh');
    j[3] = this.at(cPrev, BH, false, 'lstmForward cPrev');
    j[4] = this.at(c, BH, true, 'lstmForward c');
    j[5] = this.at(h, BH, true, 'lstmForward h');
    this.cellRows(OP_LSTM_F, 5, B, H);
    this.timed();
    if (this.pending !== 0) this.finish();
  };

  lstmBackward = (dGates: FloatArray, dcPrev: FloatArray, dh: FloatArray, dc: FloatArray, gates: FloatArray,
                  c: FloatArray, cPrev: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    const j = this.j;
    j[1] = this.at(dGates, 4 * BH, true, 'lstmBackward dGates');
    j[2] = this.at(dcPrev, BH, true, 'lstmBackward dcPrev');
    j[3] = this.at(dh, BH, false, 'lstmBackward dh');
    j[4] = this.at(dc, BH, false, 'lstmBackward dc');
    j[5] = this.at(gates, 4 * BH, false, 'lstmBackward gates');
    j[6] = this.at(c, BH, false, 'lstmBackward c');
    j[7] = this.at(cPrev, BH, false, 'lstmBackward cPrev');
    this.cellRows(OP_LSTM_B, 7, B, H);
    this.timed();
    if (this.pending !== 0) this.finish();
  };

  gruAfterForward = (gates: FloatArray, hw: FloatArray, bHh: FloatArray | undefined, hPrev: FloatArray,
                     h: FloatArray, hn: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    const j = this.j;
    j[1] = this.at(gates, 3 * BH, true, 'gruAfterForward gates');
    j[2] = this.at(hw, 3 * BH, false, 'gruAfterForward hw');
    j[3] = this.opt(bHh, 3 * H, 'gruAfterForward bHh');
    j[4] = this.at(hPrev, BH, false, 'gruAfterForward hPrev');
    j[5] = this.at(h, BH, true, 'gruAfterForward h');
    j[6] = this.at(hn, BH, true, 'gruAfterForward hn');
    this.cellRows(OP_GRU_AF, 6, B, H);
    this.timed();
    if (this.pending !== 0) this.finish();
  };

  gruAfterBackward = (dXw: FloatArray, dHw: FloatArray, dhPrev: FloatArray, dh: FloatArray, gates: FloatArray,
                      hn: FloatArray, hPrev: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    const j = this.j;
    j[1] = this.at(dXw, 3 * BH, true, 'gruAfterBackward dXw');
    j[2] = this.at(dHw, 3 * BH, true, 'gruAfterBackward dHw');
    j[3] = this.at(dhPrev, BH, true, 'gruAfterBackward dhPrev');
    j[4] = this.at(dh, BH, false, 'gruAfterBackward dh');
    j[5] = this.at(gates, 3 * BH, false, 'gruAfterBackward gates');
    j[6] = this.at(hn, BH, false, 'gruAfterBackward hn');
    j[7] = this.at(hPrev, BH, false, 'gruAfterBackward hPrev');
    this.cellRows(OP_GRU_AB, 7, B, H);
    this.timed();
    if (this.pending !== 0) this.finish();
  };

  gruBeforeGates = (gates: FloatArray, hwRz: FloatArray, bHh: FloatArray | undefined, hPrev: FloatArray,
                    rh: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    const j = this.j;
    j[1] = this.at(gates, 3 * BH, true, 'gruBeforeGates gates');
    j[2] = this.at(hwRz, 2 * BH, false, 'gruBeforeGates hwRz');
    j[3] = this.opt(bHh, 3 * H, 'gruBeforeGates bHh');
    j[4] = this.at(hPrev, BH, false, 'gruBeforeGates hPrev');
    j[5] = this.at(rh, BH, true, 'gruBeforeGates rh');
    this.cellRows(OP_GRU_BG, 5, B, H);
    this.timed();
    if (this.pending !== 0) this.finish();
  };

  gruBeforeOutput = (gates: FloatArray, hwN: FloatArray, bHh: FloatArray | undefined, hPrev: FloatArray,
                     h: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    const j = this.j;
    j[1] = this.at(gates, 3 * BH, true, 'gruBeforeOutput gates');
    j[2] = this.at(hwN, BH, false, 'gruBeforeOutput hwN');
    j[3] = this.opt(bHh, 3 * H, 'gruBeforeOutput bHh');
    j[4] = this.at(hPrev, BH, false, 'gruBeforeOutput hPrev');
    j[5] = this.at(h, BH, true, 'gruBeforeOutput h');
    this.cellRows(OP_GRU_BO, 5, B, H);
    this.timed();
    if (this.pending !== 0) this.finish();
  };

  gruBeforeOutputBackward = (dGates: FloatArray, dHwN: FloatArray, dhPrev: FloatArray, dh: FloatArray,
                             gates: FloatArray, hPrev: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    const j = this.j;
    j[1] = this.at(dGates, 3 * BH, true, 'gruBeforeOutputBackward dGates');
    j[2] = this.at(dHwN, BH, true, 'gruBeforeOutputBackward dHwN');
    j[3] = this.at(dhPrev, BH, true, 'gruBeforeOutputBackward dhPrev');
    j[4] = this.at(dh, BH, false, 'gruBeforeOutputBackward dh');
    j[5] = this.at(gates, 3 * BH, false, 'gruBeforeOutputBackward gates');
    j[6] = this.at(hPrev, BH, false, 'gruBeforeOutputBackward hPrev');
    this.cellRows(OP_GRU_BOB, 6, B, H);
    this.timed();
    if (this.pending !== 0) this.finish();
  };

  gruBeforeGatesBackward = (dGates: FloatArray, dHwRz: FloatArray, dhPrev: FloatArray, dRh: FloatArray,
                            gates: FloatArray, hPrev: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    const j = this.j;
    j[1] = this.at(dGates, 3 * BH, true, 'gruBeforeGatesBackward dGates');
    j[2] = this.at(dHwRz, 2 * BH, true, 'gruBeforeGatesBackward dHwRz');
    j[3] = this.at(dhPrev, BH, true, 'gruBeforeGatesBackward dhPrev');
    j[4] = this.at(dRh, BH, false, 'gruBeforeGatesBackward dRh');
    j[5] = this.at(gates, 3 * BH, false, 'gruBeforeGatesBackward gates');
    j[6] = this.at(hPrev, BH, false, 'gruBeforeGatesBackward hPrev');
    this.cellRows(OP_GRU_BGB, 6, B, H);
    this.timed();
    if (this.pending !== 0) this.finish();
  };

  oneHotProject = (out: FloatArray, idx: Int32Array, W: FloatArray, b: FloatArray | undefined,
                   R: number, N: number, I: number): void => {
    this.checkIndices(idx, R, I, 'oneHotProject');
    const o = this.at(out, R * N, true, 'oneHotProject out');
    const w = this.at(W, N * I, false, 'oneHotProject W');
    const bb = this.opt(b, N, 'oneHotProject b');
    const ix = this.heap.owns(idx.buffer) ? idx.byteOffset : this.copyIn(idx, false);
    const n = this.pool === undefined || R * N < this.split.elements ? 1 : this.plan(OP_ONEHOT, R * N, this.chunks(N, 16));
    if (n <= 1) this.exports.oneHotProject(o, ix, w, bb, R, N, I, this.gemmScratch, this.scratchBytes, N);
    else {
      // blocks of W's rows, i.e. of out's columns
      const j = this.j;
      j[1] = o; j[2] = ix; j[3] = w; j[4] = bb; j[5] = R; j[6] = N; j[7] = I; j[8] = 0; j[9] = this.scratchBytes; j[10] = N;
      this.cut(OP_ONEHOT, N, 16, n, 6, 8, 1, 4, 3, 4 * I, 4, 4);
    }
    this.timed();
    if (this.pending !== 0) this.finish();
  };

  oneHotProjectBackward = (dW: FloatArray, dOut: FloatArray, idx: Int32Array, R: number, N: number, I: number): void => {
    this.checkIndices(idx, R, I, 'oneHotProjectBackward');
    const d = this.at(dW, N * I, true, 'oneHotProjectBackward dW');
    const o = this.at(dOut, R * N, false, 'oneHotProjectBackward dOut');
    const ix = this.heap.owns(idx.buffer) ? idx.byteOffset : this.copyIn(idx, false);
    const n = this.pool === undefined || R * N < this.split.elements ? 1 : this.plan(OP_ONEHOT_BACK, R * N, this.chunks(N, 16));
    if (n <= 1) this.exports.oneHotProjectBackward(d, o, ix, R, N, I, this.gemmScratch, this.scratchBytes, N);
    else {
      const j = this.j;
      j[1] = d; j[2] = o; j[3] = ix; j[4] = R; j[5] = N; j[6] = I; j[7] = 0; j[8] = this.scratchBytes; j[9] = N;
      this.cut(OP_ONEHOT_BACK, N, 16, n, 5, 7, 1, 4 * I, 2, 4);
    }
    this.timed();
    if (this.pending !== 0) this.finish();
  };

  softmaxCrossEntropy = (logits: FloatArray, targets: Int32Array, dLogits: FloatArray | undefined, R: number,
                         V: number, ignoreIndex: number, scale: number): number => {
    if (!(targets instanceof Int32Array) || targets.length < R) {
      this.fail(`softmaxCrossEntropy: expected targets as an Int32Array of at least ${R} values`);
    }
    for (let r = 0; r < R; r++) {
      const y = targets[r]!;
      if (y !== ignoreIndex && !(y >= 0 && y < V)) {
        this.fail(`softmaxCrossEntropy: target ${y} at row ${r} is outside 0..${V - 1} and is not the ignore index ${ignoreIndex}`);
      }
    }
    const l = this.at(logits, R * V, false, 'softmaxCrossEntropy logits');
    const t = this.heap.owns(targets.buffer) ? targets.byteOffset : this.copyIn(targets, false);
    const d = dLogits ? this.at(dLogits, R * V, true, 'softmaxCrossEntropy dLogits') : 0;
    const n = this.pool === undefined || R * V < this.split.elements ? 1 : this.plan(OP_LOSS, R * V, this.chunks(R, 1));
    let loss: number;
    if (n <= 1) loss = this.exports.softmaxCrossEntropy(l, t, d, R, V, ignoreIndex, scale);
    else {
      const j = this.j;
      j[1] = l; j[2] = t; j[3] = d; j[4] = R; j[5] = V; j[6] = ignoreIndex; j[7] = scale;
      loss = this.cut(OP_LOSS, R, 1, n, 4, 0, 1, 4 * V, 2, 4, 3, 4 * V);
    }
    this.timed();
    if (this.pending !== 0) this.finish();
    return loss;
  };

  // ---------------------------------------------------------------------------------------------

  private checkIndices(idx: Int32Array, R: number, I: number, what: string): void {
    if (!(idx instanceof Int32Array) || idx.length < R) this.fail(`${what}: expected indices as an Int32Array of at least ${R} values`);
    for (let r = 0; r < R; r++) {
      const v = idx[r]!;
      if (!(v >= 0 && v < I)) this.fail(`${what}: index ${v} at row ${r} is outside 0..${I - 1}`);
    }
  }

  /** The address of `a`'s first float for a kernel that uses n of them (and writes them if `out`). */
  private at(a: FloatArray, n: number, out: boolean, what: string): number {
    if (a.buffer === this.heap.buffer && a instanceof Float32Array && a.length >= n) return a.byteOffset;
    return this.atSlow(a, n, out, what);
  }

  private atSlow(a: FloatArray, n: number, out: boolean, what: string): number {
    if (!(a instanceof Float32Array)) {
      this.fail(`${what}: the ${this.name} kernels compute in float32, got a ${a?.constructor?.name ?? typeof a}`);
    }
    if (a.length < n) this.fail(`${what}: expected at least ${n} values, got ${a.length}`);
    if (this.heap.owns(a.buffer)) return a.byteOffset;
    return this.copyIn(a, out);
  }

  private opt(a: FloatArray | undefined, n: number, what: string): number {
    return a === undefined ? 0 : this.at(a, n, false, what);
  }

  private activation(f: Activation): number {
    const code = f === 'tanh' ? 0 : f === 'relu' ? 1 : f === 'identity' ? 2 : -1;
    if (code < 0) this.fail(`activation: expected tanh, relu or identity, got ${String(f)}`);
    return code;
  }

  /** Slow path: a block of wasm memory holding a copy of the whole of `a`. */
  private copyIn(a: Foreign, out: boolean): number {
    for (let i = 0; i < this.pending; i++) {
      const p = this.pendArr[i]!;
      if (p === a || (p.buffer === a.buffer && p.byteOffset === a.byteOffset && p.length === a.length &&
                      p.constructor === a.constructor)) {
        if (out) this.pendOut[i] = true;
        return this.pendAt[i]!;
      }
    }
    let at: number;
    try {
      at = this.heap.allocBytes(a.length * 4);
    } catch (e) {
      this.release();
      throw e;
    }
    const i = this.pending++;
    this.pendArr[i] = a;
    this.pendAt[i] = at;
    this.pendLen[i] = a.length;
    this.pendOut[i] = out;
    this.refreshView();
    if (a instanceof Float32Array) this.view.set(a, at >>> 2);
    else new Int32Array(this.heap.buffer, at, a.length).set(a);
    return at;
  }

  /** After the call: copy written arrays back, free the blocks. */
  private finish(): void {
    this.refreshView();
    for (let i = 0; i < this.pending; i++) {
      const at = this.pendAt[i]!;
      if (this.pendOut[i]) (this.pendArr[i] as Float32Array).set(this.view.subarray(at >>> 2, (at >>> 2) + this.pendLen[i]!));
      this.heap.freeBytes(at);
      this.pendArr[i] = this.view; // drop the reference
    }
    this.pending = 0;
  }

  /** Release the call's blocks and throw. */
  private fail(message: string): never {
    this.release();
    throw new RecurError(message);
  }

  private release(): void {
    for (let i = 0; i < this.pending; i++) this.heap.freeBytes(this.pendAt[i]!);
    this.pending = 0;
  }

  private refreshView(): void {
    if (this.view.buffer !== this.heap.buffer) this.view = new Float32Array(this.heap.buffer);
  }
}
