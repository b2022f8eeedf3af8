// Every cell form, 1–3 layers, one or two directions, with and without lengths and initial states,
// batch-first and time-major, alone and inside composed models: exported, run in ONNX Runtime, and
// compared with recur's own forward (float32, max |error| ≤ 1e-5).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsKernels } from '../../kernels/js/index.js';
import { buildLayer } from '../../nn/build.js';
import type { LayerConfig, LinearActivation } from '../../nn/config.js';
import { dropout, embedding, linear, recurrent, reduce } from '../../nn/factories.js';
import { Model, sequential } from '../../nn/model.js';
import type { Layer, LayerInput } from '../../nn/types.js';
import { Rng } from '../../tensor/rng.js';
import { exportOnnx } from './index.js';
import {
  floatInput, int32Input, int64Input, maxAbsDiff, randomValues, recurrentLayers, referenceForward, runOnnx,
  type Feeds, type LayerStates,
} from '../../../test/onnx-run.js';

const k = jsKernels('float32');
const TOLERANCE = 1e-5;

/** Every cell form recur has. */
const CELLS: readonly Record<string, string | boolean>[] = [
  { cell: 'rnn', nonlinearity: 'tanh' }, { cell: 'rnn', nonlinearity: 'relu' }, { cell: 'rnn', nonlinearity: 'identity' },
  { cell: 'gru', resetAfter: false }, { cell: 'gru', resetAfter: true }, { cell: 'lstm' },
  { cell: 'residual', residual: 'x', nonlinearity: 'tanh' }, { cell: 'residual', residual: 'xh', nonlinearity: 'tanh' },
  { cell: 'residual', residual: 'x', nonlinearity: 'relu' }, { cell: 'residual', residual: 'xh', nonlinearity: 'identity' },
];
const SHAPES = ['stack', 'classifier', 'tagger', 'pooled', 'lm', 'onehot', 'nested'] as const;
type Shape = (typeof SHAPES)[number];

interface Case {
  seed: number; shape: Shape; cell: (typeof CELLS)[number]; numLayers: number; bidirectional: boolean; bias: boolean;
  H: number; I: number; V: number; T: number; B: number; lengths: boolean; states: boolean; batchFirst: boolean;
  mode: 'last' | 'mean' | 'max'; act: LinearActivation;
}

function randomCase(seed: number): Case {
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

function buildModel(c: Case): Model<never> {
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
function inputs(c: Case, model: Model<never>) {
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

async function check(c: Case): Promise<number> {
  const model = buildModel(c);
  const tokens = c.shape === 'lm' || c.shape === 'onehot';
  const bytes = exportOnnx(model, { batchFirst: c.batchFirst, lengths: c.lengths, ...(tokens ? { input: 'tokens' as const } : {}) });
  const { x, xBatchFirst, feeds, states } = inputs(c, model);
  // recur's forward: with the states through the stacks, else the model's own (batch-first) forward
  let expected: ReturnType<typeof referenceForward>;
  if (c.states) expected = referenceForward(model, x, states);
  else {
    const finals = referenceForward(model, x, undefined); // for h_n
    const y = model.forward((c.batchFirst ? xBatchFirst : x) as never, { batchFirst: c.batchFirst });
    expected = { y: Float64Array.from(y.data), finals: finals.finals };
  }
  const got = await runOnnx(bytes, feeds);
  let worst = maxAbsDiff(got.output!, expected.y);
  for (const [prefix, f] of expected.finals) {
    worst = Math.max(worst, maxAbsDiff(got[`${prefix}h_n`]!, f.hN));
    if (f.cN) worst = Math.max(worst, maxAbsDiff(got[`${prefix}c_n`]!, f.cN));
  }
  return worst;
}

test('exported models match recur in ONNX Runtime on 105 random configurations (max |error| ≤ 1e-5)', async () => {
  let worst = 0;
  const seen = new Set<string>();
  for (let seed = 0; seed < 105; seed++) {
    const c = randomCase(seed);
    const cell = JSON.stringify(c.cell);
    for (const key of [`${cell} lengths ${c.lengths}`, `${cell} bidirectional ${c.bidirectional}`, `${cell} states ${c.states}`,
                       `layers ${c.numLayers} bidirectional ${c.bidirectional}`, `${c.shape} batchFirst ${c.batchFirst}`,
                       ...(c.shape === 'pooled' ? [`reduce ${c.mode} lengths ${c.lengths}`] : [])]) seen.add(key);
    let e: number;
    try { e = await check(c); } catch (err) { throw new Error(`seed ${seed} ${JSON.stringify(c)}: ${(err as Error).message}`); }
    assert.ok(e <= TOLERANCE, `seed ${seed}: max |error| ${e} > ${TOLERANCE}: ${JSON.stringify(c)}`);
    worst = Math.max(worst, e);
  }
  assert.ok(worst > 0, 'every output identical to the bit: the comparison is not reading the outputs');
  // what the configurations cover: every cell form with and without lengths, in both directions,
  // with and without initial states; 1–3 layers in both directions; every reducer with and without lengths
  const missing: string[] = [];
  for (const cell of CELLS.map((x) => JSON.stringify(x))) {
    for (const b of [true, false]) for (const what of ['lengths', 'bidirectional', 'states']) if (!seen.has(`${cell} ${what} ${b}`)) missing.push(`${cell} ${what} ${b}`);
  }
  for (const L of [1, 2, 3]) for (const b of [true, false]) if (!seen.has(`layers ${L} bidirectional ${b}`)) missing.push(`layers ${L} bidirectional ${b}`);
  for (const m of ['last', 'mean', 'max']) for (const b of [true, false]) if (!seen.has(`reduce ${m} lengths ${b}`)) missing.push(`reduce ${m} lengths ${b}`);
  for (const shape of SHAPES) if (!seen.has(`${shape} batchFirst false`)) missing.push(`${shape} time-major`);
  assert.deepEqual(missing, [], 'combinations no configuration covered');
});
