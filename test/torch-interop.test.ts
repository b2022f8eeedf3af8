// Every kind of recur model file in PyTorch and back (tools/torch/recur_torch), outputs equal to 1e-5.
//
// recur → PyTorch: recur makes a model with random weights (its own initialisation) and writes the
// file; tools/torch/interop.py loads it into an nn.Module and runs an input (padded rows with
// lengths); the outputs must equal recur's own on the same input.
// PyTorch → recur: interop.py builds the module from the same config with PyTorch's initialisation,
// writes the recur file, and runs the input; recur loads the file and must compute the same.
// Kinds: a stack of every cell form (bidirectional, 2 layers, lengths, h0/c0), language models
// (one-hot and embedding), composed models (a classifier embedding → bidirectional 2-layer recurrent
// → reduce → linear, a tagger, a final-state classifier with dropout), and forecasters (RNN/GRU/
// LSTM/TDNN windows, NARX, AR). Cells torch has run on torch.nn.RNN/GRU/LSTM, also as the loop
// (`loop`). Also: a classifier written in plain PyTorch saved through save_state_dict runs in
// recur, and files recur_torch cannot use are refused with one line. All Python work is one
// process; skipped, with the reason, where /usr/bin/python3 has no torch.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ArModel, forecasterFile, Forecaster, jsKernels, LanguageModel, lmConfigJson, lmTensors, loadForecaster, loadLm, loadModel,
  parseSafetensors, recurrentConfig, RecurrentStack, Rng, runStack, saveModel, sequential, serializeSafetensors,
  stackTensors, tensorToFloat64, Vocab, type ForecasterConfig, type LayerConfig, type RecurrentOptions, type SafetensorsFile, type TensorToWrite,
} from '../src/index.js';
import { compare, describeDiff, ROOT } from './helpers.js';

const PYTHON = '/usr/bin/python3';
const INTEROP = join(ROOT, 'tools', 'torch', 'interop.py');
const TOLERANCE = 1e-5; // max |a − b| / max |b| per output tensor
const k = jsKernels('float32');
const T = 6, B = 3;
const LENGTHS = Int32Array.from([6, 2, 4]); // padded rows: the reverse direction starts at each row's end

type Outputs = Map<string, ArrayLike<number>>;
interface Case {
  name: string;
  config: Record<string, unknown>;          // recur.config
  input: TensorToWrite[];
  write(seed: number): Uint8Array;          // recur's own model with random weights, as a file
  run(file: SafetensorsFile): Outputs;      // what recur computes from a file on `input`
  loop?: boolean;
}

