// Import of hand-built graphs: refusals name the node and its op type in one line; the recurrent
// operators' less common forms (reverse direction, layout 1, reset-before GRU, sequence_lens)
// agree with ONNX Runtime (onnxruntime-web), an implementation independent of recur's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';
import { Rng } from '../../tensor/rng.js';
import { encodeModel, type AttributeProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from '../proto.js';
import { floatTensor } from '../tensors.js';
import { importOnnx } from './index.js';

ort.env.wasm.numThreads = 1; // no worker threads for a few tiny graphs

const FLOAT = 1;
const INT32 = 6;
const io = (name: string, dims?: (number | string)[], elem = FLOAT): ValueInfoProto => ({
  name, type: { tensor_type: { elem_type: elem, ...(dims ? { shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } : {}) } },
});
const int = (name: string, v: number): AttributeProto => ({ name, type: 2, i: v });
const float = (name: string, v: number): AttributeProto => ({ name, type: 1, f: v });
const str = (name: string, v: string): AttributeProto => ({ name, type: 3, s: new TextEncoder().encode(v) });
const strs = (name: string, v: string[]): AttributeProto => ({ name, type: 8, strings: v.map((s) => new TextEncoder().encode(s)) });

function model(nodes: NodeProto[], inputs: ValueInfoProto[], outputs: ValueInfoProto[], inits: TensorProto[] = [], opset = 14): Uint8Array {
  const m: ModelProto = { ir_version: 7, opset_import: [{ domain: '', version: opset }], producer_name: 'recur-test',
                          graph: { name: 'g', node: nodes, input: inputs, output: outputs, initializer: inits } };
  return encodeModel(m);
}

const rand = (rng: Rng, n: number, s = 0.5) => Array.from({ length: n }, () => Math.fround(rng.uniformIn(-s, s)));

/** One recurrent node with weights as initializers; G gates, D directions. */
function recurrentModel(op: 'RNN' | 'GRU' | 'LSTM', attrs: AttributeProto[], o: { D: number; I: number; H: number; layout?: number; lens?: boolean; h0?: boolean; P?: boolean }) {
  const G = op === 'RNN' ? 1 : op === 'GRU' ? 3 : 4;
  const rng = new Rng(3);
  const { D, I, H } = o;
  const inits = [floatTensor('W', [D, G * H, I], rand(rng, D * G * H * I)), floatTensor('R', [D, G * H, H], rand(rng, D * G * H * H)),
                 floatTensor('B', [D, 2 * G * H], rand(rng, D * 2 * G * H))];
  if (o.P) inits.push(floatTensor('P', [D, 3 * H], rand(rng, D * 3 * H)));
  const x = o.layout === 1 ? io('X', ['b', 't', I]) : io('X', ['t', 'b', I]);
  const inputs = [x, ...(o.lens ? [io('L', ['b'], INT32)] : []), ...(o.h0 ? [io('H0', o.layout === 1 ? ['b', D, H] : [D, 'b', H])] : [])];
  const node: NodeProto = { name: 'cell', op_type: op, input: ['X', 'W', 'R', 'B', o.lens ? 'L' : '', o.h0 ? 'H0' : '', ...(o.P ? ['', 'P'] : [])],
                            output: ['Y', 'Y_h'], attribute: [int('hidden_size', H), ...attrs] };
  return model([node], inputs, [io('Y'), io('Y_h')], inits);
}

test('bad bytes are refused in one line', () => {
  assert.throws(() => importOnnx(new Uint8Array([1, 2, 3, 0xff]), { what: 'junk.onnx' }), (e: Error) =>
    e.name === 'RecurError' && /^junk\.onnx: expected an ONNX ModelProto/.test(e.message) && !e.message.includes('\n'));
  assert.throws(() => importOnnx(encodeModel({ ir_version: 7 }), { what: 'empty.onnx' }), /^RecurError: empty\.onnx: expected an ONNX model with a graph, got none$/);
});

test('an operator outside the set is refused naming the node and its op type', () => {
  for (const op of ['Softplus', 'Conv', 'Attention']) {
    const bytes = model([{ name: `my_${op}`, op_type: op, input: ['x'], output: ['y'] }], [io('x', [2, 3])], [io('y', [2, 3])]);
    assert.throws(() => importOnnx(bytes, { what: 'm.onnx' }), (e: Error) => {
      assert.equal(e.name, 'RecurError');
      assert.match(e.message, new RegExp(`^m\\.onnx: node "my_${op}" \\(${op}\\): recur does not import this operator \\(it imports .*LSTM.*\\)$`));
      return true;
    });
  }
  // a node of another domain, even with a known op type
  const custom = model([{ name: 'q', op_type: 'Gemm', domain: 'com.microsoft', input: ['x', 'x'], output: ['y'] }], [io('x', [2, 2])], [io('y', [2, 2])]);
  assert.throws(() => importOnnx(custom), /node "q" \(Gemm\): operator domain "com\.microsoft" is not ONNX's default domain/);
});

test('attributes recur cannot honour are refused naming the node', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['peepholes', recurrentModel('LSTM', [], { D: 1, I: 2, H: 3, P: true }), /node "cell" \(LSTM\): has peephole weights \(input P "P"\); recur cannot import it$/],
    ['clip', recurrentModel('LSTM', [float('clip', 3)], { D: 1, I: 2, H: 3 }), /node "cell" \(LSTM\): has attribute "clip"/],
    ['input_forget', recurrentModel('LSTM', [int('input_forget', 1)], { D: 1, I: 2, H: 3 }), /node "cell" \(LSTM\): has input_forget = 1/],
    ['GRU activations', recurrentModel('GRU', [strs('activations', ['HardSigmoid', 'Tanh'])], { D: 1, I: 2, H: 3 }), /node "cell" \(GRU\): has activations \[HardSigmoid, Tanh\]/],
    ['RNN activations', recurrentModel('RNN', [strs('activations', ['Sigmoid'])], { D: 1, I: 2, H: 3 }), /node "cell" \(RNN\): has activations \[Sigmoid\]/],
    ['mixed directions', recurrentModel('RNN', [str('direction', 'bidirectional'), strs('activations', ['Tanh', 'Relu'])], { D: 2, I: 2, H: 3 }), /node "cell" \(RNN\): has activations \[Tanh, Relu\]/],
    ['alpha', recurrentModel('RNN', [{ name: 'activation_alpha', type: 6, floats: [0.1] }], { D: 1, I: 2, H: 3 }), /node "cell" \(RNN\): has attribute "activation_alpha"/],
  ];
  for (const [label, bytes, re] of cases) assert.throws(() => importOnnx(bytes), (e: Error) => e.name === 'RecurError' && re.test(e.message) && !e.message.includes('\n'), label);
});

