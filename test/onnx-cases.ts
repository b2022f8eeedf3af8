/**
 * @module test/onnx-cases
 * For the ONNX tests only: the random model configurations the export is checked on (every cell
 * form, 1–3 layers, one or two directions, lengths, initial states, batch-first, composed heads),
 * the model of each, and its inputs (recur's values and ONNX Runtime's feeds).
 */
import { jsKernels } from '../src/kernels/js/index.js';
import { buildLayer } from '../src/nn/build.js';
import type { LayerConfig, LinearActivation } from '../src/nn/config.js';
import { dropout, embedding, linear, recurrent, reduce } from '../src/nn/factories.js';
import { Model, sequential } from '../src/nn/model.js';
import type { Layer, LayerInput } from '../src/nn/types.js';
import { Rng } from '../src/tensor/rng.js';
import { floatInput, int32Input, int64Input, randomValues, recurrentLayers, type Feeds, type LayerStates } from './onnx-run.js';

const k = jsKernels('float32');

/** Every cell form recur has. */
export const CELLS: readonly Record<string, string | boolean>[] = [
  { cell: 'rnn', nonlinearity: 'tanh' }, { cell: 'rnn', nonlinearity: 'relu' }, { cell: 'rnn', nonlinearity: 'identity' },
  { cell: 'gru', resetAfter: false }, { cell: 'gru', resetAfter: true }, { cell: 'lstm' },
  { cell: 'residual', residual: 'x', nonlinearity: 'tanh' }, { cell: 'residual', residual: 'xh', nonlinearity: 'tanh' },
  { cell: 'residual', residual: 'x', nonlinearity: 'relu' }, { cell: 'residual', residual: 'xh', nonlinearity: 'identity' },
];
export const SHAPES = ['stack', 'classifier', 'tagger', 'pooled', 'lm', 'onehot', 'nested'] as const;
export type Shape = (typeof SHAPES)[number];

/** One random configuration. */
export interface Case {
  seed: number; shape: Shape; cell: (typeof CELLS)[number]; numLayers: number; bidirectional: boolean; bias: boolean;
  H: number; I: number; V: number; T: number; B: number; lengths: boolean; states: boolean; batchFirst: boolean;
  mode: 'last' | 'mean' | 'max'; act: LinearActivation;
}

/** The configuration of a seed: the shape and cell cycle with the seed, the rest is random. */
export function randomCase(seed: number): Case {
  const r = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[r.int(xs.length)]!;
  const shape = SHAPES[seed % SHAPES.length]!;
  const cell = CELLS[Math.floor(seed / SHAPES.length) % CELLS.length]!;
  // initial states are compared where recur's forward can take them: a sequence output
  const states = (shape === 'stack' || shape === 'tagger' || shape === 'lm' || shape === 'onehot' || shape === 'pooled') && r.uniform() < 0.6;
  return {
    seed, shape, cell, numLayers: 1 + r.int(3), bidirectional: r.uniform() < 0.5, bias: r.uniform() < 0.8,
    H: 1 + r.int(5), I: 1 + r.int(4), V: 2 + r.int(6), T: 1 + r.int(6), B: 1 + r.int(4),
    lengths: r.uniform() < 0.6, states, batchFirst: !states && r.uniform() < 0.4,
    mode: (['last', 'mean', 'max'] as const)[Math.floor(seed / SHAPES.length) % 3]!, act: pick(['identity', 'tanh', 'relu', 'sigmoid'] as const),
  };
}

/** The model of a configuration (seeded). */
export function buildModel(c: Case): Model<never> {
  const rnn = (output: 'sequence' | 'final', name?: string) =>
    recurrent({ ...c.cell, hiddenSize: c.H, numLayers: c.numLayers, bidirectional: c.bidirectional, bias: c.bias, output,
                ...(name === undefined ? {} : { name }) } as never);
  const opts = { kernels: k, seed: c.seed };
  const layers: Record<Shape, () => LayerConfig[]> = {
    stack: () => [],
    classifier: () => [rnn('final'), linear({ outputSize: 3, activation: c.act })],
    tagger: () => [rnn('sequence'), dropout(0.3), linear({ outputSize: 2, activation: c.act, bias: c.bias })],
    pooled: () => [rnn('sequence'), linear({ outputSize: 3, activation: c.act }), reduce(c.mode), linear({ outputSize: 2 })],
    lm: () => [embedding({ numEmbeddings: c.V, embeddingDim: c.I, name: 'embedding' }), rnn('sequence', 'rnn'), linear({ outputSize: c.V, name: 'head' })],
    onehot: () => [rnn('sequence', 'rnn'), linear({ outputSize: c.V, name: 'head' })],
    nested: () => [{ type: 'sequential', name: 'enc', layers: [rnn('sequence'), dropout(0.1)] },
                   recurrent({ cell: 'gru', hiddenSize: 2, resetAfter: true, output: 'final' }), linear({ outputSize: 2, activation: c.act })],
  };
  if (c.shape === 'stack') {
    const root = buildLayer(rnn('sequence'), c.I) as Layer;
    return new Model(root, opts) as Model<never>;
  }
  if (c.shape === 'onehot') return sequential(layers.onehot(), { ...opts, inputSize: c.V }) as Model<never>;
  return sequential(layers[c.shape](), { ...opts, inputSize: c.I }) as Model<never>;
}

/** Input values (time-major), lengths, initial states; the feeds in the export's layout. */
export function inputs(c: Case, model: Model<never>) {
  const r = new Rng(1000 + c.seed);
  const tokens = c.shape === 'lm' || c.shape === 'onehot';
  const { T, B, I } = c;
  const lengths = c.lengths ? Int32Array.from({ length: B }, () => 1 + r.int(T)) : undefined;
  const xs = tokens ? Int32Array.from({ length: T * B }, () => r.int(c.V)) : randomValues(r, T * B * I);
  const F = tokens ? 1 : I;
  // batch-first: (B,T,·) of the same values
  const bf = new (tokens ? Int32Array : Float32Array)(xs.length);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let f = 0; f < F; f++) bf[(b * T + t) * F + f] = xs[(t * B + b) * F + f]!;
  const dims = c.batchFirst ? [B, T] : [T, B];
  const feeds: Feeds = { input: tokens ? int64Input(c.batchFirst ? bf : xs, dims) : floatInput(c.batchFirst ? bf : xs, [...dims, I]) };
  if (lengths) feeds.lengths = int32Input(lengths, [B]);
  const states = new Map<string, LayerStates>();
  for (const { prefix, config } of recurrentLayers(model.config)) {
    const n = (config.numLayers ?? 1) * (config.bidirectional ? 2 : 1) * B * config.hiddenSize;
    const dims3 = [(config.numLayers ?? 1) * (config.bidirectional ? 2 : 1), B, config.hiddenSize];
    const h0 = c.states ? randomValues(r, n) : new Float32Array(n);
    const c0 = config.cell === 'lstm' ? (c.states ? randomValues(r, n) : new Float32Array(n)) : undefined;
    states.set(prefix, { h0, c0 });
    feeds[`${prefix}h0`] = floatInput(h0, dims3);
    if (c0) feeds[`${prefix}c0`] = floatInput(c0, dims3);
  }
  const value = (v: Int32Array | Float32Array, d: number[]): LayerInput =>
    (tokens ? { tokens: v as Int32Array, shape: d as [number, number], lengths } : { data: v as Float32Array, shape: [...d, I], lengths });
  return { x: value(xs, [T, B]), xBatchFirst: value(bf, [B, T]), feeds, states };
}

