/**
 * @module cli/bench
 * `recur bench`: the standard workload (models/bench-workload) on a chosen backend, in tokens/s and
 * GFLOP/s. This file only parses options and prints; the workload and its FLOP count live in the
 * library so that a browser page can run the same thing.
 */
import { availableParallelism } from 'node:os';
import { loadKernels } from '../kernels/index.js';
import type { Kernels } from '../kernels/types.js';
import {
  BENCH_CELLS, BENCH_MODES, BenchWorkload, measure, measureGemm, modelBytes, trainingProducts, type BenchCell,
  type BenchMode,
} from '../models/bench-workload.js';
import { ClassifyWorkload, measureClassify } from '../models/bench-classify.js';
import { measureTrainer, type TrainerKind } from '../models/bench-trainers.js';
import { checkSize } from './numbers.js';
import { parseOptions, UsageError } from './args.js';

const BACKENDS = ['auto', 'native', 'wasm-relaxed-simd', 'wasm-simd', 'js'] as const;
type Backend = (typeof BACKENDS)[number];

export const BENCH_USAGE = `usage: recur bench [--cell lstm|gru|rnn] [--hidden H] [--batch B] [--steps T] [--vocab V]
                   [--threads N] [--backend auto|native|wasm-relaxed-simd|wasm-simd|js]
                   [--mode train|infer|generate|gemm|classify|lm-trainer|fit] [--seconds S] [--warmup S] [--seed N] [--json]
                   [--layers L] [--input I] [--classes C] [--min-length N] [--max-length N]   (classify)

  The standard workload: a character-level language model, V one-hot inputs → one recurrent layer
  of size H → linear head → softmax cross-entropy averaged over B·T positions; SGD with lr 1.

  --cell     the recurrent cell (default lstm)
  --hidden   H, the hidden size (default 256)
  --batch    B, sequences per step (default 32; generate always runs one sequence)
  --steps    T, time steps per sequence (default 35)
  --vocab    V, the vocabulary (default 64)
  --threads  worker threads (default: the available cores, ${availableParallelism()} here); a backend
             without threads runs on 1 and says so
  --backend  the kernel backend (default auto: the fastest this runtime supports)
  --mode     train: loss, backward and an SGD step (default); infer: forward and loss;
             generate: one token at a time (one-hot in, step, softmax, sample, feed back);
             gemm: the backend's matrix-multiply rate on the products a training step counts
             (3× forward, the input projection as a dense one-hot product), each timed alone,
             and on one 1024×1024×1024 product;
             classify: the variable-length workload: B sequences of lengths uniform in
             --min-length..--max-length (default 20..100, seeded), I inputs ~ N(0,1), padded to the
             longest, an L-layer stack run with the lengths (default: 2-layer GRU, H = 128, B = 64,
             I = 32), the last valid state → linear head → C classes (default 4), cross-entropy,
             SGD (lr 0.1); tokens/s counts real tokens (Σ lengths);
             lm-trainer, fit: the workload's model trained by LmTrainer, or composed from layers
             and trained by fit (both on the one training loop; Adam, clipping 1, B = 32, T = 35,
             V = 64), to show what fit's generality costs
  --seconds  how long to measure (default 3), after --warmup seconds unmeasured (default 0.5)
  --seed     the seed of the random weights, tokens and samples (default 0)
  --json     print one JSON object instead of a line

  GFLOP/s counts matrix products: forward 2·G·H·(V+H) + 2·V·H per token (G = 4 LSTM, 3 GRU,
  1 RNN); training counts 3× forward. Training also reports the process's peak RSS, the wasm
  memory's size and the model's bytes (parameters, gradients, activations).`;

