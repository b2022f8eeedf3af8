/**
 * @module models/bench-workload
 * The standard benchmark workload, without any I/O so that a browser page can run it too:
 *
 *   a character-level language model: V one-hot inputs → one recurrent layer of size H → linear head
 *   → softmax cross-entropy averaged over all B·T positions; plain SGD p ← p − lr·g (lr 1).
 *
 * Three modes: `train` (zero grad, loss, backward, SGD), `infer` (forward and loss only) and
 * `generate` (batch 1, token by token: one-hot in, one step, softmax, sample, feed the sample back).
 * Tokens are random, from a seeded Rng, so every run of a configuration does the same arithmetic.
 *
 * FLOPs are counted the way the benchmark table counts them, matrix products only:
 *   forward, per token = 2·G·H·(V + H)  (the gates' input and recurrent products)
 *                      + 2·V·H          (the head),          G = 4 LSTM, 3 GRU, 1 RNN;
 *   training = 3 × forward (forward, and backward's two products per forward product);
 *   infer and generate = 1 × forward.
 */
import { gateCount } from '../cells/index.js';
import type { Kernels } from '../kernels/types.js';
import type { FloatArray } from '../tensor/types.js';
import { recurrentConfig } from '../layers/config.js';
import { Rng } from '../tensor/rng.js';
import { LanguageModel, type LmState } from './language-model.js';

export type BenchCell = 'lstm' | 'gru' | 'rnn';
export type BenchMode = 'train' | 'infer' | 'generate';

export const BENCH_CELLS: readonly BenchCell[] = ['lstm', 'gru', 'rnn'];
export const BENCH_MODES: readonly BenchMode[] = ['train', 'infer', 'generate'];

export interface WorkloadShape {
  cell: BenchCell;
  hidden: number; // H
  vocab: number;  // V
}

export interface WorkloadOptions extends WorkloadShape {
  batch: number;  // B (train and infer; generate always runs one sequence)
  steps: number;  // T
  lr?: number;    // SGD learning rate, default 1
  seed?: number;  // default 0
  /** How many distinct random (inputs, targets) batches to cycle through; default 8. */
  batches?: number;
}

/** Forward matrix-product FLOPs per token: 2·G·H·(V + H) + 2·V·H. */
export function forwardFlopsPerToken({ cell, hidden: H, vocab: V }: WorkloadShape): number {
  return 2 * gateCount(cell) * H * (V + H) + 2 * V * H;
}

/** FLOPs per token as the table counts them: training 3× forward, infer and generate 1×. */
export function flopsPerToken(shape: WorkloadShape, mode: BenchMode): number {
  return (mode === 'train' ? 3 : 1) * forwardFlopsPerToken(shape);
}

export class BenchWorkload {
  readonly options: Required<WorkloadOptions>;
  readonly model: LanguageModel;
  private readonly data: { inputs: Int32Array; targets: Int32Array }[] = [];
  private next = 0;
  private readonly sampler: Rng;
  private gen: { state: LmState; token: Int32Array; probs: Float64Array } | undefined;

  private readonly kernels: Kernels;
  private readonly minusLr: FloatArray;

  constructor(options: WorkloadOptions, kernels: Kernels) {
    this.kernels = kernels;
    this.minusLr = kernels.alloc(1);
    const o: Required<WorkloadOptions> = { lr: 1, seed: 0, batches: 8, ...options };
    for (const key of ['hidden', 'vocab', 'batch', 'steps', 'batches'] as const) {
      if (!Number.isSafeInteger(o[key]) || o[key] < 1) throw new RangeError(`bench workload: ${key} must be a positive integer, got ${o[key]}`);
    }
    if (!Number.isFinite(o.lr)) throw new RangeError(`bench workload: lr must be finite, got ${o.lr}`);
    this.options = o;
    const rng = new Rng(o.seed);
    const rnn = recurrentConfig({
      cell: o.cell, inputSize: o.vocab, hiddenSize: o.hidden,
      // PyTorch's and cuDNN's GRU: the reset gate after the recurrent product
      ...(o.cell === 'gru' ? { resetAfter: true } : {}),
    });
    this.model = new LanguageModel({ vocabSize: o.vocab, embeddingSize: null, rnn }, kernels, rng);
    // Each batch: B random sequences of T + 1 tokens; targets are the inputs shifted by one step.
    const { batch: B, steps: T, vocab: V } = o;
    for (let n = 0; n < o.batches; n++) {
      const inputs = new Int32Array(T * B), targets = new Int32Array(T * B);
      for (let b = 0; b < B; b++) {
        let w = rng.int(V);
        for (let t = 0; t < T; t++) {
          inputs[t * B + b] = w;
          w = rng.int(V);
          targets[t * B + b] = w;
        }
      }
      this.data.push({ inputs, targets });
    }
    this.sampler = new Rng(o.seed + 1);
  }

