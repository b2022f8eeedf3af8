// One model file for every model: round trips, the files of earlier releases (stacks and language
// models, checked against PyTorch's numbers), PyTorch state_dicts with the config given in code,
// and one-line messages for bad files.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { RecurError } from '../errors.js';
import { parseSafetensors, serializeSafetensors, tensorToInt32 } from '../format/safetensors.js';
import { jsKernels } from '../kernels/js/index.js';
import { loadLm } from '../models/lm-file.js';
import { loadForecaster } from '../timeseries/model-file.js';
import { compare, describeDiff, floats, loadFixture, ROOT } from '../../test/helpers.js';
import { createMetric } from '../train/metrics.js';
import { dropout, embedding, linear, recurrent, reduce } from './factories.js';
import { loadModel, saveModel } from './model-file.js';
import { sequential } from './model.js';
import type { LayerConfig } from './config.js';

const k32 = jsKernels('float32');
const k64 = jsKernels('float64');

test('saveModel → loadModel gives the same outputs, names, config and dtype', () => {
  for (const k of [k32, k64]) {
    const model = sequential([
      embedding({ numEmbeddings: 7, embeddingDim: 5, name: 'embed' }),
      recurrent({ cell: 'lstm', hiddenSize: 4, numLayers: 2, bidirectional: true, dropout: 0.3, forgetBias: 1, name: 'rnn' }),
      reduce('max'), dropout(0.2), linear({ outputSize: 3, activation: 'tanh', name: 'head' }),
    ], { kernels: k, seed: 5 }).eval();
    const x = { tokens: Int32Array.from([1, 2, 3, 4, 5, 6, 0, 1]), shape: [4, 2] as [number, number], lengths: Int32Array.from([4, 3]) };
    const before = Array.from(model.forward(x).data);
    const bytes = saveModel(model, { note: 'kept' });
    const file = parseSafetensors(bytes, 'saved');
    assert.equal(file.metadata.note, 'kept');
    assert.equal(file.tensors.get('rnn.weight_ih_l1_reverse')!.dtype, k.dtype === 'float32' ? 'F32' : 'F64');
    const loaded = loadModel(bytes, k).eval();
    assert.deepEqual(loaded.parameters.map((p) => p.name), model.parameters.map((p) => p.name));
    assert.ok(loaded.parameters.some((p) => p.name === 'embed.weight') && loaded.parameters.some((p) => p.name === 'head.bias'));
    assert.deepEqual(loaded.config, model.config);
    assert.deepEqual(Array.from(loaded.forward(x).data), before);
  }
});

/** The fixture's y computed by a model: PyTorch's output for the same weights and input. */
function checkStackY(name: string, build: (file: ReturnType<typeof loadFixture>) => ReturnType<typeof loadModel>) {
  const dir = `test/fixtures/stack/${name}`;
  const model = build(loadFixture(`${dir}/model.safetensors`));
  const input = loadFixture(`${dir}/input.safetensors`);
  const x = input.tensors.get('x')!;
  const lengthsT = input.tensors.get('lengths');
  const lengths = lengthsT ? tensorToInt32(lengthsT, 'lengths') : undefined;
  const y = model.forward({ data: floats(input, 'x'), shape: x.shape, lengths });
  const want = floats(loadFixture(`${dir}/expected.safetensors`), 'y');
  const d = compare(y.data, want);
  assert.ok(d.normwise < 2e-6, describeDiff(`${name} y`, y.data, want, d));
}

test('a stack file of the earlier release loads as a model and matches PyTorch', () => {
  for (const name of ['lstm-l3-bi-len', 'gru-before-l2-bi-len', 'residual-xh-l2-bi-len', 'rnn-relu-l2-bi-len', 'gru-after-l1']) {
    checkStackY(name, (file) => loadModel(file, k64, { what: name }));
  }
});

