/**
 * @module data/sequences
 * Sequences as users hold them — arrays of different lengths — into padded, time-major batches
 * with `lengths`, the form every recur layer reads (PyTorch's pad_sequence + lengths, which the
 * recurrent layer runs as packed sequences).
 *
 * A sequence is token ids or scalars (`number[]`, a typed array: one value per step) or vectors
 * (`number[][]`: steps × features). Labels are one per sequence (a class or a value) or one per
 * step (an array as long as its sequence); padded steps get the ignore index −100 (classes) or are
 * masked by `lengths` (values), so losses and metrics never count them.
 * Shuffling and bucketing by length are seeded: the same seed and epoch give the same batches.
 */
import { RecurError } from '../errors.js';
import type { Tensor, Tokens } from '../nn/types.js';
import { Rng } from '../tensor/rng.js';
import { allocFloat, type DType } from '../tensor/types.js';
import { swapLeadingAxes } from '../nn/layout.js';

/** One sequence: one value per step (token ids, scalars), or steps × features. */
export type Sequence = ArrayLike<number> | ReadonlyArray<ArrayLike<number>>;

/** The target of a class that counts for nothing (padding), as PyTorch's `ignore_index`. */
export const IGNORE_INDEX = -100;

/** A minibatch: inputs, targets laid out like the model's output rows, and its size B. */
export interface Batch<X = Tensor | Tokens> {
  readonly x: X;
  /** Class ids (Int32Array) or values (Float64Array): (B) or (B,O) per sequence, (T,B) per step. */
  readonly y: Int32Array | Float64Array;
  readonly size: number;
}

/** Where `fit` and `evaluate` get batches: a list (the same every epoch) or a source per epoch. */
export type BatchSource<X = Tensor | Tokens> = readonly Batch<X>[] | {
  /** The batches of one epoch (0-based). */
  batches(epoch: number): Iterable<Batch<X>>;
  /** Batches per epoch (the learning-rate schedule's length). When absent, `fit` counts epoch 0's
   *  batches by iterating them once before training: give it where that costs or draws from an Rng. */
  readonly batchCount?: number;
};

/** How `padSequences` lays out its result. */
export interface PadOptions {
  /** The values are token ids (default false: floats). */
  tokens?: boolean;
  /** (B,T,…) instead of the default time-major (T,B,…). */
  batchFirst?: boolean;
  /** Float dtype of the padded values, default 'float32' (use your kernels' dtype). */
  dtype?: DType;
}

/** Sequences of different lengths → one padded value (T = the longest) with `lengths`; zeros pad. */
export function padSequences(seqs: readonly Sequence[], opt: PadOptions & { tokens: true }): Tokens;
export function padSequences(seqs: readonly Sequence[], opt?: PadOptions): Tensor;
export function padSequences(seqs: readonly Sequence[], opt: PadOptions = {}): Tensor | Tokens {
  if (seqs.length === 0) throw new RecurError('padSequences: expected at least one sequence, got none');
  const B = seqs.length;
  const lengths = new Int32Array(B);
  let T = 0;
  const F = featureSize(seqs[0]!, opt.tokens === true);
  seqs.forEach((s, b) => {
    if (s.length < 1) throw new RecurError(`sequence ${b}: expected at least one step, got an empty sequence`);
    if (featureSize(s, opt.tokens === true) !== F) throw new RecurError(`sequence ${b}: expected ${F} features per step (as sequence 0), got ${featureSize(s, opt.tokens === true)}`);
    lengths[b] = s.length;
    T = Math.max(T, s.length);
  });
  const data = opt.tokens ? new Int32Array(T * B) : allocFloat(opt.dtype ?? 'float32', T * B * F);
  seqs.forEach((s, b) => {
    for (let t = 0; t < s.length; t++) {
      const step = s[t]!;
      for (let f = 0; f < F; f++) {
        const v = typeof step === 'number' ? step : step[f]!;
        if (opt.tokens ? !Number.isInteger(v) || v < 0 : !Number.isFinite(v)) {
          throw new RecurError(`sequence ${b}, step ${t}: expected ${opt.tokens ? 'a token id (an integer ≥ 0)' : 'a finite number'}, got ${v}`);
        }
        data[(t * B + b) * F + f] = v;
      }
    }
  });
  if (opt.tokens) {
    const tokens = data as Int32Array;
    return opt.batchFirst ? { tokens: swapLeadingAxes(new Int32Array(T * B), tokens, T, B, 1), shape: [B, T], lengths }
      : { tokens, shape: [T, B], lengths };
  }
  const x = data as Float32Array | Float64Array;
  if (!opt.batchFirst) return { data: x, shape: [T, B, F], lengths };
  return { data: swapLeadingAxes(allocFloat(opt.dtype ?? 'float32', x.length), x, T, B, F), shape: [B, T, F], lengths };
}

function featureSize(s: Sequence, tokens: boolean): number {
  const first = s[0];
  if (first === undefined || typeof first === 'number') return 1;
  if (tokens) throw new RecurError('padSequences: token ids are one number per step, got vectors');
  return first.length;
}

/** How `SequenceData` batches: size, order, bucketing, and what its inputs and labels are. */
export interface SequenceDataOptions {
  /** Rows per batch, default 32 (the last batch may be smaller). */
  batchSize?: number;
  /** A new order every epoch, default true. */
  shuffle?: boolean;
  /** Batch sequences of similar lengths together (less padding), default false. */
  bucket?: boolean;
  /** Seeds shuffling and bucketing, default 0. */
  seed?: number;
  /** Inputs are token ids (default false: floats). */
  tokens?: boolean;
  /** Labels are classes (Int32 ids, the default) or values (regression). */
  labels?: 'classes' | 'values';
  /** Float dtype of inputs, default 'float32'. */
  dtype?: DType;
  /** Labels are one per step. Default: true when class labels are arrays; value labels that are
   *  arrays are vectors per sequence unless this is true. */
  perStep?: boolean;
}

