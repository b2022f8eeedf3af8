// The export against outputs recur did not compute: the PyTorch (and float64 reference) fixtures of
// test/fixtures/stack run through exportOnnxFile and ONNX Runtime; language models trained in
// PyTorch (test/fixtures/lm, made by tools/torch/charlm.py), the text encoded with the tokenizer the
// ONNX file carries in its metadata and run in one pass, against PyTorch's perplexity; that a slip in
// the gate order or in linear_before_reset would show; and that what cannot be exported is refused
// in one line.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadFixture, ROOT, stackFixtures } from '../../../test/helpers.js';
import { Vocab, type TokenizerConfig } from '../../data/text.js';
import { RecurError } from '../../errors.js';
import { tensorToFloat32, tensorToInt32 } from '../../format/safetensors.js';
import { jsKernels } from '../../kernels/js/index.js';
import { linear, recurrent } from '../../nn/factories.js';
import { Model, sequential } from '../../nn/model.js';
import type { Layer } from '../../nn/types.js';
import { Rng } from '../../tensor/rng.js';
import { onnxGateOrder, permuteGateRows } from '../gates.js';
import { decodeModel, encodeModel } from '../proto.js';
import { floatTensor, readFloats } from '../tensors.js';
import { exportOnnx, exportOnnxFile } from './index.js';
import { modelProto } from './model.js';
import { floatInput, int32Input, int64Input, maxAbsDiff, randomValues, runOnnx, type Feeds } from '../../../test/onnx-run.js';

const k = jsKernels('float32');

for (const c of stackFixtures()) {
  test(`stack fixture ${c.name} (${c.reference}): exported, ONNX Runtime's y, h_n, c_n match within 1e-5`, async () => {
    const dir = `test/fixtures/stack/${c.name}`;
    const input = loadFixture(`${dir}/input.safetensors`);
    const expected = loadFixture(`${dir}/expected.safetensors`);
    const x = input.tensors.get('x')!;
    const [, B] = x.shape as [number, number, number];
    const lengths = input.tensors.get('lengths');
    const bytes = exportOnnxFile(loadFixture(`${dir}/model.safetensors`), { lengths: lengths !== undefined, what: c.name });
    const feeds: Feeds = { input: floatInput(tensorToFloat32(x, 'x'), x.shape) };
    if (lengths) feeds.lengths = int32Input(tensorToInt32(lengths, 'lengths'), [B]);
    const hN = expected.tensors.get('h_n')!;
    for (const s of ['h0', 'c0']) {
      if (s === 'c0' && !expected.tensors.has('c_n')) continue;
      const t = input.tensors.get(s);
      feeds[s] = floatInput(t ? tensorToFloat32(t, s) : new Float32Array(hN.shape.reduce((a, b) => a * b, 1)), hN.shape);
    }
    const got = await runOnnx(bytes, feeds);
    for (const [name, out] of [['y', 'output'], ['h_n', 'h_n'], ['c_n', 'c_n']] as const) {
      const want = expected.tensors.get(name);
      if (!want) continue;
      const e = maxAbsDiff(got[out]!, tensorToFloat32(want, name));
      assert.ok(e <= 1e-5, `${c.name} ${name}: max |error| ${e}`);
    }
  });
}

const lmFixtures = JSON.parse(readFileSync(`${ROOT}test/fixtures/lm/manifest.json`, 'utf8')) as { name: string }[];

for (const { name } of lmFixtures) {
  test(`language model ${name}: ONNX Runtime's perplexity, with the tokenizer from the ONNX metadata, is PyTorch's`, async () => {
    const expected = JSON.parse(readFileSync(`${ROOT}test/fixtures/lm/${name}/expected.json`, 'utf8')) as { perplexity: number; tokens: number; text: string };
    const bytes = exportOnnxFile(loadFixture(`test/fixtures/lm/${name}/checkpoint.safetensors`), { lengths: false, initialStates: false });
    const meta = new Map((decodeModel(bytes).metadata_props ?? []).map((p) => [p.key, p.value]));
    const vocab = new Vocab(JSON.parse(meta.get('recur.tokenizer')!) as TokenizerConfig);
    const ids = vocab.encodeText(expected.text);
    assert.equal(ids.length - 1, expected.tokens);
    const logits = (await runOnnx(bytes, { input: int64Input(ids, [ids.length, 1]) })).output!; // (T,1,V)
    const V = vocab.size;
    // mean over t of −log softmax(logits_t)[ids_{t+1}]
    let loss = 0;
    for (let t = 0; t + 1 < ids.length; t++) {
      const row = logits.subarray(t * V, (t + 1) * V);
      const max = row.reduce((a, b) => Math.max(a, b), -Infinity);
      const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
      loss += lse - row[ids[t + 1]!]!;
    }
    const perplexity = Math.exp(loss / expected.tokens);
    assert.ok(Math.abs(perplexity - expected.perplexity) <= 1e-4 * expected.perplexity, `perplexity ${perplexity}, PyTorch ${expected.perplexity}`);
  });
}

