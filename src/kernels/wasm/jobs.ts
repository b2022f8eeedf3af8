/**
 * @module kernels/wasm/jobs
 * How the calling thread and the worker threads share one kernel call. A job is an export of the
 * module, its arguments, and a way to cut it into chunks: `total` units (rows of C, batch rows,
 * elements) in chunks of `chunk`, chunk i being the same call with the count argument set to its
 * size and some pointer arguments moved by i·chunk·stride bytes. Every thread claims chunks and runs
 * them on its own instance of the module, on the same shared memory, with its own gemm scratch.
 *
 * Claiming: one word holds two cursors, lo | hi << 16. The calling thread takes chunks from the
 * front (lo++), workers from the back (hi−−), by compare-and-swap, until they meet. So with one
 * worker each thread keeps to its own end of the matrix from call to call (its share of the weights
 * stays in its core's cache), and a worker that is late (descheduled, or still waking) only means
 * the caller takes more chunks: a call never waits for a thread that has not started it.
 * A thread reads the job's arguments after it has claimed a chunk: while a chunk is claimed and not
 * finished the caller cannot post the next job, so what it reads is the job that chunk belongs to.
 *
 * The control words (Int32Array on a SharedArrayBuffer), each on its own 64-byte line:
 *   GO         the number of the last job posted; workers wait for it to change
 *   NEXT       the cursors
 *   FIN        chunks finished; the caller waits for it to reach the chunk count
 *   SLEEPERS   workers inside Atomics.wait on GO (only then does posting need a notify)
 *   MAIN_WAIT  1 while the caller is inside Atomics.wait on FIN
 *   ERROR      1 when a chunk threw (a wasm trap); the caller rethrows
 * Each chunk's return value goes to RES[i], so sums over chunks are added in chunk order.
 */

/** The exports a job can call, by index. */
export const OPS = [
  'gemm', 'fillRows', 'addRowSums', 'add', 'activationForward', 'activationBackward', 'lstmForward',
  'lstmBackward', 'gruAfterForward', 'gruAfterBackward', 'gruBeforeGates', 'gruBeforeOutput',
  'gruBeforeOutputBackward', 'gruBeforeGatesBackward', 'softmaxCrossEntropy', 'oneHotProject',
  'oneHotProjectBackward', 'rnnSequenceForward', 'rnnSequenceBackward', 'lstmSequenceForward', 'lstmSequenceBackward',
  'gruAfterSequenceForward', 'gruAfterSequenceBackward', 'gruBeforeSequenceForward', 'gruBeforeSequenceBackward',
  'residualSequenceForward', 'residualSequenceBackward',
] as const;
export type OpName = (typeof OPS)[number];
export const op = (name: OpName): number => OPS.indexOf(name);
/** The export index that tells workers to return from their loop. */
export const QUIT = -1;

// the job, float64s: [0] export index, [1..16] arguments, then how to cut it
export const ARGS = 16;
export const COUNT_ARG = 17;   // which argument (1..16) holds the count
export const TOTAL = 18;
export const CHUNK = 19;
export const CHUNKS = 20;
export const SCRATCH_ARG = 21; // which argument takes the running thread's gemm scratch (0: none)
export const OFFSETS = 22;     // how many (argument, stride in bytes per unit) pairs follow
export const OFFSET0 = 23;
export const MAX_OFFSETS = 8;
export const JOB = OFFSET0 + 2 * MAX_OFFSETS;
/** Most chunks a job may have (the cursors are 16-bit; RES has this many entries). */
export const MAX_CHUNKS = 256;

const LINE = 16; // Int32s per 64-byte cache line
export const GO = 0;
export const NEXT = LINE;
export const FIN = 2 * LINE;
export const SLEEPERS = 3 * LINE;
export const MAIN_WAIT = 4 * LINE;
export const ERROR = 5 * LINE;
export const CONTROL_INTS = 6 * LINE;

type Fn = (...args: number[]) => number | undefined;

/** The shared arrays of a pool: control words, the job, chunk results, each thread's scratch. */
export interface Shared {
  control: SharedArrayBuffer;
  /** Float64s: the job (JOB), RES (MAX_CHUNKS), then the threads' scratch addresses. */
  data: SharedArrayBuffer;
}

