// `recur run` end to end, as a user runs it: `node bin/recur.js run ...` in a fresh temporary folder.
// Every bad input is a valid fixture with one thing broken. A failure must exit 1 (bad input) or 2
// (a usage mistake), say on one line starting "recur run: " which file or tensor is wrong, what was
// expected and what came, show no stack trace, and leave no output file (nor a temporary one)
// behind. A success must match the fixture's expected.safetensors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseSafetensors, type TensorToWrite } from '../src/format/safetensors.js';
import { bytesOf, compare, describeDiff, editable, floats, ROOT, type Editable } from './helpers.js';

const BIN = join(ROOT, 'bin', 'recur.js');
// lstm, I=4, H=5, 2 layers, bidirectional; T=5, B=3; input x, h0, c0, lengths (I64) [2, 5, 4].
const LSTM = join(ROOT, 'test/fixtures/stack/lstm-l2-bi-len-h0c0');
// gru (reset after), I=4, H=5, 2 layers, bidirectional; T=5, B=3.
const GRU = join(ROOT, 'test/fixtures/stack/gru-after-l2-bi-len-h0-i32');

// ------------------------------------------------------------------------------------------------
// Files to break

/** A copy of `e` with tensor `name` removed, or replaced by `t`. */
function edit(e: Editable, name: string, t?: TensorToWrite): Editable {
  assert.ok(e.tensors.some((u) => u.name === name), `the fixture has no tensor ${name}`);
  const tensors = e.tensors.flatMap((u) => (u.name !== name ? [u] : t ? [t] : []));
  return { tensors, metadata: e.metadata };
}

const added = (e: Editable, t: TensorToWrite): Editable => ({ tensors: [...e.tensors, t], metadata: e.metadata });

/** A copy of the model with its config changed (`text`) or its metadata removed (undefined). */
function withConfig(e: Editable, text: string | undefined): Editable {
  return { tensors: e.tensors, metadata: text === undefined ? {} : { 'recur.config': text } };
}

function config(e: Editable): Record<string, unknown> {
  return JSON.parse(e.metadata['recur.config']!) as Record<string, unknown>;
}

const f32 = (name: string, shape: number[], fill = 0.5): TensorToWrite =>
  ({ name, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill) });

const ints = (name: string, values: number[], dtype: 'I64' | 'I32' = 'I64', shape = [values.length]): TensorToWrite =>
  ({ name, shape, data: Int32Array.from(values), dtype });