function torchMissing(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} cannot run (${r.error.message})`;
  if (r.status !== 0) return `${PYTHON} has no torch (${r.stderr.trim().split('\n').pop()})`;
  return undefined;
}

const rng = new Rng(7);
const normals = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
const tokens = (n: number, V: number) => Int32Array.from({ length: n }, () => rng.int(V));
const lengths = { name: 'lengths', shape: [B], data: LENGTHS, dtype: 'I64' as const };

/** A stack file: y, h_n, c_n of runStack (what `recur run` computes). */
function stackCase(name: string, options: Record<string, unknown>, loop = false): Case {
  const config = recurrentConfig({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, ...options } as RecurrentOptions, name);
  const LD = 4;
  const input: TensorToWrite[] = [{ name: 'x', shape: [T, B, 3], data: normals(T * B * 3) }, lengths,
    { name: 'h0', shape: [LD, B, 4], data: normals(LD * B * 4) }];
  if (config.cell === 'lstm') input.push({ name: 'c0', shape: [LD, B, 4], data: normals(LD * B * 4) });
  const inputFile = parseSafetensors(serializeSafetensors(input));
  return {
    name, config: { ...config }, input, loop,
    write: (seed) => { const s = stackTensors(new RecurrentStack(config, k, new Rng(seed))); return serializeSafetensors(s.tensors, s.metadata); },
    run: (file) => new Map(runStack({ model: file, input: inputFile }, k).map((t) => [t.name, t.data as Float32Array])),
  };
}

/** A language-model file ("model": "lm"): logits through loadModel, h_n (c_n) through loadLm. */
function lmCase(name: string, rnn: Record<string, unknown>, embeddingSize: number | null): Case {
  const vocab = new Vocab({ kind: 'char', tokens: ['<unk>', 'a', 'b', 'c', ' ', 'é', 'z'], unk: '<unk>', preprocess: 'none' });
  const V = vocab.size;
  const config = { vocabSize: V, embeddingSize, rnn: recurrentConfig({ inputSize: embeddingSize ?? V, hiddenSize: 5, ...rnn } as RecurrentOptions) };
  const ids = tokens(T * B, V);
  return {
    name, input: [{ name: 'tokens', shape: [T, B], data: ids, dtype: 'I64' }],
    config: JSON.parse(lmConfigJson(new LanguageModel(config, k, new Rng(0)), vocab)) as Record<string, unknown>,
    write: (seed) => {
      const m = new LanguageModel(config, k, new Rng(seed));
      return serializeSafetensors(lmTensors(m), { 'recur.config': lmConfigJson(m, vocab) });
    },
    run: (file) => {
      const logits = Float32Array.from(loadModel(file, k).eval().forward({ tokens: ids, shape: [T, B] }).data);
      const lm = loadLm(file, name, k).model;
      lm.loss(ids, ids, T, B);
      const s = lm.finalState();
      return new Map<string, ArrayLike<number>>([['logits', logits], ['h_n', Float32Array.from(s.h)], ...(s.c ? [['c_n', Float32Array.from(s.c)] as [string, Float32Array]] : [])]);
    },
  };
}

/** A composed model ("model": "layers"): its output through loadModel, in evaluation mode. */
function layersCase(name: string, layers: LayerConfig[], input: { floats?: number; vocab?: number }): Case {
  const x: TensorToWrite = input.vocab ? { name: 'tokens', shape: [T, B], data: tokens(T * B, input.vocab), dtype: 'I64' }
    : { name: 'x', shape: [T, B, input.floats!], data: normals(T * B * input.floats!) };
  const make = (seed: number) => sequential(layers, { kernels: k, seed, ...(input.floats ? { inputSize: input.floats } : {}) });
  const value = input.vocab ? { tokens: x.data as Int32Array, shape: [T, B] as [number, number], lengths: LENGTHS }
    : { data: x.data as Float32Array, shape: [T, B, input.floats!], lengths: LENGTHS };
  return {
    name, input: [x, lengths], config: { model: 'layers', root: make(0).config },
    write: (seed) => saveModel(make(seed)),
    run: (file) => new Map([['y', Float32Array.from(loadModel(file, k).eval().forward(value).data)]]),
  };
}

const NORMALIZATION = { log: false, target: { mean: 0, std: 1 }, exog: [{ mean: 0, std: 1 }] };
const SERIES = 40;
const z = Float64Array.from({ length: SERIES }, () => rng.normal());
const xs = Float64Array.from({ length: SERIES }, () => rng.normal());
const TIMES = [20, 27, 39];

/** A forecaster file: ŷ at the times TIMES from the model's own predict; the input is the windows
 *  (or regressors) those predictions read, laid out as seq.ts / narx.ts / ar.ts build them. */
function forecastCase(name: string, config: ForecasterConfig, input: Float32Array, shape: number[]): Case {
  return {
    name, config: { model: 'forecast', ...config }, input: [{ name: 'x', shape, data: input }],
    write: (seed) => {
      const f = config.kind === 'ar' ? new Forecaster(config, new ArModel(config.ar!, Float64Array.from([0.3, -0.5, 0.25])))
        : Forecaster.createNeural(config, k, new Rng(seed));
      const { tensors, metadata } = forecasterFile(f);
      return serializeSafetensors(tensors, metadata);
    },
    run: (file) => new Map([['y', loadForecaster(file, name, k).model.predict(z, xs, TIMES)]]),
  };
}

function windows(W: number): Float32Array {
  // f_s = [x_s ; z_{s−1}] for s in t−W+1 … t, time-major (W, B, 2)
  const out = new Float32Array(W * TIMES.length * 2);
  TIMES.forEach((t, b) => { for (let w = 0; w < W; w++) { const s = t - W + 1 + w; out.set([xs[s]!, z[s - 1]!], (w * TIMES.length + b) * 2); } });
  return out;
}

function seqForecast(kind: 'rnn' | 'gru' | 'lstm' | 'tdnn'): Case {
  const W = 5;
  const seq = { kind, exogSize: 1, hidden: 4, layers: 2, delays: kind === 'tdnn' ? 2 : 0, window: W, mode: 'seq2seq' as const, burnIn: 0 };
  return forecastCase(`${kind} forecaster`, { kind, target: 'y', exog: ['x'], normalization: NORMALIZATION, seq }, windows(W), [W, TIMES.length, 2]);
}

const NARX = { exogSize: 1, inputDelays: [0, 2], feedbackDelays: [1, 3], hidden: [5, 3] };
const narxRegressors = Float32Array.from(TIMES.flatMap((t) => [xs[t]!, xs[t - 2]!, z[t - 1]!, z[t - 3]!]));
const arRegressors = Float32Array.from(TIMES.flatMap((t) => [z[t - 1]!, z[t - 4]!]));

const cases: Case[] = [
  stackCase('stack rnn tanh', { cell: 'rnn' }),
  stackCase('stack rnn relu, no bias', { cell: 'rnn', nonlinearity: 'relu', bias: false }),
  stackCase('stack rnn identity', { cell: 'rnn', nonlinearity: 'identity' }),
  stackCase('stack gru reset before', { cell: 'gru' }),
  stackCase('stack gru reset after', { cell: 'gru', resetAfter: true }),
  stackCase('stack lstm', { cell: 'lstm' }),
  stackCase('stack residual x', { cell: 'residual' }),
  stackCase('stack residual xh relu', { cell: 'residual', residual: 'xh', nonlinearity: 'relu' }),
  stackCase('stack lstm as the loop', { cell: 'lstm' }, true),
  stackCase('stack gru reset after as the loop', { cell: 'gru', resetAfter: true }, true),
  lmCase('lm one-hot lstm', { cell: 'lstm', numLayers: 2 }, null),
  lmCase('lm embedding gru reset before', { cell: 'gru' }, 4),
  lmCase('lm embedding residual xh', { cell: 'residual', residual: 'xh' }, 3),
  layersCase('classifier embedding → bi-GRU ×2 → reduce mean → linear', [
    { type: 'embedding', name: 'embed', numEmbeddings: 9, embeddingDim: 4 },
    { type: 'recurrent', name: 'rnn', cell: 'gru', hiddenSize: 5, numLayers: 2, bidirectional: true },
    { type: 'reduce', mode: 'mean' }, { type: 'linear', name: 'head', outputSize: 3, activation: 'tanh' }], { vocab: 9 }),
  layersCase('classifier bi-LSTM final state, dropout → linear (unnamed layers)', [
    { type: 'recurrent', cell: 'lstm', hiddenSize: 4, bidirectional: true, output: 'final' },
    { type: 'dropout', p: 0.5 }, { type: 'linear', outputSize: 2, activation: 'sigmoid' }], { floats: 3 }),
  layersCase('classifier one-hot RNN relu → reduce max → linear relu → reduce-free head', [
    { type: 'recurrent', name: 'rnn', cell: 'rnn', nonlinearity: 'relu', hiddenSize: 5, inputSize: 7 },
    { type: 'reduce', mode: 'max' }, { type: 'linear', name: 'hidden', outputSize: 4, activation: 'relu' },
    { type: 'linear', name: 'head', outputSize: 2, bias: false }], { vocab: 7 }),
  layersCase('classifier residual → reduce last → linear', [
    { type: 'recurrent', name: 'rnn', cell: 'residual', residual: 'x', hiddenSize: 4, bidirectional: true },
    { type: 'reduce', mode: 'last' }, { type: 'linear', name: 'head', outputSize: 2 }], { floats: 3 }),
  layersCase('tagger bi-LSTM → per-step linear', [
    { type: 'recurrent', name: 'rnn', cell: 'lstm', hiddenSize: 4, bidirectional: true, numLayers: 2, dropout: 0.3 },
    { type: 'linear', name: 'tags', outputSize: 5 }], { floats: 2 }),
  seqForecast('rnn'), seqForecast('gru'), seqForecast('lstm'), seqForecast('tdnn'),
  forecastCase('narx forecaster', { kind: 'narx', target: 'y', exog: ['x'], normalization: NORMALIZATION, narx: NARX }, narxRegressors, [TIMES.length, 4]),
  forecastCase('ar forecaster', { kind: 'ar', target: 'y', exog: [], normalization: { ...NORMALIZATION, exog: [] }, ar: { lags: [1, 4], trend: 'c' } },
               arRegressors, [TIMES.length, 2]),
];

/** A classifier written in plain PyTorch (interop.py's GruClassifier: nn.GRU + nn.Linear, not
 *  recur_torch's modules), its state_dict saved as a recur file of this config: recur must compute
 *  what the PyTorch module computes. */
const PLAIN: LayerConfig[] = [
  { type: 'recurrent', name: 'rnn', cell: 'gru', resetAfter: true, inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, output: 'final' },
  { type: 'linear', name: 'head', inputSize: 10, outputSize: 3 },
];
const plainInput: TensorToWrite[] = [{ name: 'x', shape: [T, B, 3], data: normals(T * B * 3) }, lengths];

/** Files recur_torch must refuse, with the line it must say. */
const refused: { name: string; file: Uint8Array; message: RegExp; op?: string; config?: unknown }[] = [
  { name: 'a layer defined in TypeScript', message: /"custom:attention" is defined in TypeScript/,
    file: serializeSafetensors([], { 'recur.config': JSON.stringify({ model: 'layers', root: { type: 'sequential', layers: [{ type: 'custom:attention' }] } }) }) },
  { name: 'a tensor of the wrong shape', message: /tensor "weight_hh_l0": expected shape \(4, 4\), got \(4, 3\)/,
    file: serializeSafetensors([{ name: 'weight_ih_l0', shape: [4, 2], data: new Float32Array(8) }, { name: 'weight_hh_l0', shape: [4, 3], data: new Float32Array(12) }],
      { 'recur.config': JSON.stringify({ cell: 'rnn', inputSize: 2, hiddenSize: 4, bias: false }) }) },
  { name: 'an unknown cell', message: /"cell" must be one of "rnn", "gru", "lstm", "residual", got 'lstmx'/, op: 'make',
    config: { cell: 'lstmx', inputSize: 2, hiddenSize: 4 }, file: new Uint8Array(0) },
];

/** PyTorch's ŷ is every step of the windows (W, B); recur's predict reads the last one. */
function pick(name: string, c: Case, theirs: Float64Array): Float64Array {
  const x = c.input[0]!;
  if (name !== 'y' || c.config.model !== 'forecast' || x.shape.length !== 3) return theirs;
  const [W, Bf] = x.shape as [number, number];
  return theirs.subarray((W - 1) * Bf, W * Bf);
}

function check(c: Case, ours: Outputs, theirsFile: SafetensorsFile, direction: string): void {
  const names = [...ours.keys()].sort();
  assert.deepEqual([...theirsFile.tensors.keys()].filter((n) => names.includes(n)).sort(), names, `${c.name} (${direction}): output tensors`);
  for (const name of names) {
    const theirs = pick(name, c, tensorToFloat64(theirsFile.tensors.get(name)!, name));
    const mine = Array.from(ours.get(name)!);
    const d = compare(mine, theirs);
    assert.ok(d.normwise <= TOLERANCE, describeDiff(`${c.name} (${direction}) ${name}`, mine, theirs, d));
  }
}

test('every recur model file runs in PyTorch with recur\'s outputs, and PyTorch-written files run in recur', (t) => {
  const missing = torchMissing();
  if (missing !== undefined) {
    t.skip(`needs PyTorch: ${missing}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'recur-torch-interop-'));
  try {
    const jobs = cases.flatMap((c, i) => {
      writeFileSync(join(dir, `${i}-input.safetensors`), serializeSafetensors(c.input));
      writeFileSync(join(dir, `${i}-recur.safetensors`), c.write(100 + i));
      const common = { input: join(dir, `${i}-input.safetensors`), ...(c.loop ? { loop: true } : {}) };
      return [
        { op: 'run', model: join(dir, `${i}-recur.safetensors`), out: join(dir, `${i}-run.safetensors`), ...common },
        { op: 'make', config: c.config, seed: i, model: join(dir, `${i}-torch.safetensors`), out: join(dir, `${i}-make.safetensors`), ...common },
      ];
    });
    writeFileSync(join(dir, 'plain-input.safetensors'), serializeSafetensors(plainInput));
    jobs.push({ op: 'torch', config: { model: 'layers', root: { type: 'sequential', layers: PLAIN } }, seed: 3, model: join(dir, 'plain.safetensors'),
                out: join(dir, 'plain-out.safetensors'), input: join(dir, 'plain-input.safetensors') });
    refused.forEach((r, i) => {
      writeFileSync(join(dir, `refused-${i}.safetensors`), r.file);
      jobs.push({ op: r.op ?? 'run', ...(r.config ? { config: r.config as Record<string, unknown> } : {}), model: join(dir, `refused-${i}.safetensors`),
                  input: join(dir, 'plain-input.safetensors'), out: join(dir, `refused-${i}.txt`), error: true } as (typeof jobs)[number]);
    });
    writeFileSync(join(dir, 'jobs.json'), JSON.stringify(jobs));
    const r = spawnSync(PYTHON, [INTEROP, join(dir, 'jobs.json')], { encoding: 'utf8' });
    assert.equal(r.status, 0, `interop.py exited with ${r.status}:\n${r.stderr}`);
    const read = (path: string) => parseSafetensors(readFileSync(path), path);
    cases.forEach((c, i) => {
      const recurFile = read(join(dir, `${i}-recur.safetensors`));
      check(c, c.run(recurFile), read(join(dir, `${i}-run.safetensors`)), 'recur → PyTorch');
      const torchFile = read(join(dir, `${i}-torch.safetensors`));
      // PyTorch's own initialisation, not recur's: the weights differ, and recur reads them
      assert.notDeepEqual([...torchFile.tensors.values()][0]!.bytes, [...recurFile.tensors.values()][0]!.bytes, `${c.name}: the two files hold different weights`);
      check(c, c.run(torchFile), read(join(dir, `${i}-make.safetensors`)), 'PyTorch → recur');
    });
    // a plain PyTorch module's state_dict, through recur's loadModel
    const plainX = { data: plainInput[0]!.data as Float32Array, shape: [T, B, 3], lengths: LENGTHS };
    const plainY = Float32Array.from(loadModel(read(join(dir, 'plain.safetensors')), k).eval().forward(plainX).data);
    const theirs = tensorToFloat64(read(join(dir, 'plain-out.safetensors')).tensors.get('y')!, 'y');
    const d = compare(Array.from(plainY), theirs);
    assert.ok(d.normwise <= TOLERANCE, describeDiff('plain PyTorch GRU classifier (PyTorch → recur) y', Array.from(plainY), theirs, d));
    refused.forEach((r, i) => {
      const message = readFileSync(join(dir, `refused-${i}.txt`), 'utf8');
      assert.match(message, r.message, `${r.name}: the message`);
      assert.doesNotMatch(message, /\n|Traceback/, `${r.name}: one line`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