export const sharedData = (threads: number): number => (JOB + MAX_CHUNKS + threads) * 8;
export const RES = JOB;
export const SCRATCHES = JOB + MAX_CHUNKS;

/** The exports of an instance in OPS order. */
export function opTable(exports: WebAssembly.Exports): Fn[] {
  return OPS.map((name) => {
    const f = exports[name];
    if (typeof f !== 'function') throw new Error(`wasm kernels: the module has no export ${name}`);
    return f as Fn;
  });
}

/**
 * Claim and run chunks of the current job until none is left (`front`: the calling thread's end).
 * `a` is this thread's argument scratch (ARGS + 1 float64s), `scratch` its gemm scratch address.
 */
export function runChunks(fns: readonly Fn[], ctl: Int32Array, d: Float64Array, a: Float64Array,
                          scratch: number, front: boolean): void {
  for (;;) {
    const v = Atomics.load(ctl, NEXT);
    const lo = v & 0xffff, hi = v >>> 16;
    if (lo >= hi) return;
    if (Atomics.compareExchange(ctl, NEXT, v, front ? v + 1 : v - 0x10000) !== v) continue;
    const i = front ? lo : hi - 1;
    // the job's arguments, then this chunk's count, pointers and scratch
    for (let k = 1; k <= ARGS; k++) a[k] = d[k]!;
    const chunk = d[CHUNK]!;
    const start = i * chunk;
    a[d[COUNT_ARG]!] = Math.min(chunk, d[TOTAL]! - start);
    const offsets = d[OFFSETS]!;
    for (let k = 0; k < offsets; k++) {
      const arg = d[OFFSET0 + 2 * k]!;
      if (a[arg] !== 0) a[arg]! += start * d[OFFSET0 + 2 * k + 1]!;
    }
    const s = d[SCRATCH_ARG]!;
    if (s !== 0) a[s] = scratch;
    try {
      const r = fns[d[0]!]!(a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!,
                            a[12]!, a[13]!, a[14]!, a[15]!, a[16]!);
      d[RES + i] = r ?? 0;
    } catch {
      Atomics.store(ctl, ERROR, 1);
    }
    Atomics.add(ctl, FIN, 1);
    if (Atomics.load(ctl, MAIN_WAIT) !== 0) Atomics.notify(ctl, FIN);
  }
}

/** What a worker needs to start. */
export interface WorkerInit extends Shared {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** This worker's thread index (1.. ; the caller is 0): where its scratch address is. */
  index: number;
  /** Microseconds to poll GO after a job before sleeping in Atomics.wait. */
  spinMicros: number;
}

/** Poll ctl[i] while it equals v, for at most `micros` µs (the clock read every 64 polls); the last value read. */
export function pollWhile(ctl: Int32Array, i: number, v: number, micros: number): number {
  let s = Atomics.load(ctl, i);
  if (s !== v || micros <= 0) return s;
  const end = performance.now() + micros / 1000;
  for (;;) {
    for (let k = 0; k < 64; k++) {
      s = Atomics.load(ctl, i);
      if (s !== v) return s;
    }
    if (performance.now() >= end) return s;
  }
}

/**
 * A worker's life: wait for a job (poll GO for spinMicros, then sleep in Atomics.wait), claim
 * chunks from the back until none is left; until a QUIT job.
 */
export function workerLoop(init: WorkerInit, fns: readonly Fn[]): void {
  const ctl = new Int32Array(init.control);
  const d = new Float64Array(init.data);
  const a = new Float64Array(ARGS + 1);
  let seq = 0; // GO starts at 0: a job posted before this loop starts is still seen
  for (;;) {
    let s = pollWhile(ctl, GO, seq, init.spinMicros);
    if (s === seq) {
      Atomics.add(ctl, SLEEPERS, 1);
      while ((s = Atomics.load(ctl, GO)) === seq) Atomics.wait(ctl, GO, seq);
      Atomics.sub(ctl, SLEEPERS, 1);
    }
    seq = s;
    if (d[0] === QUIT) return;
    runChunks(fns, ctl, d, a, d[SCRATCHES + init.index]!, false);
  }
}