/** Deterministic bytes that are not a safetensors file. */
function noise(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

const model = editable(join(LSTM, 'model.safetensors'));
const input = editable(join(LSTM, 'input.safetensors'));
const grad = editable(join(LSTM, 'grad.safetensors'));
const modelBytes = readFileSync(join(LSTM, 'model.safetensors'));

// ------------------------------------------------------------------------------------------------
// Running the CLI

interface Result { status: number | null; stdout: string; stderr: string }

function recur(args: string[]): Result {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Run in a fresh temporary folder, removed afterwards. */
function inTempDir<T>(body: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'recur-cli-'));
  try {
    return body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type FileSpec = Uint8Array | Editable | null; // null: do not write the file (a missing file)

interface Failure {
  model?: FileSpec;
  input?: FileSpec;
  grad?: FileSpec;         // absent: no --grad
  args?: string[] | ((dir: string) => string[]); // replaces the default arguments
  exit?: 1 | 2;
  words: (string | RegExp)[];
}

function write(dir: string, name: string, spec: FileSpec): void {
  if (spec !== null) writeFileSync(join(dir, name), spec instanceof Uint8Array ? spec : bytesOf(spec));
}

const out = (dir: string) => join(dir, 'out.safetensors');

function defaultArgs(dir: string, withGrad: boolean): string[] {
  return ['run', '--model', join(dir, 'model.safetensors'), '--input', join(dir, 'input.safetensors'),
    ...(withGrad ? ['--grad', join(dir, 'grad.safetensors')] : []), '--out', out(dir)];
}

/** No "    at " lines: a user's mistake never shows a stack trace. */
function assertNoStack(stderr: string): void {
  assert.doesNotMatch(stderr, /^\s+at /m, `stack trace in stderr:\n${stderr}`);
  assert.doesNotMatch(stderr, /Error:|node:internal|file:\/\//, `internal error in stderr:\n${stderr}`);
}

function assertMentions(line: string, words: (string | RegExp)[]): void {
  for (const w of words) {
    if (typeof w === 'string') assert.ok(line.includes(w), `stderr does not mention ${JSON.stringify(w)}:\n${line}`);
    else assert.match(line, w);
  }
}

/** The run fails as described, and the folder holds exactly the files written before it ran. */
function expectFailure(f: Failure, before?: (dir: string) => void): void {
  inTempDir((dir) => {
    write(dir, 'model.safetensors', f.model === undefined ? model : f.model);
    write(dir, 'input.safetensors', f.input === undefined ? input : f.input);
    if (f.grad !== undefined) write(dir, 'grad.safetensors', f.grad);
    before?.(dir);
    const files = readdirSync(dir).sort();
    const args = typeof f.args === 'function' ? f.args(dir) : f.args ?? defaultArgs(dir, f.grad !== undefined);
    const r = recur(args);
    const exit = f.exit ?? 1;
    assert.equal(r.status, exit, `exit code ${r.status}, expected ${exit}; stderr:\n${r.stderr}`);
    assertNoStack(r.stderr);
    assert.equal(r.stdout, '', 'nothing on stdout');
    const lines = r.stderr.replace(/\n$/, '').split('\n');
    assert.ok(lines[0]!.startsWith('recur run: '), `stderr starts "recur run: ":\n${r.stderr}`);
    if (exit === 1) {
      assert.equal(lines.length, 1, `stderr is one line:\n${r.stderr}`);
    } else {
      // a usage error: one line, then where the usage is (not the usage itself)
      assert.deepEqual(lines.slice(1), ['see `recur run --help`'], r.stderr);
    }
    assertMentions(lines[0]!, f.words);
    assert.deepEqual(readdirSync(dir).sort(), files, 'no output file, no temporary file left');
  });
}

// ------------------------------------------------------------------------------------------------
// Usage mistakes: exit 2 and the usage

test('usage: a missing --model, --input or --out', () => {
  for (const missing of ['--model', '--input', '--out']) {
    expectFailure({
      exit: 2, words: [`missing ${missing}`],
      args: (dir) => {
        const args = defaultArgs(dir, false);
        args.splice(args.indexOf(missing), 2);
        return args;
      },
    });
  }
});

test('usage: an unknown option, a bad --dtype, an option without a value', () => {
  expectFailure({ exit: 2, words: ['Unknown option', '--bogus'], args: ['run', '--bogus', 'x'] });
  expectFailure({
    exit: 2, words: ['--dtype', 'float32 or float64', '"float16"'],
    args: (dir) => [...defaultArgs(dir, false), '--dtype', 'float16'],
  });
  expectFailure({ exit: 2, words: ['--model', 'argument missing'], args: ['run', '--model'] });
});

test('recur run --help prints the usage and exits 0', () => {
  const r = recur(['run', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^usage: recur run --model .* --input .* --out /);
  assert.match(r.stdout, /--grad/);
  assert.match(r.stdout, /--dtype/);
  assert.equal(r.stderr, '');
});

test('recur with an unknown command exits 2 and lists the commands', () => {
  const r = recur(['frobnicate']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^recur: unknown command "frobnicate"; expected one of .*\brun\b/);
  assert.match(r.stderr, /\nsee `recur --help`\n$/);
  assert.equal(r.stderr.split('\n').length, 3, r.stderr);
  assertNoStack(r.stderr);
  assert.equal(recur([]).status, 2, 'recur with no command');
});

// ------------------------------------------------------------------------------------------------
// The model file

test('model: the file does not exist', () => {
  expectFailure({ model: null, words: ['--model', 'model.safetensors', 'cannot read', 'no such file'] });
});

test('model: not a safetensors file (random bytes, a torch.save zip, truncated files)', () => {
  expectFailure({ model: noise(300), words: ['model.safetensors', 'header length', 'corrupt file?'] });
  const zip = new Uint8Array(300);
  zip.set([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]);
  expectFailure({ model: zip, words: ['model.safetensors', 'header length', 'exceeds the limit'] });
  expectFailure({ model: modelBytes.subarray(0, 5), words: ['model.safetensors', 'expected at least 8 bytes', 'got 5'] });
  expectFailure({ model: modelBytes.subarray(0, 100), words: ['model.safetensors', 'header length', 'truncated file?'] });
  expectFailure({
    model: modelBytes.subarray(0, modelBytes.length - 4),
    words: ['model.safetensors', 'tensor "', 'data_offsets', 'expected begin <= end <=', 'got ['],
  });
});

test('model: no recur.config in the metadata', () => {
  expectFailure({ model: withConfig(model, undefined), words: ['model.safetensors', 'no "recur.config" in __metadata__', 'expected'] });
});

test('model: a config that is not JSON, an unknown cell, a missing hiddenSize', () => {
  expectFailure({ model: withConfig(model, '{"cell": "lstm",'), words: ['model.safetensors', 'recur.config', 'not valid JSON'] });
  expectFailure({
    model: withConfig(model, JSON.stringify({ ...config(model), cell: 'transformer' })),
    words: ['model.safetensors', '"cell" must be one of "rnn", "gru", "lstm", "residual"', 'got "transformer"'],
  });
  const { hiddenSize: _, ...noHidden } = config(model);
  expectFailure({ model: withConfig(model, JSON.stringify(noHidden)), words: ['model.safetensors', 'missing "hiddenSize"'] });
});

test('model: a config that does not fit its tensors fails fast, without allocating it', () => {
  // Allocating these stacks would fail (hiddenSize) or never end (numLayers).
  expectFailure({
    model: withConfig(model, JSON.stringify({ ...config(model), hiddenSize: 100000 })),
    words: ['model.safetensors', 'tensor "weight_ih_l0"', 'expected shape (400000, 4)', 'got (20, 4)'],
  });
  expectFailure({
    model: withConfig(model, JSON.stringify({ ...config(model), numLayers: 100000000 })),
    words: ['model.safetensors', 'missing tensor "weight_ih_l2" (20, 10)', '100000000-layer'],
  });
  expectFailure({
    model: withConfig(model, JSON.stringify({ ...config(model), cell: 'gru' })),
    words: ['model.safetensors', 'tensor "weight_ih_l0"', 'expected shape (15, 4)', 'gru', 'got (20, 4)'],
  });
});

test('model: a missing weight, a weight with the wrong shape, an unexpected tensor', () => {
  expectFailure({ model: edit(model, 'bias_hh_l1_reverse'), words: ['model.safetensors', 'missing tensor "bias_hh_l1_reverse" (20)'] });
  expectFailure({
    model: edit(model, 'weight_hh_l0', f32('weight_hh_l0', [20, 4])),
    words: ['model.safetensors', 'tensor "weight_hh_l0"', 'expected shape (20, 5)', 'got (20, 4)'],
  });
  expectFailure({
    model: added(model, f32('fc.weight', [3, 10])),
    words: ['model.safetensors', 'unexpected tensor "fc.weight"', '2-layer bidirectional lstm', 'expected weight_ih_l0'],
  });
  expectFailure({
    model: edit(model, 'bias_ih_l0', ints('bias_ih_l0', new Array<number>(20).fill(1))),
    words: ['model.safetensors', 'tensor "bias_ih_l0"', 'expected dtype F32', 'got I64'],
  });
});

// ------------------------------------------------------------------------------------------------
// The input file

test('input: the file does not exist', () => {
  expectFailure({ input: null, words: ['--input', 'input.safetensors', 'cannot read', 'no such file'] });
});

test('input: no x, x of the wrong rank, x of the wrong input size', () => {
  expectFailure({ input: edit(input, 'x'), words: ['input.safetensors', 'missing tensor "x" (T, B, 4)'] });
  expectFailure({
    input: edit(input, 'x', f32('x', [15, 4])),
    words: ['input.safetensors', 'tensor "x"', 'expected shape (T, B, 4)', 'got (15, 4)'],
  });
  expectFailure({
    input: edit(input, 'x', f32('x', [5, 3, 3])),
    words: ['input.safetensors', 'tensor "x"', 'expected shape (T, B, 4)', 'got (5, 3, 3)'],
  });
  expectFailure({
    input: edit(input, 'x', f32('x', [0, 3, 4])),
    words: ['input.safetensors', 'tensor "x"', 'T, B ≥ 1', 'got (0, 3, 4)'],
  });
});

test('input: x with an integer dtype, x with a NaN', () => {
  expectFailure({
    input: edit(input, 'x', ints('x', new Array<number>(60).fill(1), 'I64', [5, 3, 4])),
    words: ['input.safetensors', 'tensor "x"', 'expected dtype F32, F64', 'got I64'],
  });
  const x = f32('x', [5, 3, 4]);
  (x.data as Float32Array)[7] = NaN;
  expectFailure({ input: edit(input, 'x', x), words: ['input.safetensors', 'tensor "x"', 'expected finite values', 'got NaN at index 7'] });
});

test('input: h0 of the wrong shape; c0 for a GRU', () => {
  expectFailure({
    input: edit(input, 'h0', f32('h0', [2, 3, 5])),
    words: ['input.safetensors', 'tensor "h0"', 'expected shape (4, 3, 5)', 'got (2, 3, 5)'],
  });
  expectFailure({
    model: editable(join(GRU, 'model.safetensors')),
    words: ['input.safetensors', 'unexpected tensor "c0"', 'c0 is for LSTM only', 'gru'],
  });
});

test('input: lengths out of range, of a float dtype, of the wrong count', () => {
  expectFailure({
    input: edit(input, 'lengths', ints('lengths', [2, 0, 4])),
    words: ['input.safetensors', 'tensor "lengths"', 'expected every length in 1..5', 'got 0 at index 1'],
  });
  expectFailure({
    input: edit(input, 'lengths', ints('lengths', [2, 6, 4], 'I32')),
    words: ['input.safetensors', 'tensor "lengths"', 'expected every length in 1..5', 'got 6 at index 1'],
  });
  expectFailure({
    input: edit(input, 'lengths', { name: 'lengths', shape: [3], data: Float32Array.of(2, 5, 4) }),
    words: ['input.safetensors', 'tensor "lengths"', 'expected dtype I64 or I32', 'got F32'],
  });
  expectFailure({
    input: edit(input, 'lengths', ints('lengths', [2, 5])),
    words: ['input.safetensors', 'tensor "lengths"', 'expected shape (3)', 'got (2)'],
  });
});

test('input: an unknown tensor', () => {
  expectFailure({
    input: added(input, f32('mask', [5, 3])),
    words: ['input.safetensors', 'unexpected tensor "mask"', 'expected x, h0, lengths, c0'],
  });
});

// ------------------------------------------------------------------------------------------------
// The grad file

test('grad: the file does not exist, no dy, dy of the wrong shape, an unknown tensor', () => {
  expectFailure({ grad: null, words: ['--grad', 'grad.safetensors', 'cannot read', 'no such file'] });
  expectFailure({ grad: edit(grad, 'dy'), words: ['grad.safetensors', 'missing tensor "dy" (5, 3, 10)'] });
  expectFailure({
    grad: edit(grad, 'dy', f32('dy', [5, 3, 5])),
    words: ['grad.safetensors', 'tensor "dy"', 'expected shape (5, 3, 10)', 'got (5, 3, 5)'],
  });
  expectFailure({
    grad: added(grad, f32('dx', [5, 3, 4])),
    words: ['grad.safetensors', 'unexpected tensor "dx"', 'expected dy, dh_n, dc_n'],
  });
});

test('outputs computed in float64 but beyond float32\'s range (written F32): an error naming the tensor, not Infinity', () => {
  // an RNN's weight_hh of 3e38: y and h_n stay finite (tanh), dh0 is finite in float64 but not in float32
  const big = (e: Editable, name: string): Editable => {
    const t = e.tensors.find((u) => u.name === name)!;
    return edit(e, name, f32(name, [...t.shape], 3e38));
  };
  const rnn = (role: string): Editable => editable(join(ROOT, `test/fixtures/stack/rnn-tanh-l1/${role}.safetensors`));
  expectFailure({ model: big(rnn('model'), 'weight_hh_l0'), input: rnn('input'), grad: rnn('grad'), words: ['--out', /tensor "(dh0|dx|grad\.[\w.]+)" is -?[\d.]+e\+\d+ at index \d+, beyond float32's range/, 'nothing written'] });
  // dh_n of 3e38: the weights' gradients overflow float32
  expectFailure({ grad: big(grad, 'dh_n'), words: [/tensor "[\w.]+" is -?[\d.]+e\+\d+ at index \d+, beyond float32's range/, 'nothing written'] });
});

// ------------------------------------------------------------------------------------------------
// The output file

test('a failed run leaves an existing --out file byte-identical', () => {
  const old = noise(1000);
  expectFailure({ grad: edit(grad, 'dy'), words: ['missing tensor "dy"'] }, (dir) => writeFileSync(out(dir), old));
  inTempDir((dir) => {
    writeFileSync(out(dir), old);
    write(dir, 'model.safetensors', model);
    write(dir, 'input.safetensors', edit(input, 'x', f32('x', [5, 3, 3])));
    const r = recur(defaultArgs(dir, false));
    assert.equal(r.status, 1);
    assert.deepEqual(readFileSync(out(dir)), Buffer.from(old));
    assert.deepEqual(readdirSync(dir).sort(), ['input.safetensors', 'model.safetensors', 'out.safetensors']);
  });
});

test('--out in a folder that does not exist, or a folder: one line, nothing written', () => {
  inTempDir((dir) => {
    write(dir, 'model.safetensors', model);
    write(dir, 'input.safetensors', input);
    for (const [target, reason] of [[join(dir, 'no', 'out.safetensors'), 'no such file'], [dir, 'it is a directory']] as const) {
      const args = defaultArgs(dir, false);
      args[args.length - 1] = target;
      const r = recur(args);
      assert.equal(r.status, 1, r.stderr);
      assertNoStack(r.stderr);
      assert.equal(r.stderr.replace(/\n$/, '').split('\n').length, 1, r.stderr);
      assertMentions(r.stderr, ['recur run: --out', target, 'cannot write', reason]);
      assert.deepEqual(readdirSync(dir).sort(), ['input.safetensors', 'model.safetensors']);
    }
    assert.ok(readdirSync(tmpdir()).every((n) => !n.startsWith(`.${dir.split('/').pop()}.`)), 'no temporary file beside the folder');
  });
});

// ------------------------------------------------------------------------------------------------
// Successful runs

const EXPECTED = parseSafetensors(readFileSync(join(LSTM, 'expected.safetensors')), 'expected.safetensors');

/** Run the LSTM fixture with --grad and compare every output with expected.safetensors. */
function expectSuccess(opts: { dtypeArg?: 'float32' | 'float64'; input?: Editable; outDtype: 'F32' | 'F64'; tol: number }): void {
  inTempDir((dir) => {
    write(dir, 'model.safetensors', model);
    write(dir, 'input.safetensors', opts.input ?? input);
    write(dir, 'grad.safetensors', grad);
    const args = [...defaultArgs(dir, true), ...(opts.dtypeArg ? ['--dtype', opts.dtypeArg] : [])];
    const r = recur(args);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, '');
    assert.deepEqual(readdirSync(dir).sort(), ['grad.safetensors', 'input.safetensors', 'model.safetensors', 'out.safetensors']);
    const got = parseSafetensors(readFileSync(out(dir)), 'out.safetensors');
    assert.deepEqual([...got.tensors.keys()].sort(), [...EXPECTED.tensors.keys()].sort(), 'output tensor names');
    assert.deepEqual(got.metadata, {});
    for (const [name, t] of got.tensors) {
      assert.equal(t.dtype, opts.outDtype, `${name} dtype`);
      assert.deepEqual(t.shape, EXPECTED.tensors.get(name)!.shape, `${name} shape`);
      const a = floats(got, name);
      const e = floats(EXPECTED, name);
      const d = compare(a, e);
      assert.ok(d.normwise <= opts.tol, describeDiff(name, a, e, d));
    }
  });
}

test('a run with --grad writes exactly the expected tensors, matching PyTorch (float64)', () => {
  expectSuccess({ outDtype: 'F32', tol: 1e-5 });
});

test('--dtype float32 matches too', () => {
  expectSuccess({ dtypeArg: 'float32', outDtype: 'F32', tol: 1e-5 });
});

test('x given as F64 gives F64 outputs', () => {
  const x = input.tensors.find((t) => t.name === 'x')!;
  const x64: TensorToWrite = { name: 'x', shape: x.shape, data: Float64Array.from(x.data as Float32Array) };
  expectSuccess({ input: edit(input, 'x', x64), outDtype: 'F64', tol: 1e-5 });
});

test('a run without --grad writes y, h_n and c_n only', () => {
  inTempDir((dir) => {
    write(dir, 'model.safetensors', model);
    write(dir, 'input.safetensors', input);
    const r = recur(defaultArgs(dir, false));
    assert.equal(r.status, 0, r.stderr);
    const got = parseSafetensors(readFileSync(out(dir)), 'out.safetensors');
    assert.deepEqual([...got.tensors.keys()], ['y', 'h_n', 'c_n']);
  });
});
