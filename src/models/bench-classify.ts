/**
 * @module models/bench-classify
 * The variable-length benchmark workload ("variable-length GRU classifier"), without I/O like
 * models/bench-workload:
 *
 *   B sequences, lengths uniform in minLength..maxLength (seeded), inputs x_t ∈ R^I ~ N(0, 1),
 *   padded to the batch's longest → an L-layer recurrent stack run with `lengths` (PyTorch:
 *   pack_padded_sequence) → the top layer's last valid state h_n (B,H) → linear head → C classes →
 *   softmax cross-entropy averaged over B; plain SGD p ← p − lr·g.
 *
 * Tokens count the real ones: Σ lengths per step, not B·T. FLOPs per real token, matrix products only:
 * forward 2·G·H·(I + H) for layer 1 and 2·G·H·(H + H) for each layer above (the head's 2·H·C per
 * sequence is left out), training 3× forward.
 */
import { gateCount } from '../cells/index.js';
import type { Kernels } from '../kernels/types.js';
import { recurrentConfig } from '../layers/config.js';
import { initLinear, linearBackward, linearForward, linearSpecs } from '../layers/linear.js';
import { crossEntropy } from '../layers/loss.js';
import { ParamSet } from '../layers/params.js';
import { initRecurrent, recurrentParamSpecs, RecurrentStack } from '../layers/recurrent.js';
import { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import type { BenchCell, BenchResult, BenchTiming } from './bench-workload.js';

/** The workload's shape; the benchmark row's values are the CLI's defaults (cli/bench). */
export interface ClassifyOptions {
  cell: BenchCell;
  hidden: number;    // H
  layers: number;    // L
  input: number;     // I
  classes: number;   // C
  batch: number;     // B
  minLength: number;
  maxLength: number;
  lr?: number;       // default 0.1
  seed?: number;     // default 0
  batches?: number;  // distinct random batches cycled through, default 8
}

interface Batch {
  T: number;           // the longest length: the padded batch's steps
  x: FloatArray;       // (T,B,I), 0 at padded steps
  lengths: Int32Array; // (B)
  labels: Int32Array;  // (B)
  tokens: number;      // Σ lengths
}

/** Forward matrix-product FLOPs per real token: 2·G·H·(I + H) + (L − 1)·2·G·H·2H. */
export function classifyFlopsPerToken(o: Pick<ClassifyOptions, 'cell' | 'hidden' | 'layers' | 'input'>): number {
  const GH = gateCount(o.cell) * o.hidden;
  return 2 * GH * (o.input + o.hidden) + (o.layers - 1) * 2 * GH * 2 * o.hidden;
}

/** The model (stack + head in one ParamSet), its seeded batches, and the training step. */
export class ClassifyWorkload {
  readonly options: Required<ClassifyOptions>;
  readonly params: ParamSet;
  private readonly stack: RecurrentStack;
  private readonly k: Kernels;
  private readonly data: Batch[] = [];
  private next = 0;
  private readonly minusLr: FloatArray;
  private buffers: { logits: FloatArray; dLogits: FloatArray; dhN: FloatArray; dy: FloatArray } | undefined;

  constructor(options: ClassifyOptions, k: Kernels) {
    const o: Required<ClassifyOptions> = { lr: 0.1, seed: 0, batches: 8, ...options };
    for (const key of ['hidden', 'layers', 'input', 'classes', 'batch', 'minLength', 'maxLength', 'batches'] as const) {
      if (!Number.isSafeInteger(o[key]) || o[key] < 1) throw new RangeError(`classify workload: ${key} must be a positive integer, got ${o[key]}`);
    }
    if (o.minLength > o.maxLength) throw new RangeError(`classify workload: minLength ${o.minLength} > maxLength ${o.maxLength}`);
    this.options = o;
    this.k = k;
    const rng = new Rng(o.seed);
    const rnn = recurrentConfig({
      cell: o.cell, inputSize: o.input, hiddenSize: o.hidden, numLayers: o.layers,
      ...(o.cell === 'gru' ? { resetAfter: true } : {}), // PyTorch's GRU
    });
    this.params = new ParamSet(k, [...recurrentParamSpecs(rnn, 'rnn.'), ...linearSpecs('head.', o.hidden, o.classes)]);
    initRecurrent(this.params, rnn, rng, 'rnn.');
    initLinear(this.params, 'head.', o.hidden, rng);
    this.stack = new RecurrentStack(rnn, k, rng, this.params, 'rnn.');
    this.minusLr = k.alloc(1);
    const { batch: B, input: I } = o;
    for (let n = 0; n < o.batches; n++) {
      const lengths = Int32Array.from({ length: B }, () => o.minLength + rng.int(o.maxLength - o.minLength + 1));
      let T = 0, tokens = 0;
      for (const len of lengths) { T = Math.max(T, len); tokens += len; }
      const x = k.alloc(T * B * I);
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) if (t < lengths[b]!) for (let i = 0; i < I; i++) x[(t * B + b) * I + i] = rng.normal();
      }
      this.data.push({ T, x, lengths, labels: Int32Array.from({ length: B }, () => rng.int(o.classes)), tokens });
    }
  }

  /** Zero the gradient, loss, backward, p ← p − lr·g. Returns the loss and the real tokens it ran. */
  trainStep(): { loss: number; tokens: number } {
    const { batch: B, hidden: H, layers: L, classes: C } = this.options;
    const d = this.data[this.next]!;
    this.next = (this.next + 1) % this.data.length;
    const k = this.k;
    // dy = 0: the loss reads h_n only
    const bufs = this.buffers ??= {
      logits: k.alloc(B * C), dLogits: k.alloc(B * C), dhN: k.alloc(L * B * H), dy: k.alloc(this.options.maxLength * B * H),
    };
    this.params.zeroGrad();
    const out = this.stack.forward(d.x, d.T, B, { lengths: d.lengths, training: true });
    // logits (B,C) = h_n of the top layer (each row's state at its own last step) · W_headᵀ + b
    const top = out.hN.subarray((L - 1) * B * H, L * B * H);
    const w = this.params.get('head.weight'), b = this.params.get('head.bias');
    linearForward(k, bufs.logits, top, w.data, b.data, B, H, C);
    const loss = crossEntropy(k, bufs.logits, d.labels, bufs.dLogits, B, C).loss;
    // dh_n of the top layer = dLogits · W_head; the layers below get none from the loss
    const dTop = bufs.dhN.subarray((L - 1) * B * H, L * B * H);
    dTop.fill(0);
    linearBackward(k, dTop, w.grad, b.grad, bufs.dLogits, top, w.data, B, H, C);
    this.stack.backward(bufs.dy.subarray(0, d.T * B * H), bufs.dhN, undefined, { inputGrad: false });
    // p (1,n) += [−lr] (1,1) · g (1,n), as the language-model workload does it
    this.minusLr[0] = -this.options.lr;
    k.gemm(false, false, 1, this.params.data.length, 1, this.minusLr, this.params.grad, this.params.data, true);
    return { loss, tokens: d.tokens };
  }
}

