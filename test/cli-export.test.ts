// `recur export` as a user runs it, on every file kind recur saves (a release-0.1 language model,
// stack and forecaster, a composed model saved now, a PyTorch state_dict): the written .onnx runs in
// ONNX Runtime (with its graph optimizations on, as a user's session) and agrees with recur. Refused cases exit non-zero with one line on stderr and
// leave no file behind (and the file that was there untouched).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { jsKernels } from '../src/kernels/js/index.js';
import { linear, recurrent, reduce } from '../src/nn/factories.js';
import { loadModel, saveModel } from '../src/nn/model-file.js';
import { sequential, type Model } from '../src/nn/model.js';
import { decodeModel } from '../src/onnx/proto.js';
import { floatInput, int32Input, int64Input, maxAbsDiff, randomValues, runOnnx } from './onnx-run.js';
import { Rng } from '../src/tensor/rng.js';
import { loadForecaster } from '../src/timeseries/model-file.js';
import { loadFixture, ROOT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-export-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const k = jsKernels('float32');

function recur(...args: string[]) {
  const r = spawnSync(process.execPath, [`${ROOT}bin/recur.js`, 'export', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Export `checkpoint` to a fresh path; the bytes written. */
function exported(checkpoint: string, name: string, ...options: string[]): Uint8Array {
  const out = join(dir, name);
  const r = recur('--onnx', out, '--checkpoint', checkpoint, ...options);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`^wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ bytes, opset 14\\): inputs .+; outputs .+\\n$`));
  return readFileSync(out);
}

const meta = (bytes: Uint8Array) => new Map((decodeModel(bytes).metadata_props ?? []).map((p) => [p.key, p.value]));

test('a release-0.1 language model: token ids in, logits out as recur computes them, the tokenizer in the metadata', async () => {
  const path = `${ROOT}test/fixtures/release-0.1/lm-gru-char.safetensors`;
  const bytes = exported(path, 'lm.onnx', '--no-states');
  const m = meta(bytes);
  assert.ok(JSON.parse(m.get('recur.tokenizer')!).tokens.length > 10, 'the tokenizer lists its tokens');
  assert.match(m.get('recur.version')!, /^\d+\.\d+\.\d+/);
  const model = loadModel(loadFixture('test/fixtures/release-0.1/lm-gru-char.safetensors'), k);
  const tokens = Int32Array.from([1, 4, 2, 7, 3, 0, 5, 6]); // (T=4, B=2)
  const want = model.eval().forward({ tokens, shape: [4, 2], lengths: Int32Array.from([4, 3]) } as never).data;
  const got = await runOnnx(bytes, { input: int64Input(tokens, [4, 2]), lengths: int32Input([4, 3], [2]) }, true);
  assert.ok(maxAbsDiff(got.output!, want) <= 1e-5);
});

test('a release-0.1 stack, batch-first: output, h_n and c_n as recur computes them', async () => {
  const bytes = exported(`${ROOT}test/fixtures/release-0.1/stack-lstm.safetensors`, 'stack.onnx', '--batch-first', '--no-lengths', '--no-states');
  const model = loadModel(loadFixture('test/fixtures/release-0.1/stack-lstm.safetensors'), k);
  const I = (JSON.parse(meta(bytes).get('recur.config')!).root as { inputSize: number }).inputSize;
  const x = randomValues(new Rng(2), 2 * 3 * I); // (B=2, T=3, I)
  const want = Float64Array.from(model.eval().forward({ data: x, shape: [2, 3, I] } as never, { batchFirst: true }).data);
  const got = await runOnnx(bytes, { input: floatInput(x, [2, 3, I]) }, true);
  assert.ok(maxAbsDiff(got.output!, want) <= 1e-5);
  assert.ok(got.h_n && got.c_n, 'the final states are outputs');
});

test('a release-0.1 forecaster (GRU on logs): y_next in the data\'s units as predictOpen', async () => {
  const y = Float64Array.from({ length: 40 }, (_, i) => 200 + 50 * Math.sin(i / 2) + 3 * i);
  for (const kind of ['gru']) {
    const path = `test/fixtures/release-0.1/forecaster-${kind}-airline.safetensors`;
    const bytes = exported(`${ROOT}${path}`, `forecaster-${kind}.onnx`);
    const f = loadForecaster(loadFixture(path), path, k);
    const P = decodeModel(bytes).graph!.input![0]!.type!.tensor_type!.shape!.dim![1]!.dim_value!;
    const ts = [P, P + 5, y.length - 1];
    const want = ts.map((t) => f.predictOpen(y, undefined, t, t + 1)[0]!);
    const got = await runOnnx(bytes, { y_past: floatInput(ts.flatMap((t) => Array.from(y.subarray(t - P, t))), [ts.length, P]) }, true);
    for (let i = 0; i < ts.length; i++) assert.ok(Math.abs(got.y_next![i]! - want[i]!) <= 1e-5 * Math.abs(want[i]!), `${kind} t=${ts[i]}: ${got.y_next![i]} vs ${want[i]}`);
  }
});

test('a composed model saved now: a pooled classifier over rows of different lengths', async () => {
  const model = sequential([recurrent({ cell: 'residual', residual: 'xh', hiddenSize: 4, bidirectional: true }), reduce('mean'), linear({ outputSize: 3 })],
                           { inputSize: 2, kernels: k, seed: 4 }) as Model<never>;
  const path = join(dir, 'composed.safetensors');
  writeFileSync(path, saveModel(model));
  const bytes = exported(path, 'composed.onnx');
  const x = randomValues(new Rng(3), 5 * 3 * 2);
  const lengths = Int32Array.from([5, 2, 4]);
  const want = Float64Array.from(model.eval().forward({ data: x, shape: [5, 3, 2], lengths } as never).data);
  const got = await runOnnx(bytes, { input: floatInput(x, [5, 3, 2]), lengths: int32Input(lengths, [3]), '0.h0': floatInput(new Float32Array(2 * 3 * 4), [2, 3, 4]) }, true);
  assert.ok(maxAbsDiff(got.output!, want) <= 1e-5);
});

test('a PyTorch state_dict without recur\'s config exports with --layers', async () => {
  // the GRU stack fixture's tensors without its config: what torch's save_file(state_dict) writes
  const src = loadFixture('test/fixtures/stack/gru-after-l1/model.safetensors');
  const path = join(dir, 'state_dict.safetensors');
  const { serializeSafetensors, tensorToFloat32 } = await import('../src/format/safetensors.js');
  writeFileSync(path, serializeSafetensors([...src.tensors].map(([name, t]) => ({ name, shape: t.shape, data: tensorToFloat32(t, name) }))));
  const c = JSON.parse(src.metadata['recur.config']!) as { inputSize: number; hiddenSize: number };
  const bytes = exported(path, 'state_dict.onnx', '--layers', JSON.stringify({ type: 'recurrent', cell: 'gru', inputSize: c.inputSize, hiddenSize: c.hiddenSize }), '--no-lengths', '--no-states');
  const input = loadFixture('test/fixtures/stack/gru-after-l1/input.safetensors');
  const expected = loadFixture('test/fixtures/stack/gru-after-l1/expected.safetensors'); // torch.nn.GRU's
  const x = input.tensors.get('x')!;
  const got = await runOnnx(bytes, { input: floatInput(tensorToFloat32(x, 'x'), x.shape) });
  assert.ok(maxAbsDiff(got.output!, tensorToFloat32(expected.tensors.get('y')!, 'y')) <= 1e-5, 'PyTorch\'s y');
});

test('refused: one line on stderr, a non-zero exit, no file (and the one that was there kept)', () => {
  const target = join(dir, 'kept.onnx');
  writeFileSync(target, 'the old file');
  const forecaster = `${ROOT}test/fixtures/release-0.1/forecaster-gru-airline.safetensors`;
  const stack = `${ROOT}test/fixtures/release-0.1/stack-lstm.safetensors`;
  const cases: [string[], number, RegExp][] = [
    [['--checkpoint', forecaster, '--batch-first'], 1, /"batchFirst" does not apply to a forecaster/],
    [['--checkpoint', stack, '--input', 'tokens', '--layers', '{"type":"linear","outputSize":2}'], 1, /has its own "recur\.config"; layers are given only for a PyTorch state_dict without one/],
    [['--checkpoint', join(dir, 'state_dict.safetensors')], 1, /no "recur\.config" in __metadata__ \(a PyTorch state_dict\?\); give its layers: recur export --layers/],
    [['--checkpoint', stack, '--input', 'images'], 2, /--input: expected one of tokens, sequence, rows, got "images"/],
  ];
  for (const [args, code, message] of cases) {
    const r = recur('--onnx', target, ...args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    const lines = r.err.trimEnd().split('\n').filter((l) => !l.startsWith('see `recur'));
    assert.equal(lines.length, 1, `one line: ${r.err}`);
    assert.match(lines[0]!, /^recur export: /);
    assert.match(lines[0]!, message);
    assert.equal(readFileSync(target, 'utf8'), 'the old file', `${args.join(' ')} replaced the file`);
  }
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
});
