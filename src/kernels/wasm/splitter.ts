/**
 * @module kernels/wasm/splitter
 * Whether and how one kernel call is cut between the calling thread and a WorkerPool's workers
 * (kernels/wasm/pool, kernels/wasm/jobs). A call large enough to pay for the fork/join is cut into
 * chunks that the threads compute at once: a gemm by C's longer side (whole 8-column panels or 4-row
 * tiles per chunk, so that each thread streams its own share of the weight matrix), the per-step
 * cell kernels, elementwise kernels and the loss by rows, the one-hot projection by blocks of 16 rows
 * of W. Every element is computed by the same instructions in the same order as without threads, so
 * the results are bitwise the same (the loss total aside: the chunks' float64 sums are added in
 * chunk order). `parallelCalls` counts the calls that were cut.
 *
 * A kernel writes its arguments into `j[1..16]`, asks `ways()` how many chunks to cut it into, and
 * either calls its export once or `cut()`s; `timed()` after the call feeds the tuner.
 */
import type { CreateWorker } from './pool.js';
import { WorkerPool } from './pool.js';
import {
  CHUNK, CHUNKS, COUNT_ARG, JOB, MAX_CHUNKS, MAX_OFFSETS, OFFSET0, OFFSETS, RES, SCRATCH_ARG, TOTAL, type opTable,
} from './jobs.js';

/** When a call is cut between threads. */
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

export class CallSplitter {
  readonly split: SplitThresholds;
  /** Calls cut between threads so far. */
  parallelCalls = 0;
  /** The job being set up: the pool's shared one, or this private one without a pool. */
  j: Float64Array;
  private readonly solo = new Float64Array(JOB);
  private pool: WorkerPool | undefined;
  // the tuner: per (kernel, log2 of the work) the time per unit of work cut and whole (EWMA)
  private readonly tuneCut = new Float64Array(TUNE_SLOTS);
  private readonly tuneWhole = new Float64Array(TUNE_SLOTS);
  private readonly tuneCalls = new Float64Array(TUNE_SLOTS);
  private tuneSlot = -1;
  private tuneWork = 0;
  private tuneCutNow = false;
  private tuneStart = 0;

  constructor(split: Partial<SplitThresholds> = {}) {
    this.split = {
      gemmFlops: split.gemmFlops ?? 1 << 18, elements: split.elements ?? 1 << 13,
      chunksPerThread: split.chunksPerThread ?? 2, tune: split.tune ?? true,
    };
    this.j = this.solo;
  }

  /** The calling thread plus the pool's workers. */
  get threads(): number {
    return this.pool?.alive ? this.pool.size + 1 : 1;
  }

  /** Start `workers` threads on module and memory (scratch[t]: thread t's gemm scratch, 0 the
   *  caller's; fns: the caller's exports); undefined once they run, else why they cannot. */
  async start(module: WebAssembly.Module, memory: WebAssembly.Memory, workers: number, scratch: number[],
              fns: ReturnType<typeof opTable>, createWorker: CreateWorker | undefined): Promise<string | undefined> {
    const pool = await WorkerPool.start(module, memory, workers, scratch, fns, { createWorker });
    if (typeof pool === 'string') return pool;
    this.pool = pool;
    this.j = pool.data;
    return undefined;
  }

  /** End the worker threads; calls run whole on the calling thread from now on. */
  stop(): void {
    this.pool?.dispose();
    this.pool = undefined;
    this.j = this.solo;
  }

  /**
   * How many chunks to cut a call of `work` (of kernel opIndex) into: 1 without workers or below
   * `threshold`, else about `perThread` (default chunksPerThread) per thread of whole `unit`s of
   * `total`, where the tuner finds cutting faster.
   */
  ways(opIndex: number, work: number, threshold: number, total: number, unit: number,
       perThread = this.split.chunksPerThread): number {
    return this.pool === undefined || work < threshold ? 1 : this.plan(opIndex, work, this.chunks(total, unit, perThread));
  }

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

  /** After a call planned by `ways`: its time per unit of work into the average of its way. */
  timed(): void {
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

  /** How many chunks of `unit` to cut `total` units into: up to perThread per thread. */
  private chunks(total: number, unit: number, perThread: number): number {
    const most = Math.min(MAX_CHUNKS, this.threads * perThread, Math.floor(total / unit));
    if (most <= 1) return 1;
    return Math.ceil(total / (Math.ceil(total / most / unit) * unit));
  }

  /**
   * Run the job whose arguments are in j[1..16] in about `n` chunks of whole `unit`s of `total`
   * (the count in argument countArg, each thread's gemm scratch in scratchArg when not 0), moving
   * the pointer arguments given as (argument, bytes per unit) pairs: up to three here, or `more`
   * pairs already written to the job with `offset`. Returns the chunks' results summed in order.
   */
  cut(opIndex: number, total: number, unit: number, n: number, countArg: number, scratchArg: number,
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
  offset(k: number, arg: number, stride: number): void {
    if (k >= MAX_OFFSETS) throw new Error('wasm kernels: too many offsets for a job');
    this.j[OFFSET0 + 2 * k] = arg;
    this.j[OFFSET0 + 2 * k + 1] = stride;
  }
}