  /** Tokens one call of `run(mode)` processes: B·T for train and infer, 1 for generate. */
  tokensPerCall(mode: BenchMode): number {
    return mode === 'generate' ? 1 : this.options.batch * this.options.steps;
  }

  /** One unit of work; returns the loss (train, infer) or the sampled token (generate). */
  run(mode: BenchMode): number {
    return mode === 'train' ? this.trainStep() : mode === 'infer' ? this.inferStep() : this.generateStep();
  }

  /** Zero the gradient, loss, backward, p ← p − lr·g. Returns the loss before the update. */
  trainStep(): number {
    const { inputs, targets } = this.batch();
    const { params } = this.model;
    params.zeroGrad();
    const loss = this.model.loss(inputs, targets, this.options.steps, this.options.batch, { training: true }).loss;
    this.model.backward();
    // p (1,n) += [−lr] (1,1) · g (1,n): one row of C, so the backend's matrix-vector kernel (SIMD,
    // in place, cut between threads where that pays) rather than a JS loop
    const p = params.data, g = params.grad;
    this.minusLr[0] = -this.options.lr;
    this.kernels.gemm(false, false, 1, p.length, 1, this.minusLr, g, p, true);
    return loss;
  }

  /** Forward and loss only. */
  inferStep(): number {
    const { inputs, targets } = this.batch();
    return this.model.loss(inputs, targets, this.options.steps, this.options.batch).loss;
  }

  /** One generated token (batch 1): step on the last token, softmax, sample, feed it back. */
  generateStep(): number {
    const V = this.options.vocab;
    this.gen ??= { state: this.model.zeroState(1), token: Int32Array.of(0), probs: new Float64Array(V) };
    const { state, token, probs } = this.gen;
    const logits = this.model.step(token, state);
    let max = -Infinity;
    for (let v = 0; v < V; v++) if (logits[v]! > max) max = logits[v]!;
    let z = 0;
    for (let v = 0; v < V; v++) z += probs[v] = Math.exp(logits[v]! - max);
    let u = this.sampler.uniform() * z;
    let w = V - 1;
    for (let v = 0; v < V; v++) {
      u -= probs[v]!;
      if (u < 0) { w = v; break; }
    }
    token[0] = w;
    return w;
  }

  private batch() {
    const d = this.data[this.next]!;
    this.next = (this.next + 1) % this.data.length;
    return d;
  }
}

export interface BenchTiming {
  /** Seconds of warm-up (not measured), default 0.5. */
  warmupSeconds?: number;
  /** Seconds measured, default 3; at least `minCalls` calls are always measured. */
  seconds?: number;
  minCalls?: number; // default 2
  /** The clock in milliseconds; default performance.now. */
  now?: () => number;
  /** The process's CPU time in seconds (Node: process.cpuUsage), to report tokens per CPU-second. */
  cpu?: () => number;
}

export interface BenchResult {
  cell: BenchCell;
  hidden: number;
  vocab: number;
  batch: number;
  steps: number;
  mode: BenchMode;
  tokensPerSecond: number;
  gflops: number;
  /** Calls measured, tokens processed and the wall time of the measurement. */
  calls: number;
  tokens: number;
  seconds: number;
  /** The last loss (train, infer), or NaN for generate. */
  loss: number;
  /** CPU seconds over the measured window, and tokens per CPU-second (when `cpu` was given). */
  cpuSeconds?: number;
  tokensPerCpuSecond?: number;
}

/** Warm up, then run `mode` for about `seconds` and report tokens/s and GFLOP/s. */
export function measure(w: BenchWorkload, mode: BenchMode, timing: BenchTiming = {}): BenchResult {
  const now = timing.now ?? (() => performance.now());
  const warmup = (timing.warmupSeconds ?? 0.5) * 1000;
  const window = (timing.seconds ?? 3) * 1000;
  const minCalls = timing.minCalls ?? 2;
  // generate is ~B·T times cheaper per call than train: check the clock every few calls only
  const batch = mode === 'generate' ? 16 : 1;
  let t0 = now();
  let last = 0;
  do {
    for (let i = 0; i < batch; i++) last = w.run(mode);
  } while (now() - t0 < warmup);
  let calls = 0;
  const c0 = timing.cpu?.();
  t0 = now();
  let elapsed = 0;
  do {
    for (let i = 0; i < batch; i++) last = w.run(mode);
    calls += batch;
    elapsed = now() - t0;
  } while (elapsed < window || calls < minCalls);
  const cpuSeconds = c0 === undefined ? undefined : timing.cpu!() - c0;
  const tokens = calls * w.tokensPerCall(mode);
  const seconds = elapsed / 1000;
  const tokensPerSecond = tokens / seconds;
  const { cell, hidden, vocab, batch: B, steps } = w.options;
  return {
    cell, hidden, vocab, batch: mode === 'generate' ? 1 : B, steps: mode === 'generate' ? 1 : steps, mode,
    tokensPerSecond, gflops: tokensPerSecond * flopsPerToken(w.options, mode) / 1e9,
    calls, tokens, seconds, loss: mode === 'generate' ? Number.NaN : last,
    ...(cpuSeconds === undefined || cpuSeconds <= 0 ? {} : { cpuSeconds, tokensPerCpuSecond: tokens / cpuSeconds }),
  };
}