/** A one-layer model of `cell` and its ONNX Runtime output on fixed x, from `proto` as exported or edited. */
async function runCell(model: Model<never>, edit?: (name: string, values: Float64Array) => Float64Array) {
  const proto = modelProto(model, { lengths: false, initialStates: false });
  if (edit) {
    proto.graph!.initializer = proto.graph!.initializer!.map((t) =>
      (t.data_type === 1 && /(^|\.)[WRB]_l0$/.test(t.name!) ? floatTensor(t.name!, t.dims!, edit(t.name!, readFloats(t, t.name!))) : t));
  }
  const x = randomValues(new Rng(5), 6 * 2 * 3);
  const got = await runOnnx(encodeModel(proto), { input: floatInput(x, [6, 2, 3]) });
  const want = Float64Array.from(model.eval().forward({ data: x, shape: [6, 2, 3] } as never).data);
  return { got: got.output!, want };
}

test('a wrong gate order would fail the comparison: recur\'s block order left in W, R and B is far off', async () => {
  for (const cell of ['gru', 'lstm'] as const) {
    const model = sequential([recurrent({ cell, hiddenSize: 4 })], { inputSize: 3, kernels: k, seed: 3 }) as Model<never>;
    const right = await runCell(model);
    assert.ok(maxAbsDiff(right.got, right.want) <= 1e-5, `${cell}: the export itself matches`);
    // undo the permutation: ONNX then reads recur's r,z,n / i,f,g,o blocks as its z,r,h / i,o,f,c
    const order = onnxGateOrder(cell);
    const wrong = await runCell(model, (name, v) => {
      const D = 1, H = 4, G = order.length;
      const bias = name.endsWith('B_l0');
      const rows = bias ? 2 * G * H : G * H;
      const cols = v.length / (D * rows);
      if (bias) {
        const half = G * H;
        return Float64Array.from([...permuteGateRows(v.subarray(0, half), order, H, 1, false), ...permuteGateRows(v.subarray(half), order, H, 1, false)]);
      }
      return permuteGateRows(v, order, H, cols, false);
    });
    assert.ok(maxAbsDiff(wrong.got, wrong.want) > 1e-3, `${cell}: a wrong gate order went unnoticed (error ${maxAbsDiff(wrong.got, wrong.want)})`);
  }
});

test('GRU linear_before_reset: the two forms on the same weights give different outputs, each matching its own recur form', async () => {
  const outs: Float64Array[] = [];
  for (const resetAfter of [false, true]) {
    const model = sequential([recurrent({ cell: 'gru', hiddenSize: 4, resetAfter })], { inputSize: 3, kernels: k, seed: 7 }) as Model<never>;
    const r = await runCell(model);
    assert.ok(maxAbsDiff(r.got, r.want) <= 1e-5, `resetAfter ${resetAfter}: max |error| ${maxAbsDiff(r.got, r.want)}`);
    outs.push(r.got);
  }
  assert.ok(maxAbsDiff(outs[0]!, outs[1]!) > 1e-3, 'linear_before_reset 0 and 1 gave the same outputs: the attribute is not reaching ONNX Runtime');
});

test('a layer with no ONNX form is refused in one line that names it', () => {
  const custom: Layer = {
    config: { type: 'custom:attention', name: 'attn' } as never, outputSize: 3,
    paramSpecs: () => [], bind: () => {}, init: () => {},
    forward: (x) => x as never, backward: (dy) => dy,
  };
  const model = new Model(custom, { kernels: k }) as Model<never>;
  assert.throws(() => exportOnnx(model), (e: unknown) => e instanceof RecurError && !e.message.includes('\n')
    && /layer "custom:attention" \(custom:attention\): a layer defined outside recur has no ONNX export/.test(e.message));
  const stack = sequential([recurrent({ cell: 'lstm', hiddenSize: 2 })], { inputSize: 3, kernels: k }) as Model<never>;
  assert.throws(() => exportOnnx(stack, { input: 'rows', lengths: false }), (e: unknown) => e instanceof RecurError && !e.message.includes('\n')
    && /layer "0" \(recurrent\): expected a sequence \(T, B, 3\) or token ids, got rows \(B, 3\)/.test(e.message));
  const rows = sequential([linear({ outputSize: 2 })], { inputSize: 3, kernels: k }) as Model<never>;
  assert.throws(() => exportOnnx(rows, { input: 'rows', lengths: true }), (e: unknown) => e instanceof RecurError && /"lengths" needs a sequence input/.test(e.message));
});

test('a model of rows exports as Gemm and matches recur', async () => {
  const model = sequential([linear({ outputSize: 4, activation: 'tanh' }), linear({ outputSize: 2, activation: 'sigmoid' })],
                           { inputSize: 3, kernels: k, seed: 2 }) as Model<never>;
  const x = randomValues(new Rng(1), 5 * 3);
  const got = await runOnnx(exportOnnx(model, { input: 'rows' }), { input: floatInput(x, [5, 3]) });
  const want = model.eval().forward({ data: x, shape: [5, 3] } as never).data;
  assert.ok(maxAbsDiff(got.output!, want) <= 1e-6);
});