/**
 * A labelled set of sequences, cut into padded batches per epoch: give it to `fit` or `evaluate`.
 * Labels are one per sequence (a number, or for values an array of O numbers) or one per step (an
 * array as long as the sequence); per-step labels of padded steps are ignored by losses and metrics.
 */
export class SequenceData {
  readonly inputs: readonly Sequence[];
  readonly labels: ReadonlyArray<number | ArrayLike<number>>;
  readonly options: Required<Omit<SequenceDataOptions, 'perStep'>>;
  /** Labels per step (each label as long as its sequence) rather than per sequence. */
  readonly perStep: boolean;

  constructor(inputs: readonly Sequence[], labels: ReadonlyArray<number | ArrayLike<number>>, options: SequenceDataOptions = {}) {
    if (inputs.length !== labels.length) throw new RecurError(`SequenceData: expected one label per sequence, got ${inputs.length} sequences and ${labels.length} labels`);
    if (inputs.length === 0) throw new RecurError('SequenceData: expected at least one sequence, got none');
    this.inputs = inputs;
    this.labels = labels;
    const { perStep: _perStep, ...rest } = options;
    this.options = { batchSize: 32, shuffle: true, bucket: false, seed: 0, tokens: false, labels: 'classes', dtype: 'float32', ...rest };
    const { batchSize } = this.options;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RecurError(`SequenceData: batchSize must be a positive integer, got ${batchSize}`);
    // classes: an array label is one class per step; values: only when asked (it could be a vector)
    this.perStep = options.perStep ?? (this.options.labels === 'classes' && typeof labels[0] !== 'number');
    labels.forEach((l, i) => {
      const n = inputs[i]!.length;
      if (this.perStep && (typeof l === 'number' || l.length !== n)) {
        throw new RecurError(`label ${i}: expected ${n} values (one per step of sequence ${i}), got ${typeof l === 'number' ? 'one number' : `${l.length} values`}`);
      }
      if (!this.perStep && this.options.labels === 'classes' && typeof l !== 'number') {
        throw new RecurError(`label ${i}: expected one class id per sequence (as label 0), got ${l.length} values`);
      }
    });
  }

  /** Sequences in the set. */
  get size(): number { return this.inputs.length; }

  /** Batches per epoch. */
  get batchCount(): number { return Math.ceil(this.inputs.length / this.options.batchSize); }

  /** The batches of one epoch (the same epoch and seed give the same batches). */
  batches(epoch = 0): Batch[] {
    return this.order(epoch).map((rows) => this.batch(rows));
  }

  /** Row indices of each batch: shuffled (seed, epoch); with bucketing, similar lengths together. */
  order(epoch = 0): number[][] {
    const { batchSize: n, shuffle, bucket, seed } = this.options;
    const idx = this.inputs.map((_, i) => i);
    const rng = new Rng(seed * 7919 + epoch);
    if (shuffle) shuffleInPlace(idx, rng);
    if (bucket) {
      // sort within windows of 50 batches by length, then shuffle the batches' order
      const window = 50 * n;
      for (let s = 0; s < idx.length; s += window) {
        const part = idx.slice(s, s + window).sort((a, b) => this.inputs[a]!.length - this.inputs[b]!.length);
        idx.splice(s, part.length, ...part);
      }
    }
    const out: number[][] = [];
    for (let s = 0; s < idx.length; s += n) out.push(idx.slice(s, s + n));
    if (bucket && shuffle) shuffleInPlace(out, rng);
    return out;
  }

  /** The padded batch of these rows. */
  batch(rows: readonly number[]): Batch {
    const seqs = rows.map((i) => this.inputs[i]!);
    const x = this.options.tokens ? padSequences(seqs, { tokens: true }) : padSequences(seqs, { dtype: this.options.dtype });
    const B = rows.length;
    const T = x.shape[0];
    const classes = this.options.labels === 'classes';
    if (this.perStep) {
      // (T,B) time-major like the model's per-step output; padded steps ignored
      const y = classes ? new Int32Array(T * B).fill(IGNORE_INDEX) : new Float64Array(T * B);
      rows.forEach((i, b) => {
        const l = this.labels[i] as ArrayLike<number>;
        for (let t = 0; t < l.length; t++) y[t * B + b] = checkLabel(l[t]!, classes, i);
      });
      return { x, y, size: B };
    }
    const O = classes ? 1 : labelSize(this.labels[rows[0]!]!);
    const y = classes ? new Int32Array(B) : new Float64Array(B * O);
    rows.forEach((i, b) => {
      const l = this.labels[i]!;
      if (labelSize(l) !== O) throw new RecurError(`label ${i}: expected ${O} values, got ${labelSize(l)}`);
      for (let o = 0; o < O; o++) y[b * O + o] = checkLabel(typeof l === 'number' ? l : l[o]!, classes, i);
    });
    return { x, y, size: B };
  }
}

const labelSize = (l: number | ArrayLike<number>): number => (typeof l === 'number' ? 1 : l.length);

function checkLabel(v: number, classes: boolean, i: number): number {
  if (classes ? !Number.isInteger(v) || v < 0 : !Number.isFinite(v)) {
    throw new RecurError(`label ${i}: expected ${classes ? 'a class id (an integer ≥ 0)' : 'a finite number'}, got ${v}`);
  }
  return v;
}

/** Fisher–Yates with the given Rng. */
function shuffleInPlace<T>(a: T[], rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}