// ------------------------------------------------------------------------------------------------
// The matrix-multiply rate the effective rate is compared with

/** One matrix product of a training step: C (M,N) = op(A)·op(B), `count` times per step. */
export interface Product {
  label: string;
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  count: number;
}

/**
 * The products a training step of the workload counts (3× forward): per forward product y = x·Wᵀ
 * of shape (R, O, I), the forward one and backward's dW = dyᵀ·x (O, I, R) and dx = dy·W (R, I, O).
 * The input projection is counted with its dense one-hot x (recur gathers instead: see
 * kernels oneHotProject), so these are exactly the FLOPs the effective rate counts.
 */
export function trainingProducts({ cell, hidden: H, vocab: V }: WorkloadShape, B: number, T: number): Product[] {
  const GH = gateCount(cell) * H;
  const R = T * B;
  const triple = (label: string, rows: number, O: number, I: number, count: number): Product[] => [
    { label: `${label} y = x·Wᵀ`, transA: false, transB: true, M: rows, N: O, K: I, count },
    { label: `${label} dW = dyᵀ·x`, transA: true, transB: false, M: O, N: I, K: rows * count, count: 1 },
    { label: `${label} dx = dy·W`, transA: false, transB: false, M: rows, N: I, K: O, count },
  ];
  return [
    ...triple('input', R, GH, V, 1),
    ...triple('recurrent', B, GH, H, T),
    ...triple('head', R, V, H, 1),
  ];
}

export interface GemmRate {
  /** Σ FLOPs / Σ time over the products, each weighted by its count. */
  gflops: number;
  products: { label: string; M: number; N: number; K: number; count: number; gflops: number }[];
}

/** gemm's rate on `products` (arrays from k.alloc; each timed alone, best of 3 windows). */
export function measureGemm(k: Kernels, products: readonly Product[], seconds = 2,
                            now: () => number = () => performance.now()): GemmRate {
  let flops = 0;
  let time = 0;
  const out: GemmRate['products'] = [];
  const window = (seconds * 1000) / products.length / 4;
  for (const p of products) {
    const { transA, transB, M, N, K } = p;
    const A = k.alloc(M * K), Bm = k.alloc(K * N), C = k.alloc(M * N);
    for (let i = 0; i < A.length; i++) A[i] = ((i * 7919) % 1000) / 1000 - 0.5;
    for (let i = 0; i < Bm.length; i++) Bm[i] = ((i * 104729) % 1000) / 1000 - 0.5;
    const call = (): void => k.gemm(transA, transB, M, N, K, A, Bm, C, true);
    const t0 = now();
    do call(); while (now() - t0 < window);
    let best = Infinity;
    for (let round = 0; round < 3; round++) {
      let reps = 0;
      const s = now();
      let t = s;
      do { call(); reps++; t = now(); } while (t - s < window);
      best = Math.min(best, (t - s) / reps);
    }
    k.free(A); k.free(Bm); k.free(C);
    const f = 2 * M * N * K;
    flops += f * p.count;
    time += best * p.count;
    out.push({ label: p.label, M, N, K, count: p.count, gflops: f / best / 1e6 });
  }
  return { gflops: flops / time / 1e6, products: out };
}

// ------------------------------------------------------------------------------------------------
// Memory

/** The bytes a workload's model holds: what the peak-memory target's formula adds up. */
export interface ModelBytes {
  parameters: number;
  gradients: number;
  /** SGD keeps none. */
  optimizer: number;
  /** Everything else the model allocated in the backend's memory for its (T,B): the caches backward
   *  reads, their gradients, logits (the backend's own scratch excluded). undefined where the
   *  backend does not say how much it holds. */
  activations: number | undefined;
}

export function modelBytes(w: BenchWorkload, k: Kernels): ModelBytes {
  const bytes = w.model.params.data.length * w.model.params.data.BYTES_PER_ELEMENT;
  const heap = (k as Kernels & { heap?: { used: number }; scratchBytesInUse?: number }).heap;
  const scratch = (k as Kernels & { scratchBytesInUse?: number }).scratchBytesInUse ?? 0;
  return {
    parameters: bytes, gradients: bytes, optimizer: 0,
    activations: heap === undefined ? undefined : heap.used - 2 * bytes - scratch,
  };
}