/** What measureClassify reports: the timing fields of a BenchResult, tokens counting real ones (Σ lengths). */
export type ClassifyResult = Pick<BenchResult, 'tokensPerSecond' | 'gflops' | 'calls' | 'tokens' | 'seconds' | 'loss' | 'cpuSeconds' | 'tokensPerCpuSecond'>;

/** Warm up, then train for about `seconds`: real tokens/s and GFLOP/s (training = 3× forward). */
export function measureClassify(w: ClassifyWorkload, timing: BenchTiming = {}): ClassifyResult {
  const now = timing.now ?? (() => performance.now());
  const warmup = (timing.warmupSeconds ?? 0.5) * 1000;
  const window = (timing.seconds ?? 3) * 1000;
  const minCalls = timing.minCalls ?? 2;
  let t0 = now();
  do w.trainStep(); while (now() - t0 < warmup);
  let calls = 0, tokens = 0, loss = Number.NaN, elapsed = 0;
  const c0 = timing.cpu?.();
  t0 = now();
  do {
    const r = w.trainStep();
    calls++;
    tokens += r.tokens;
    loss = r.loss;
    elapsed = now() - t0;
  } while (elapsed < window || calls < minCalls);
  const cpuSeconds = c0 === undefined ? undefined : timing.cpu!() - c0;
  const seconds = elapsed / 1000;
  const tokensPerSecond = tokens / seconds;
  return {
    tokensPerSecond, gflops: tokensPerSecond * 3 * classifyFlopsPerToken(w.options) / 1e9, calls, tokens, seconds, loss,
    ...(cpuSeconds === undefined || cpuSeconds <= 0 ? {} : { cpuSeconds, tokensPerCpuSecond: tokens / cpuSeconds }),
  };
}