test('inputs are checked: a missing input, a wrong fixed size, a non-integer sequence length', () => {
  const g = importOnnx(recurrentModel('GRU', [], { D: 1, I: 2, H: 3, lens: true }), { what: 'g' });
  assert.throws(() => g.run({ X: { data: [1, 2], shape: [1, 1, 2] } }), /^RecurError: g: input "L" is not given$/);
  assert.throws(() => g.run({ X: { data: [1, 2, 3], shape: [1, 1, 3] }, L: { data: [1], shape: [1] } }), /^RecurError: g: input "X": expected shape \(t, b, 2\), got \(1, 1, 3\)$/);
  assert.throws(() => g.run({ X: { data: [1, 2], shape: [1, 1, 2] }, L: { data: [0.5], shape: [1] } }), /input "L": expected integers, got 0.5/);
  assert.throws(() => g.run({ X: { data: [1, 2], shape: [1, 1, 2] }, L: { data: [2], shape: [1] } }), /node "cell" \(GRU\): expected sequence_lens in 1\.\.1, got 2 at row 0/);
  assert.throws(() => g.run({ X: { data: [1, 2], shape: [1, 1, 2] }, L: { data: [1], shape: [1] }, Z: { data: [1], shape: [1] } }), /no input named "Z"/);
});

/** ONNX Runtime's outputs for a model and inputs. */
async function ortRun(bytes: Uint8Array, feeds: Record<string, { data: number[]; shape: number[]; int?: boolean }>) {
  const session = await ort.InferenceSession.create(bytes);
  const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, v]) =>
    [k, new ort.Tensor(v.int ? 'int32' : 'float32', v.int ? Int32Array.from(v.data) : Float32Array.from(v.data), v.shape)]));
  const out = await session.run(ortFeeds);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { data: Array.from(v.data as Float32Array), shape: [...v.dims] }]));
}

/** Max abs difference, shapes equal. */
function assertClose(got: { data: ArrayLike<number>; shape: readonly number[] }, want: { data: number[]; shape: number[] }, label: string): void {
  assert.deepEqual([...got.shape], want.shape, label);
  let d = 0;
  want.data.forEach((v, i) => { d = Math.max(d, Math.abs(v - got.data[i]!)); });
  assert.ok(d <= 1e-5, `${label}: max abs diff ${d}`);
}

