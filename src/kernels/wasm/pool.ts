/**
 * @module kernels/wasm/pool
 * Worker threads for the wasm kernels. Each worker instantiates the same compiled module on the
 * same shared WebAssembly.Memory, so one kernel call can be cut into chunks (of C's rows or
 * columns, of a batch's rows) that the calling thread and the workers compute at once, each in
 * place (kernels/wasm/jobs says how chunks are claimed). Fork/join costs well under a microsecond
 * while the threads poll:
 *
 *   fork   the caller writes the job, resets the cursors, bumps GO (Atomics.notify only when a
 *          worker sleeps), and starts on chunks itself;
 *   join   when no chunk is left to claim it polls FIN for up to 100 µs, and sleeps in Atomics.wait
 *          beyond that.
 *
 * A worker polls GO for 50 µs after each job and then sleeps in Atomics.wait
 * (10–15 µs to wake, and the caller does not wait for it meanwhile), so an idle pool costs nothing.
 * The pool never has more threads than the cores it is given: with more pollers than cores a round
 * trip costs milliseconds, not microseconds.
 *
 * Node: worker_threads (a guarded dynamic import, so this module also loads in a browser bundle),
 * unref'd, so a process whose work is done exits without dispose(). Browsers: module Workers on
 * kernels/wasm/worker, from a thread that may block in Atomics.wait (a Worker: the page's own thread
 * may not, and gets no pool), with shared memory (a cross-origin isolated page). A bundler that
 * does not copy worker.js beside this file is given `createWorker` (web/src/train-worker does so
 * for Vite; docs/web.md is the recipe for an app). Nested Workers are what a page's training Worker
 * starts. Where no worker can start (no Worker, a thread that may not block, a worker script that
 * fails to load or does not answer within READY_MS), `start` says why instead of throwing, and the
 * kernels run on the calling thread alone (kernels/wasm/index reports it as `kernels.fallback`).
 */
import { RecurError } from '../../errors.js';
import {
  ARGS, CHUNKS, CONTROL_INTS, ERROR, FIN, GO, JOB, MAIN_WAIT, NEXT, pollWhile, QUIT, runChunks, SCRATCHES, sharedData,
  SLEEPERS,
  type WorkerInit,
} from './jobs.js';

interface Handle {
  terminate(): unknown;
}

type Fn = (...args: number[]) => number | undefined;

/** A browser Worker running kernels/wasm/worker (structural: this file type-checks without the DOM's types). */
export interface KernelWorker {
  /** Send a message to the worker. */
  postMessage(message: unknown): void;
  /** End the worker. */
  terminate(): void;
  /** Listen for the worker's messages or its failure to load. */
  addEventListener(type: 'message' | 'error', listener: (e: { data?: unknown; message?: string }) => void): void;
  /** Stop listening. */
  removeEventListener(type: 'message' | 'error', listener: (e: { data?: unknown; message?: string }) => void): void;
}
/** Starts one kernel worker, e.g. `() => new Worker(new URL('recur/.../worker.js', import.meta.url), { type: 'module' })`. */
export type CreateWorker = () => KernelWorker;

/** Milliseconds a starting worker has to say it is ready before the pool gives up on it. */
export const READY_MS = 20_000;

/** How a WorkerPool is started. */
export interface PoolOptions {
  /** Browsers: how to start a kernel worker (default: a module Worker on worker.js beside this file). */
  createWorker?: CreateWorker | undefined;
  /** Microseconds an idle worker polls for the next job before it sleeps (default 50). */
  workerSpinMicros?: number | undefined;
  /** Microseconds the caller polls for the workers' last chunks before it sleeps (default 100). */
  callerSpinMicros?: number | undefined;
}

/** Worker threads sharing one wasm memory and module with the calling thread, for splitting calls. */
export class WorkerPool {
  /** Worker threads (the calling thread is not counted). */
  readonly size: number;
  readonly control: Int32Array;
  /** The job (first JOB float64s), each chunk's result (RES), each thread's scratch (SCRATCHES). */
  readonly data: Float64Array;
  private readonly args = new Float64Array(ARGS + 1);
  private readonly handles: Handle[];
  private readonly callerSpin: number;
  private readonly fns: readonly Fn[];
  private seq = 0;
  private live = true;
  /** Whether the last run had to wake a sleeping worker (it then started 10–50 µs late). */
  woke = false;