test('a PyTorch state_dict without a recur config loads with the config in code; a GRU is PyTorch\'s form by default', () => {
  const stripped = (file: ReturnType<typeof loadFixture>) => parseSafetensors(serializeSafetensors(
    [...file.tensors].map(([name, t]) => ({ name, shape: t.shape, data: floats(file, name), dtype: 'F32' as const })), {}), 'state_dict');
  checkStackY('gru-after-l1', (file) => loadModel(stripped(file), k64, { config: recurrent({ cell: 'gru', hiddenSize: 5 }), inputSize: 4 }));
  // told otherwise, the same weights give another function: the default matters
  assert.throws(() => checkStackY('gru-after-l1', (file) => loadModel(stripped(file), k64, {
    config: recurrent({ cell: 'gru', hiddenSize: 5, resetAfter: false }), inputSize: 4 })), /relative error/);
  const file = stripped(loadFixture('test/fixtures/stack/gru-after-l1/model.safetensors'));
  assert.throws(() => loadModel(file, k64), /no "recur.config".*pass the model's layers as options.config/);
  assert.throws(() => loadModel(file, k64, { config: recurrent({ cell: 'gru', hiddenSize: 6 }), inputSize: 4 }),
                /tensor "weight_ih_l0": expected shape \(18, 4\), got \(15, 4\)/);
});

test('a language model of the earlier release loads as a model and scores PyTorch\'s perplexity', () => {
  for (const name of ['char-gru-embedding', 'char-lstm-onehot-2layer']) {
    const dir = `${ROOT}test/fixtures/lm/${name}`;
    const bytes = readFileSync(`${dir}/checkpoint.safetensors`);
    const e = JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8')) as { perplexity: number; text: string };
    const { vocab } = loadLm(parseSafetensors(bytes, name), name, k64);
    const ids = vocab.encodeText(e.text);
    const model = loadModel(bytes, k64, { what: name }).eval();
    const T = ids.length - 1;
    const out = model.forward({ tokens: ids.subarray(0, T), shape: [T, 1] });
    const ppl = createMetric('perplexity');
    ppl.add(k64, out, ids.subarray(1));
    assert.ok(Math.abs(ppl.value() / e.perplexity - 1) < 1e-6, `${name}: perplexity ${ppl.value()} vs PyTorch ${e.perplexity}`);
  }
});

test('bad model files and configs are one-line RecurErrors naming what was expected', () => {
  const model = sequential([recurrent({ cell: 'rnn', hiddenSize: 3 }), linear({ outputSize: 2 })], { kernels: k32, inputSize: 2 });
  const good = parseSafetensors(saveModel(model), 'm');
  const withConfig = (root: unknown) => serializeSafetensors(
    [...good.tensors].map(([name, t]) => ({ name, shape: t.shape, data: floats(good, name), dtype: 'F32' as const })),
    { 'recur.config': JSON.stringify({ model: 'layers', root }) });
  const cases: [unknown, RegExp][] = [
    [{ type: 'sequential', inputSize: 2, layers: [{ type: 'recurrent', cell: 'lstmx', hiddenSize: 3 }] }, /"cell" must be one of "rnn", "gru", "lstm", "residual", got "lstmx"/],
    [{ type: 'sequential', inputSize: 2, layers: [{ type: 'conv', size: 3 }] }, /"type": expected one of "recurrent", .* got "conv"/],
    [{ type: 'sequential', inputSize: 2, layers: [{ type: 'recurrent', cell: 'rnn', hiddenSize: 3 }, { type: 'linear', outputSize: 2, activaton: 'tanh' }] }, /unknown key "activaton"/],
    [{ type: 'sequential', layers: [{ type: 'recurrent', cell: 'rnn', hiddenSize: 3 }] }, /"inputSize" is needed/],
    [{ type: 'sequential', inputSize: 2, layers: [{ type: 'recurrent', cell: 'rnn', hiddenSize: 3 }, { type: 'linear', inputSize: 4, outputSize: 2 }] }, /"inputSize" is 4 but the layer before gives 3 features/],
    [{ type: 'sequential', inputSize: 2, layers: [{ type: 'recurrent', cell: 'rnn', hiddenSize: 3 }] }, /unexpected tensor "1.weight"/],
    [{ type: 'sequential', inputSize: 2, layers: [{ type: 'recurrent', cell: 'rnn', hiddenSize: 3 }, { type: 'linear', outputSize: 2 }, { type: 'linear', outputSize: 2 }] }, /missing tensor "2.weight" \(2, 2\)/],
    [{ type: 'sequential', inputSize: 2, layers: [{ type: 'custom:attention' }] }, /"custom:attention" is not registered; call registerLayer/],
    ['nope', /expected an object, got "nope"|"root" must be/],
  ];
  for (const [root, message] of cases) {
    const e = (() => { try { loadModel(withConfig(root), k32); } catch (err) { return err; } return undefined; })();
    assert.ok(e instanceof RecurError, `${JSON.stringify(root)}: expected a RecurError, got ${String(e)}`);
    assert.match(e.message, message);
    assert.ok(!e.message.includes('\n'), 'one line');
  }
  const forecaster = serializeSafetensors([], { 'recur.config': JSON.stringify({ model: 'forecast', kind: 'ar' }) });
  assert.throws(() => loadModel(forecaster, k32), /forecaster file .* loadForecaster/);
});

test('layer names become parameter prefixes; unnamed layers take their index, as nn.Sequential', () => {
  const layers: LayerConfig[] = [recurrent({ cell: 'gru', hiddenSize: 3, name: 'rnn' }), reduce('last'), linear({ outputSize: 2 })];
  const model = sequential(layers, { kernels: k32, inputSize: 2, seed: 1 });
  assert.deepEqual(model.parameters.map((p) => p.name),
                   ['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0', '2.weight', '2.bias']);
  assert.throws(() => sequential([linear({ outputSize: 2, name: 'a' }), linear({ outputSize: 2, name: 'a' })], { kernels: k32, inputSize: 2 }), /two layers are named "a"/);
  // PyTorch's initialisation bounds: U(−1/√H, 1/√H) for the GRU, U(−1/√I, 1/√I) for the head
  for (const p of model.parameters) {
    const bound = 1 / Math.sqrt(3); // H = 3 for the GRU, I = 3 for the head
    assert.ok(p.data.every((v) => Math.abs(v) <= bound), `${p.name} within ±${bound}`);
    assert.ok(p.data.some((v) => v !== 0), `${p.name} initialised`);
  }
});

test('files written by recur 0.1.0 still load (test/fixtures/release-0.1)', () => {
  const dir = `${ROOT}test/fixtures/release-0.1`;
  // a language model with its training state: the same logits as the language-model class gives
  const bytes = readFileSync(`${dir}/lm-gru-char.safetensors`);
  const lm = loadLm(parseSafetensors(bytes, 'lm'), 'lm', k64);
  const model = loadModel(bytes, k64).eval();
  const ids = lm.vocab.encodeText('the lazy fox');
  const T = ids.length;
  const logits = model.forward({ tokens: ids, shape: [T, 1] }).data;
  lm.model.loss(ids, ids, T, 1);
  const state = lm.model.zeroState(1);
  const step = new Int32Array(1);
  for (let t = 0; t < T; t++) {
    step[0] = ids[t]!;
    const want = lm.model.step(step, state);
    for (let v = 0; v < want.length; v++) assert.ok(Math.abs(logits[t * want.length + v]! - want[v]!) < 1e-12, `step ${t} logit ${v}`);
  }
  // the recur run example's stack
  const stack = loadModel(readFileSync(`${dir}/stack-lstm.safetensors`), k32);
  assert.equal(stack.parameters[0]!.name, 'weight_ih_l0');
  assert.equal(stack.outputSize, 10);
  // forecasters load with their own loader, and loadModel says so
  for (const name of ['forecaster-gru-airline', 'forecaster-ar-airline']) {
    const f = loadForecaster(parseSafetensors(readFileSync(`${dir}/${name}.safetensors`), name), name, k64);
    assert.ok(f.config.normalization.log);
    assert.throws(() => loadModel(readFileSync(`${dir}/${name}.safetensors`), k64), /forecaster file .* loadForecaster/);
  }
});