/** Swap the first two axes of a row-major array of shape (P,Q,…rest). */
function swap01(a: ArrayLike<number>, shape: readonly number[]): { data: number[]; shape: number[] } {
  const [P, Q, ...rest] = shape as [number, number, ...number[]];
  const F = rest.reduce((x, y) => x * y, 1);
  const out = new Array<number>(a.length);
  for (let p = 0; p < P; p++) for (let q = 0; q < Q; q++) for (let f = 0; f < F; f++) out[(q * P + p) * F + f] = a[(p * Q + q) * F + f]!;
  return { data: out, shape: [Q, P, ...rest] };
}

test('reverse direction, layout 1, reset-before GRU, sequence_lens and initial states agree with ONNX Runtime', async () => {
  const rng = new Rng(9);
  const [T, B, I, H] = [4, 3, 2, 3];
  const x = rand(rng, T * B * I, 1);
  const lens = { data: [4, 2, 1], shape: [B], int: true };
  const forms: [string, 'RNN' | 'GRU' | 'LSTM', AttributeProto[], number][] = [
    ['reverse GRU, reset before', 'GRU', [str('direction', 'reverse')], 1],
    ['reverse LSTM', 'LSTM', [str('direction', 'reverse')], 1],
    ['bidirectional relu RNN', 'RNN', [str('direction', 'bidirectional'), strs('activations', ['Relu', 'Relu'])], 2],
    ['bidirectional GRU, reset after', 'GRU', [str('direction', 'bidirectional'), int('linear_before_reset', 1)], 2],
  ];
  for (const [label, op, attrs, D] of forms) {
    const h0 = { data: rand(rng, D * B * H), shape: [D, B, H] };
    const feeds = { X: { data: x, shape: [T, B, I] }, L: lens, H0: h0 };
    const want = await ortRun(recurrentModel(op, attrs, { D, I, H, lens: true, h0: true }), feeds);
    const got = importOnnx(recurrentModel(op, attrs, { D, I, H, lens: true, h0: true })).run(feeds);
    assertClose(got.Y!, want.Y!, `${label}: Y`);
    assertClose(got.Y_h!, want.Y_h!, `${label}: Y_h`);
    // layout 1 (ONNX Runtime has none): the same node batch-first, its inputs and outputs transposed
    const batchwise = importOnnx(recurrentModel(op, [...attrs, int('layout', 1)], { D, I, H, layout: 1, lens: true, h0: true })).run({
      X: swap01(x, [T, B, I]), L: lens, H0: swap01(h0.data, h0.shape),
    });
    const [Y, Yh] = [want.Y!, want.Y_h!];
    // Y (T,D,B,H) → (B,T,D,H): move B to the front
    const yB = new Array<number>(Y.data.length);
    for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) {
      yB[((b * T + t) * D + d) * H + h] = Y.data[((t * D + d) * B + b) * H + h]!;
    }
    assertClose(batchwise.Y!, { data: yB, shape: [B, T, D, H] }, `${label} layout 1: Y`);
    assertClose(batchwise.Y_h!, swap01(Yh.data, Yh.shape), `${label} layout 1: Y_h`);
  }
});

test('the head operators agree with ONNX Runtime: Gemm with alpha, beta, transA; MatMul broadcast; Softmax, LogSoftmax', async () => {
  const rng = new Rng(4);
  const inits = [floatTensor('W', [3, 4], rand(rng, 12)), floatTensor('C', [4], rand(rng, 4)), floatTensor('M', [4, 2], rand(rng, 8))];
  const nodes: NodeProto[] = [
    { name: 'g', op_type: 'Gemm', input: ['x', 'W', 'C'], output: ['a'], attribute: [int('transA', 1), float('alpha', 0.5), float('beta', 2)] },
    { name: 't', op_type: 'Tanh', input: ['a'], output: ['b'] },
    { name: 'u', op_type: 'Unsqueeze', input: ['b', 'ax'], output: ['c'] },
    { name: 'ax', op_type: 'Constant', input: [], output: ['ax'], attribute: [{ name: 'value', type: 4, t: { dims: [1], data_type: 7, int64_data: [0] } }] },
    { name: 'mm', op_type: 'MatMul', input: ['c', 'M'], output: ['d'] },
    { name: 's', op_type: 'Softmax', input: ['d'], output: ['e'], attribute: [int('axis', 1)] },
    { name: 'ls', op_type: 'LogSoftmax', input: ['d'], output: ['f'] },
  ];
  // Constant after its consumer is unsorted: ONNX requires a sorted graph, and so does recur
  assert.throws(() => importOnnx(model(nodes, [io('x', [3, 5])], [io('e'), io('f')], inits)), /node "u" \(Unsqueeze\): input "ax" is not computed before this node/);
  const sorted = [nodes[0]!, nodes[1]!, nodes[3]!, nodes[2]!, nodes[4]!, nodes[5]!, nodes[6]!];
  const bytes = model(sorted, [io('x', [3, 5])], [io('e'), io('f')], inits);
  const feeds = { x: { data: rand(rng, 15, 2), shape: [3, 5] } };
  const want = await ortRun(bytes, feeds);
  const got = importOnnx(bytes).run(feeds);
  assertClose(got.e!, want.e!, 'Softmax');
  assertClose(got.f!, want.f!, 'LogSoftmax');
});