export async function benchCommand(args: string[]): Promise<number> {
  const o = parseOptions(args, {
    cell: { type: 'string' }, hidden: { type: 'string' }, batch: { type: 'string' },
    steps: { type: 'string' }, vocab: { type: 'string' }, threads: { type: 'string' },
    backend: { type: 'string' }, mode: { type: 'string' }, seconds: { type: 'string' },
    warmup: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' },
    layers: { type: 'string' }, input: { type: 'string' }, classes: { type: 'string' },
    'min-length': { type: 'string' }, 'max-length': { type: 'string' },
  });
  const mode = oneOf(o.mode ?? 'train', [...BENCH_MODES, 'gemm', 'classify', 'lm-trainer', 'fit'], '--mode') as BenchMode | 'gemm' | 'classify' | TrainerKind;
  const classify = mode === 'classify';
  const cell = oneOf(o.cell ?? (classify ? 'gru' : 'lstm'), BENCH_CELLS, '--cell') as BenchCell;
  const backend = oneOf(o.backend ?? 'auto', BACKENDS, '--backend') as Backend;
  const hidden = int(o.hidden, classify ? 128 : 256, '--hidden', 1);
  const batch = int(o.batch, classify ? 64 : 32, '--batch', 1);
  const steps = int(o.steps, 35, '--steps', 1);
  const vocab = int(o.vocab, 64, '--vocab', 2);
  const threadsRequested = int(o.threads, availableParallelism(), '--threads', 1);
  const seed = int(o.seed, 0, '--seed', 0);
  const seconds = num(o.seconds, 3, '--seconds');
  const warmupSeconds = num(o.warmup, 0.5, '--warmup', true);

  // parameters and their gradients, and one minibatch's activations and logits, before allocating
  const gates = cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
  checkSize(2 * (gates * hidden * (vocab + hidden + 2) + vocab * (hidden + 1)) + batch * steps * (hidden * (gates + 2) + 2 * vocab),
            '--hidden, --vocab, --batch, --steps');
  // `threads` is passed as a plain object so that a loader without the option still type-checks
  const loadOptions = { prefer: backend, threads: threadsRequested };
  const kernels = await loadKernels(loadOptions);
  try {
    const threads = threadsOf(kernels);
    const threadsNote = threads === threadsRequested ? undefined
      : threads === 1 && threadsRequested > 1 ? `not supported by backend ${kernels.name}`
        : `${threadsRequested} requested`;
    if (mode === 'lm-trainer' || mode === 'fit') {
      const cpu = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
      const r = await measureTrainer(mode, { cell, hidden, seconds, warmupSeconds, seed }, kernels, cpu);
      const result = { cell, hidden, mode, batch: 32, steps: 35, vocab: 64, backend: kernels.name, threads,
                       tokensPerSecond: round(r.tokensPerSecond, 1), tokensPerCpuSecond: round(r.tokensPerCpuSecond!, 1),
                       seconds: round(r.seconds, 3), trainingSteps: r.steps, node: process.version };
      process.stdout.write(o.json ? `${JSON.stringify(result)}\n`
        : `${cell} H=${hidden} V=64 B=32 T=35 ${mode}  backend: ${kernels.name}  threads: ${threads}  ${Math.round(r.tokensPerSecond).toLocaleString('en-US')} tokens/s  ${Math.round(r.tokensPerCpuSecond!).toLocaleString('en-US')} tokens/CPU-s\n`);
      return 0;
    }
    if (mode === 'gemm') {
      const products = trainingProducts({ cell, hidden, vocab }, batch, steps);
      // the CPU time this process got while the products ran: on a loaded machine the wall-clock rate ÷ cpuShare
      // is the rate per CPU-second
      const cpu0 = process.cpuUsage(), wall0 = performance.now();
      const rate = measureGemm(kernels, products, seconds);
      const cpuUsed = process.cpuUsage(cpu0), wall = (performance.now() - wall0) / 1000;
      const cpuShare = (cpuUsed.user + cpuUsed.system) / 1e6 / wall;
      const square = measureGemm(kernels, [{ label: 'square', transA: false, transB: false, M: 1024, N: 1024, K: 1024, count: 1 }], Math.min(seconds, 1));
      const result = {
        cell, hidden, mode, batch, steps, vocab, backend: kernels.name, dtype: kernels.dtype, threads,
        ...(threadsNote === undefined ? {} : { threadsRequested, threadsNote }),
        gflops: round(rate.gflops, 3), squareGflops: round(square.gflops, 3), cpuShare: round(cpuShare, 3),
        products: rate.products.map((p) => ({ ...p, gflops: round(p.gflops, 2) })), node: process.version,
      };
      if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else {
        process.stdout.write(`gemm on the ${cell} H=${hidden} training products  backend: ${kernels.name}  threads: ${threads}  `
          + `${rate.gflops.toFixed(2)} GFLOP/s (1024³: ${square.gflops.toFixed(2)})\n`);
        for (const p of rate.products) process.stdout.write(`  ${p.label.padEnd(24)} ${`${p.M}×${p.N}×${p.K}`.padEnd(16)} ×${String(p.count).padEnd(3)} ${p.gflops.toFixed(2)} GFLOP/s\n`);
      }
      return 0;
    }
    if (classify) return classifyBench(kernels, o, { cell, hidden, batch, seed, seconds, warmupSeconds, threads, threadsNote });
    const workload = new BenchWorkload({ cell, hidden, batch, steps, vocab, seed }, kernels);
    const cpu = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
    const r = measure(workload, mode, { seconds, warmupSeconds, cpu });
    const heap = (kernels as Kernels & { heap?: { memory: WebAssembly.Memory } }).heap;
    const memory = mode === 'train' ? {
      rssPeakBytes: process.resourceUsage().maxRSS * 1024,
      wasmMemoryBytes: heap ? heap.memory.buffer.byteLength : null,
      model: modelBytes(workload, kernels),
    } : undefined;
    const result = {
      cell: r.cell, hidden: r.hidden, mode: r.mode, batch: r.batch, steps: r.steps, vocab: r.vocab,
      backend: kernels.name, dtype: kernels.dtype, threads,
      ...(threadsNote === undefined ? {} : { threadsRequested, threadsNote }),
      tokensPerSecond: round(r.tokensPerSecond, 1), gflops: round(r.gflops, 3),
      seconds: round(r.seconds, 3), calls: r.calls, tokens: r.tokens,
      ...(r.tokensPerCpuSecond === undefined ? {} : { cpuSeconds: round(r.cpuSeconds!, 3), tokensPerCpuSecond: round(r.tokensPerCpuSecond, 1) }),
      loss: Number.isNaN(r.loss) ? null : round(r.loss, 5),
      ...(memory ? { memory } : {}),
      node: process.version,
    };
    if (o.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      const shape = mode === 'generate' ? 'B=1' : `B=${r.batch} T=${r.steps}`;
      process.stdout.write(`${cell} H=${hidden} V=${vocab} ${shape} ${mode}  backend: ${kernels.name}  `
        + `threads: ${threads}${threadsNote === undefined ? '' : ` (${threadsNote})`}  `
        + `${Math.round(r.tokensPerSecond).toLocaleString('en-US')} tokens/s  ${r.gflops.toFixed(2)} GFLOP/s\n`);
    }
  } finally {
    // a threaded backend may hold workers that would keep the process alive
    (kernels as Kernels & { dispose?: () => unknown }).dispose?.();
  }
  return 0;
}