  private constructor(size: number, control: SharedArrayBuffer, data: SharedArrayBuffer, handles: Handle[],
                      callerSpin: number, fns: readonly Fn[]) {
    this.size = size;
    this.control = new Int32Array(control);
    this.data = new Float64Array(data);
    this.handles = handles;
    this.callerSpin = callerSpin;
    this.fns = fns;
  }

  /**
   * Start `workers` threads on module and memory. `scratch[t]` is thread t's gemm scratch address
   * (0: the caller, whose exports `fns` are). Where the workers cannot start: why (one line, no throw).
   */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, workers: number, scratch: number[],
                     fns: readonly Fn[], opts: PoolOptions = {}): Promise<WorkerPool | string> {
    if (workers < 1) return 'no worker threads asked for';
    const spawn = await workerSpawner(opts.createWorker);
    if (typeof spawn === 'string') return spawn;
    const control = new SharedArrayBuffer(CONTROL_INTS * 4);
    const data = new SharedArrayBuffer(sharedData(workers + 1));
    const d = new Float64Array(data);
    for (let t = 0; t <= workers; t++) d[SCRATCHES + t] = scratch[t]!;
    const handles: Handle[] = [];
    try {
      await Promise.all(Array.from({ length: workers }, async (_, w) => {
        handles.push(await spawn({ module, memory, control, data, index: w + 1, spinMicros: opts.workerSpinMicros ?? 50 }));
      }));
    } catch (e) {
      for (const h of handles) void h.terminate();
      return `the kernel worker did not start (${(e as Error).message}); with a bundler, pass createWorker (docs/web.md)`;
    }
    return new WorkerPool(workers, control, data, handles, opts.callerSpinMicros ?? 100, fns);
  }

  /** Whether the workers still run (false after dispose). */
  get alive(): boolean {
    return this.live;
  }

  /**
   * Run the job written into `data` (export, arguments and cut, see kernels/wasm/jobs) with the
   * workers: post it, claim chunks from the front, wait for the rest. A chunk that threw is
   * rethrown here.
   */
  run(): void {
    const ctl = this.control;
    const d = this.data;
    const n = d[CHUNKS]!;
    Atomics.store(ctl, FIN, 0);
    Atomics.store(ctl, NEXT, n << 16);
    Atomics.store(ctl, GO, ++this.seq);
    this.woke = Atomics.load(ctl, SLEEPERS) !== 0;
    if (this.woke) Atomics.notify(ctl, GO);
    runChunks(this.fns, ctl, d, this.args, d[SCRATCHES]!, true);
    let f = Atomics.load(ctl, FIN);
    if (f !== n) {
      // FIN only grows: poll while it holds each value below n, within one time budget
      const end = performance.now() + this.callerSpin / 1000;
      while (f !== n && performance.now() < end) f = pollWhile(ctl, FIN, f, 10);
      if (f !== n) {
        Atomics.store(ctl, MAIN_WAIT, 1);
        for (let f = Atomics.load(ctl, FIN); f !== n; f = Atomics.load(ctl, FIN)) Atomics.wait(ctl, FIN, f);
        Atomics.store(ctl, MAIN_WAIT, 0);
      }
    }
    if (Atomics.load(ctl, ERROR) !== 0) {
      Atomics.store(ctl, ERROR, 0);
      throw new RecurError('wasm kernels: a kernel call failed in a worker thread (a wasm trap: an array outside the memory?)');
    }
  }

  /** Ask every worker to return from its loop and end the threads. */
  dispose(): void {
    if (!this.live) return;
    this.live = false;
    const ctl = this.control;
    this.data[0] = QUIT;
    Atomics.store(ctl, NEXT, 0);
    Atomics.store(ctl, GO, ++this.seq);
    Atomics.notify(ctl, GO);
    for (const h of this.handles) void h.terminate();
  }
}