test('a value too large to hold and a token id out of range are refused in one line when the graph runs', () => {
  const big = model([
    { name: 'shape', op_type: 'Constant', input: [], output: ['s'], attribute: [{ name: 'value', type: 4, t: { dims: [2], data_type: 7, int64_data: [100000, 100000] } }] },
    { name: 'zeros', op_type: 'ConstantOfShape', input: ['s'], output: ['z'] },
    { name: 'sum', op_type: 'Add', input: ['x', 'z'], output: ['y'] },
  ], [io('x', [1])], [io('y')]);
  assert.throws(() => importOnnx(big, { what: 'big' }).run({ x: { data: [1], shape: [1] } }),
    /^RecurError: big: node "zeros" \(ConstantOfShape\): a value of shape \(100000, 100000\) has 10000000000 elements, more than the 134217728 recur computes with$/);
  const emb = model([{ name: 'emb', op_type: 'Gather', input: ['E', 'ids'], output: ['v'] }], [io('ids', ['t', 'b'], 7)], [io('v')],
                    [floatTensor('E', [3, 2], [1, 2, 3, 4, 5, 6])]);
  const g = importOnnx(emb, { what: 'emb' });
  assert.deepEqual(Array.from(g.run({ ids: { data: [2, 0], shape: [1, 2] } }).v!.data), [5, 6, 1, 2]);
  assert.throws(() => g.run({ ids: { data: [1, 3], shape: [1, 2] } }), /^RecurError: emb: node "emb" \(Gather\): index 3 is out of range for a dimension of size 3$/);
});

test('malformed nodes are refused in one line: control characters in a name, mismatched Slice inputs, a missing output', () => {
  const withName = model([{ name: 'a\nb', op_type: 'Identity', input: ['x'], output: ['y'] }], [io('x', [1])], [io('y')]);
  assert.throws(() => importOnnx(withName, { what: 'm' }), /^RecurError: m: node name "a\\nb" holds control characters$/);
  const c = (name: string, v: number[]): NodeProto =>
    ({ name, op_type: 'Constant', input: [], output: [name], attribute: [{ name: 'value', type: 4, t: { dims: [v.length], data_type: 7, int64_data: v } }] });
  const slice = model([c('s', [0, 0]), c('e', [1]), { name: 'cut', op_type: 'Slice', input: ['x', 's', 'e'], output: ['y'] }], [io('x', [2, 2])], [io('y')]);
  assert.throws(() => importOnnx(slice, { what: 'm' }).run({ x: { data: [1, 2, 3, 4], shape: [2, 2] } }),
    /^RecurError: m: node "cut" \(Slice\): 2 starts but 1 ends$/);
  const axes = model([c('s', [0, 0]), c('e', [1, 1]), c('a', [1, -1]), { name: 'cut', op_type: 'Slice', input: ['x', 's', 'e', 'a'], output: ['y'] }],
                     [io('x', [2, 2])], [io('y')]);
  assert.throws(() => importOnnx(axes, { what: 'm' }).run({ x: { data: [1, 2, 3, 4], shape: [2, 2] } }),
    /^RecurError: m: node "cut" \(Slice\): expected as many distinct axes and steps as starts \(2\), got axes \[1,1\] and steps \[1,1\]$/);
  const twoOut = model([{ name: 'g', op_type: 'Gemm', input: ['x', 'x'], output: ['y', 'z'] }, { name: 'id', op_type: 'Identity', input: ['z'], output: ['w'] }],
                       [io('x', [2, 2])], [io('w')]);
  assert.throws(() => importOnnx(twoOut, { what: 'm' }).run({ x: { data: [1, 2, 3, 4], shape: [2, 2] } }),
    /^RecurError: m: node "g" \(Gemm\): gives 1 output, but the graph names output 2 "z"$/);
});