/** `--mode classify`: the variable-length workload (models/bench-classify), one line or one JSON object. */
function classifyBench(kernels: Kernels, o: Record<string, string | boolean | undefined>,
                       a: { cell: BenchCell; hidden: number; batch: number; seed: number; seconds: number;
                            warmupSeconds: number; threads: number; threadsNote: string | undefined }): number {
  const text = (name: string): string | undefined => (typeof o[name] === 'string' ? o[name] as string : undefined);
  const minLength = int(text('min-length'), 20, '--min-length', 1);
  const maxLength = int(text('max-length'), 100, '--max-length', 1);
  if (minLength > maxLength) throw new UsageError(`--min-length: expected at most --max-length (${maxLength}), got ${minLength}`);
  const options = {
    cell: a.cell, hidden: a.hidden, batch: a.batch, seed: a.seed, minLength, maxLength,
    layers: int(text('layers'), 2, '--layers', 1), input: int(text('input'), 32, '--input', 1),
    classes: int(text('classes'), 4, '--classes', 2),
  };
  const w = new ClassifyWorkload(options, kernels);
  const cpu = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
  const r = measureClassify(w, { seconds: a.seconds, warmupSeconds: a.warmupSeconds, cpu });
  const result = {
    ...options, mode: 'classify', backend: kernels.name, dtype: kernels.dtype, threads: a.threads,
    ...(a.threadsNote === undefined ? {} : { threadsNote: a.threadsNote }),
    tokensPerSecond: round(r.tokensPerSecond, 1), gflops: round(r.gflops, 3), seconds: round(r.seconds, 3),
    calls: r.calls, tokens: r.tokens,
    ...(r.tokensPerCpuSecond === undefined ? {} : { cpuSeconds: round(r.cpuSeconds!, 3), tokensPerCpuSecond: round(r.tokensPerCpuSecond, 1) }),
    loss: round(r.loss, 5), node: process.version,
  };
  if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(`${a.cell} classifier H=${a.hidden} L=${options.layers} I=${options.input} B=${a.batch} `
      + `lengths ${minLength}..${maxLength} classify  backend: ${kernels.name}  threads: ${a.threads}  `
      + `${Math.round(r.tokensPerSecond).toLocaleString('en-US')} real tokens/s  ${r.gflops.toFixed(2)} GFLOP/s\n`);
  }
  return 0;
}

/** The threads a backend really uses: its `threads` when it has one, else 1. */
function threadsOf(k: Kernels): number {
  const t = (k as Kernels & { readonly threads?: unknown }).threads;
  return typeof t === 'number' && Number.isSafeInteger(t) && t >= 1 ? t : 1;
}

function oneOf(value: string, list: readonly string[], option: string): string {
  if (!list.includes(value)) throw new UsageError(`${option}: expected one of ${list.join(', ')}, got "${value}"`);
  return value;
}

function int(value: string | undefined, fallback: number, option: string, min: number): number {
  if (value === undefined) return fallback;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${option}: expected an integer ≥ ${min}, got "${value}"`);
  return n;
}

function num(value: string | undefined, fallback: number, option: string, zeroOk = false): number {
  if (value === undefined) return fallback;
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !zeroOk)) {
    throw new UsageError(`${option}: expected a ${zeroOk ? 'non-negative' : 'positive'} number of seconds, got "${value}"`);
  }
  return n;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