/** JOB: the float64s of a job, for callers that fill `data` directly. */
export { JOB };

type Spawn = (init: WorkerInit) => Promise<Handle>;

/** What this file uses of node:worker_threads (structural: it also type-checks without Node's types). */
interface NodeWorker extends Handle {
  once(event: 'error', f: (e: Error) => void): unknown;
  once(event: 'exit', f: (code: number) => void): unknown;
  once(event: 'message', f: (m: { ready?: boolean; error?: string }) => void): unknown;
  on(event: 'error', f: (e: Error) => void): unknown;
  removeAllListeners(event: string): unknown;
  postMessage(message: unknown): void;
  unref(): void;
}
interface NodeWorkerThreads {
  Worker: new (url: URL) => NodeWorker;
}

/** How this runtime starts a worker on kernels/wasm/worker.js, or why it cannot. */
async function workerSpawner(createWorker: CreateWorker | undefined): Promise<Spawn | string> {
  const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  if (typeof node !== 'string') return browserSpawner(createWorker);
  let wt: NodeWorkerThreads;
  try {
    const specifier = 'node:worker_threads';
    wt = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as NodeWorkerThreads;
  } catch {
    return 'node:worker_threads is not available';
  }
  const url = workerUrl();
  return (init) => new Promise<Handle>((resolve, reject) => {
    const worker = new wt.Worker(url);
    const fail = (why: string): void => { void worker.terminate(); reject(new Error(why)); };
    worker.once('error', (e) => fail(e.message));
    worker.once('exit', (code) => fail(`exited with code ${code}`));
    worker.once('message', (m: { ready?: boolean; error?: string }) => {
      if (!m.ready) return fail(m.error ?? 'no ready message');
      worker.removeAllListeners('exit');
      worker.removeAllListeners('error');
      worker.on('error', () => {}); // a chunk's failure is reported through ERROR
      worker.unref();
      resolve(worker);
    });
    worker.postMessage(init);
  });
}

/** The compiled worker beside this file (a variable, not a literal: bundlers rewrite
 *  new URL('literal', import.meta.url) into an asset of their own). */
function workerUrl(): URL {
  const file = './worker.js';
  return new URL(file, import.meta.url);
}

/** Browsers: module Workers, where this thread may block (the join sleeps in Atomics.wait). */
function browserSpawner(createWorker: CreateWorker | undefined): Spawn | string {
  const Ctor = (globalThis as { Worker?: new (url: URL, o: { type: 'module' }) => KernelWorker }).Worker;
  if (typeof SharedArrayBuffer !== 'function') return 'no SharedArrayBuffer';
  if (!canBlock()) return "this thread may not block in Atomics.wait (a page's main thread): load the kernels in a Worker";
  if (createWorker === undefined && typeof Ctor !== 'function') return 'this runtime has no Worker';
  const create = createWorker ?? (() => new Ctor!(workerUrl(), { type: 'module' }));
  return (init) => new Promise<Handle>((resolve, reject) => {
    let worker: KernelWorker;
    try {
      worker = create();
    } catch (e) {
      reject(e as Error);
      return;
    }
    const timer = setTimeout(() => fail(`no answer within ${READY_MS / 1000} s`), READY_MS);
    const fail = (why: string): void => { clearTimeout(timer); worker.terminate(); reject(new Error(why)); };
    const onError = (e: { message?: string }): void => fail(e.message || 'the worker script failed to load');
    const onMessage = (e: { data?: unknown }): void => {
      const m = e.data as { ready?: boolean; error?: string };
      // a chunk's failure is reported through ERROR: no listeners once it runs
      worker.removeEventListener('message', onMessage);
      worker.removeEventListener('error', onError);
      if (!m.ready) return fail(m.error ?? 'no ready message');
      clearTimeout(timer);
      resolve(worker);
    };
    worker.addEventListener('error', onError);
    worker.addEventListener('message', onMessage);
    worker.postMessage(init);
  });
}

/** Whether this thread may block in Atomics.wait (not a page's main thread). */
function canBlock(): boolean {
  if (typeof SharedArrayBuffer !== 'function') return false;
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}
