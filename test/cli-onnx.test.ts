// `recur import` and `recur run-onnx` end to end, as a user runs them (`node bin/recur.js ...` in a
// temporary folder), on the torch.onnx.export fixtures of test/fixtures/onnx (PyTorch's outputs in
// expected.json). A refusal exits 1 (bad file) or 2 (usage) with one line naming what is wrong, no
// stack trace, no output file and no temporary file left, and an existing file at --out untouched.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseSafetensors, serializeSafetensors, tensorToFloat64, type TensorToWrite } from '../src/format/safetensors.js';
import { jsKernels } from '../src/kernels/js/index.js';
import { linear, recurrent, reduce } from '../src/nn/factories.js';
import { loadModel, saveModel } from '../src/nn/model-file.js';
import { sequential } from '../src/nn/model.js';
import { decodeTensor, encodeModel } from '../src/onnx/proto.js';
import { readFloats } from '../src/onnx/tensors.js';
import { ROOT } from './helpers.js';

const BIN = join(ROOT, 'bin', 'recur.js');
const FIX = join(ROOT, 'test/fixtures/onnx/torch');
const dir = mkdtempSync(join(tmpdir(), 'recur-onnx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Entry { name: string; dtype: string; shape: number[]; data: number[] }
const expected = (name: string) => JSON.parse(readFileSync(join(FIX, name, 'expected.json'), 'utf8')) as { inputs: Entry[]; outputs: Entry[] };

function recur(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** One line on stderr starting "recur CMD: " and matching `re`; the exit code; nothing written. */
function assertRefused(r: { status: number | null; stderr: string }, cmd: string, exit: number, re: RegExp, out: string): void {
  assert.equal(r.status, exit, r.stderr);
  assert.doesNotMatch(r.stderr, /^\s+at |node:internal/m);
  const first = r.stderr.split('\n')[0]!;
  assert.ok(first.startsWith(`recur ${cmd}: `), first);
  assert.match(first, re);
  if (exit === 1) assert.equal(r.stderr.replace(/\n$/, '').split('\n').length, 1, r.stderr);
  assert.ok(!readdirSync(dir).some((f) => f === out || f.endsWith('.tmp')), `left behind: ${readdirSync(dir).join(', ')}`);
}

test('recur import writes a model file that loadModel reads and that computes PyTorch\'s logits', () => {
  const r = recur('import', '--onnx', join(FIX, 'gru_classifier_bf/model.onnx'), '--out', 'gru.safetensors');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^gru\.safetensors: embedding\(7, 3\) → gru\(H=4, layers=2, bidirectional, sequence\) → last step → linear\(8 → 2\)\n/);
  assert.match(r.stdout, /input "tokens" batch-first/);
  const bytes = new Uint8Array(readFileSync(join(dir, 'gru.safetensors')));
  assert.equal(parseSafetensors(bytes).metadata['onnx.batchFirst'], 'true');
  const model = loadModel(bytes, jsKernels('float32')).eval();
  const e = expected('gru_classifier_bf');
  const y = model.forward({ tokens: Int32Array.from(e.inputs[0]!.data), shape: [e.inputs[0]!.shape[0]!, e.inputs[0]!.shape[1]!] }, { batchFirst: true });
  assert.ok(maxAbsDiff(y.data, e.outputs[0]!.data) <= 1e-5);
});

test('recur import refuses what is no chain, bad bytes and unknown operators in one line, leaving --out as it was', () => {
  assertRefused(recur('import', '--onnx', join(FIX, 'lstm_l2_bi_h0/model.onnx'), '--out', 'a.safetensors'), 'import', 1,
    /a recur model takes one input \(and each row's length\); this graph takes "x", "h0", "c0"/, 'a.safetensors');
  writeFileSync(join(dir, 'junk.onnx'), new Uint8Array([0xff, 0xff, 0xff, 0x01]));
  assertRefused(recur('import', '--onnx', 'junk.onnx', '--out', 'b.safetensors'), 'import', 1, /--onnx junk\.onnx: expected an ONNX ModelProto/, 'b.safetensors');
  writeFileSync(join(dir, 'softplus.onnx'), encodeModel({
    ir_version: 7, opset_import: [{ version: 14 }],
    graph: { name: 'g', node: [{ name: 'act', op_type: 'Softplus', input: ['x'], output: ['y'] }],
             input: [{ name: 'x', type: { tensor_type: { elem_type: 1 } } }], output: [{ name: 'y', type: { tensor_type: { elem_type: 1 } } }] },
  }));
  // an existing file at --out survives a refusal
  writeFileSync(join(dir, 'keep.safetensors'), 'precious');
  const r = recur('import', '--onnx', 'softplus.onnx', '--out', 'keep.safetensors');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^recur import: --onnx softplus\.onnx: node "act" \(Softplus\): recur does not import this operator/);
  assert.equal(readFileSync(join(dir, 'keep.safetensors'), 'utf8'), 'precious');
  assertRefused(recur('import', '--out', 'c.safetensors'), 'import', 2, /missing --onnx/, 'c.safetensors');
});

test('recur run-onnx runs a graph with initial states as inputs and writes every output as PyTorch computed it', () => {
  const e = expected('lstm_l2_bi_h0');
  const tensors: TensorToWrite[] = e.inputs.map((i) => ({ name: i.name, shape: i.shape, data: Float32Array.from(i.data) }));
  writeFileSync(join(dir, 'in.safetensors'), serializeSafetensors(tensors));
  const r = recur('run-onnx', '--model', join(FIX, 'lstm_l2_bi_h0/model.onnx'), '--input', 'in.safetensors', '--out', 'out.safetensors');
  assert.equal(r.status, 0, r.stderr);
  const out = parseSafetensors(new Uint8Array(readFileSync(join(dir, 'out.safetensors'))));
  assert.deepEqual([...out.tensors.keys()].sort(), ['c_n', 'h_n', 'y']);
  for (const o of e.outputs) {
    const t = out.tensors.get(o.name)!;
    assert.deepEqual(t.shape, o.shape);
    assert.ok(maxAbsDiff(tensorToFloat64(t, o.name), o.data) <= 1e-5, o.name);
  }
  // a missing input tensor: one line naming it
  writeFileSync(join(dir, 'in2.safetensors'), serializeSafetensors(tensors.filter((t) => t.name !== 'c0')));
  assertRefused(recur('run-onnx', '--model', join(FIX, 'lstm_l2_bi_h0/model.onnx'), '--input', 'in2.safetensors', '--out', 'o2.safetensors'),
    'run-onnx', 1, /^recur run-onnx: --input: expected a tensor for each graph input \("x", "h0", "c0"\), got none named "c0"$/, 'o2.safetensors');
});

test('recur run-onnx reads ONNX test data (.pb) and matches the expected output', () => {
  const node = join(ROOT, 'test/fixtures/onnx/node/test_gru_seq_length');
  const set = join(node, 'test_data_set_0');
  const inputs = readdirSync(set).filter((f) => f.startsWith('input_')).sort().flatMap((f) => ['--input', join(set, f)]);
  const r = recur('run-onnx', '--model', join(node, 'model.onnx'), ...inputs, '--out', 'gru.safetensors');
  assert.equal(r.status, 0, r.stderr);
  const want = decodeTensor(new Uint8Array(readFileSync(join(set, 'output_0.pb'))));
  const got = parseSafetensors(new Uint8Array(readFileSync(join(dir, 'gru.safetensors')))).tensors.get(want.name!)!;
  assert.deepEqual(got.shape, (want.dims ?? []).map(Number));
  assert.ok(maxAbsDiff(tensorToFloat64(got, 'Y_h'), readFloats(want, 'Y_h')) <= 1e-5);
  // the same input twice is a mistake
  assertRefused(recur('run-onnx', '--model', join(node, 'model.onnx'), ...inputs, '--input', join(set, 'input_0.pb'), '--out', 'twice.safetensors'),
    'run-onnx', 1, /input_0\.pb: tensor "X" is given twice$/, 'twice.safetensors');
});

test('recur export then recur import gives back the same model (config, parameters, forward)', () => {
  // a bidirectional residual cell (a Scan per direction), the last valid step (GatherND) and a linear head
  const model = sequential([recurrent({ cell: 'residual', residual: 'xh', nonlinearity: 'tanh', hiddenSize: 3, numLayers: 2, bidirectional: true }),
                            reduce('last'), linear({ outputSize: 2, activation: 'tanh' })], { inputSize: 2, kernels: jsKernels('float32'), seed: 4 });
  writeFileSync(join(dir, 'orig.safetensors'), saveModel(model));
  const ex = recur('export', '--onnx', 'back.onnx', '--checkpoint', 'orig.safetensors');
  assert.equal(ex.status, 0, ex.stderr);
  const im = recur('import', '--onnx', 'back.onnx', '--out', 'back.safetensors');
  assert.equal(im.status, 0, im.stderr);
  assert.match(im.stdout, /^back\.safetensors: residual\(H=3, layers=2, bidirectional, sequence\) → last step → linear\(6 → 2, tanh\)\n/);
  assert.match(im.stdout, /input "input" time-major \(T, B, …\); lengths "lengths"/);
  const back = loadModel(readFileSync(join(dir, 'back.safetensors')), jsKernels('float32'));
  assert.deepEqual(back.config, model.config);
  assert.equal(maxAbsDiff(back.params.data, model.params.data), 0);
  const x = { data: Float32Array.from({ length: 4 * 3 * 2 }, (_, i) => Math.sin(i)), shape: [4, 3, 2], lengths: Int32Array.of(4, 1, 3) };
  assert.ok(maxAbsDiff(back.eval().forward(x as never).data, Float64Array.from(model.eval().forward(x as never).data)) <= 1e-6);
});
