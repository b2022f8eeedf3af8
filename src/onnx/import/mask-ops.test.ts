// The operators recur's exporter writes around its layers, on small hand-built graphs, against ONNX
// Runtime (onnxruntime-web): Equal, Less, Where, Range, GatherND (batch_dims 0 and 1, negative
// indices), Pad (constant, negative pads), Exp, Log, and Scan (two states, scan inputs and outputs in
// both directions, a body reading an outer value). Unsupported attribute values are refused when the
// graph is read, in one line naming the node.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../tensor/rng.js';
import { AttributeType, encodeModel, type AttributeProto, type GraphProto, type NodeProto, type ValueInfoProto } from '../proto.js';
import { importOnnx } from './index.js';
import * as ort from 'onnxruntime-web';
import { floatInput, int64Input, maxAbsDiff, type Feeds } from '../../../test/onnx-run.js';

const FLOAT = 1, INT64 = 7, BOOL = 9;
const io = (name: string, dims: (number | string)[], elem = FLOAT): ValueInfoProto => ({
  name, type: { tensor_type: { elem_type: elem, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } },
});
const node = (op: string, input: string[], output: string[], attribute: AttributeProto[] = []): NodeProto => ({ name: `${op}_${output[0]}`, op_type: op, input, output, attribute });
const ints = (name: string, v: number[]): AttributeProto => ({ name, type: AttributeType.INTS, ints: v });
const int = (name: string, v: number): AttributeProto => ({ name, type: AttributeType.INT, i: v });
const str = (name: string, v: string): AttributeProto => ({ name, type: AttributeType.STRING, s: new TextEncoder().encode(v) });

function model(g: GraphProto): Uint8Array {
  return encodeModel({ ir_version: 8, opset_import: [{ domain: '', version: 14 }], producer_name: 'recur-test', graph: g });
}

/** Every output of the graph in recur's interpreter and in ONNX Runtime (same shapes); the largest difference. */
async function compare(bytes: Uint8Array, feeds: Feeds): Promise<number> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
  const want = await session.run(feeds);
  await session.release();
  const got = importOnnx(bytes).run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, { data: t.data as ArrayLike<number>, shape: t.dims }])));
  let worst = 0;
  for (const [name, t] of Object.entries(want)) {
    assert.deepEqual(got[name]!.shape, [...t.dims], `shape of ${name}`);
    worst = Math.max(worst, maxAbsDiff(got[name]!.data, Array.from(t.data as ArrayLike<number | bigint>, Number)));
  }
  return worst;
}

const rand = (rng: Rng, n: number) => Array.from({ length: n }, () => Math.fround(rng.uniformIn(-1, 1)));

test('Equal, Less, Where, Range, GatherND, Pad, Exp and Log agree with ONNX Runtime', async () => {
  const rng = new Rng(5);
  const nodes = [
    node('Equal', ['ia', 'ib'], ['eq']),                                     // (2,3) == (3) → bool
    node('Less', ['fa', 'fb'], ['lt']),                                      // (2,1) < (3) → bool (2,3)
    node('Where', ['lt', 'x', 'fb'], ['wh']),                                // cond (2,3), x (2,3), y (3)
    node('Range', ['r0', 'r1', 'r2'], ['rg']),                               // 5, 3, … > −2
    node('GatherND', ['d', 'i1'], ['g1'], [int('batch_dims', 1)]),           // (2,3,4), (2,1) → (2,4)
    node('GatherND', ['d', 'i0'], ['g0']),                                   // (2,3,4), (2,2) → (2,4)
    node('Pad', ['x', 'pads', 'pv'], ['pd']),                                // (2,3) → (3,5) with 1.5
    node('Pad', ['x', 'crop'], ['pc']),                                      // (2,3) → (3,2): negative pads crop
    node('Exp', ['x'], ['ex']), node('Log', ['pos'], ['lg']),
  ];
  const outputs = [io('eq', [2, 3], BOOL), io('lt', [2, 3], BOOL), io('wh', [2, 3]), io('rg', ['n'], INT64), io('g1', [2, 4]), io('g0', [2, 4]),
                   io('pd', [3, 5]), io('pc', [3, 2]), io('ex', [2, 3]), io('lg', [2, 3])];
  const inputs = [io('ia', [2, 3], INT64), io('ib', [3], INT64), io('fa', [2, 1]), io('fb', [3]), io('x', [2, 3]), io('r0', [], INT64), io('r1', [], INT64),
                  io('r2', [], INT64), io('d', [2, 3, 4]), io('i1', [2, 1], INT64), io('i0', [2, 2], INT64), io('pads', [4], INT64), io('pv', []),
                  io('crop', [4], INT64), io('pos', [2, 3])];
  const bytes = model({ name: 'ops', node: nodes, input: inputs, output: outputs });
  const feeds: Feeds = {
    ia: int64Input([1, 2, 3, 3, 0, 1], [2, 3]), ib: int64Input([1, 0, 3], [3]), fa: floatInput([0.1, -0.4], [2, 1]), fb: floatInput([0.1, -0.5, 0.7], [3]),
    x: floatInput(rand(rng, 6), [2, 3]), r0: int64Input([5], []), r1: int64Input([-2], []), r2: int64Input([-3], []),
    d: floatInput(rand(rng, 24), [2, 3, 4]), i1: int64Input([2, -3], [2, 1]), i0: int64Input([1, -1, 0, 1], [2, 2]),
    pads: int64Input([1, 0, 0, 2], [4]), pv: floatInput([1.5], []), crop: int64Input([0, -1, 1, 0], [4]),
    pos: floatInput(rand(rng, 6).map((v) => v + 1.5), [2, 3]),
  };
  const e = await compare(bytes, feeds);
  assert.ok(e <= 1e-6, `max difference ${e}`);
});

test('Scan: two states, scan inputs and outputs in both directions, a body reading an outer value, as ONNX Runtime', async () => {
  // body: s = s + x_t ⊙ scale (outer);  u = u · tanh(v_t);  outputs s, u, y1 = s − u, y2 = s ⊙ v_t
  const body: GraphProto = {
    name: 'step',
    node: [node('Mul', ['xt', 'scale'], ['xs']), node('Add', ['s', 'xs'], ['s2']), node('Tanh', ['vt'], ['tv']), node('Mul', ['u', 'tv'], ['u2']),
           node('Sub', ['s2', 'u2'], ['y1']), node('Mul', ['s2', 'vt'], ['y2'])],
    input: [io('s', [2]), io('u', [2]), io('xt', [2]), io('vt', [2])],
    output: [io('s2', [2]), io('u2', [2]), io('y1', [2]), io('y2', [2])],
  };
  const scan = node('Scan', ['s0', 'u0', 'X', 'V'], ['sN', 'uN', 'Y1', 'Y2'], [
    { name: 'body', type: AttributeType.GRAPH, g: body }, int('num_scan_inputs', 2),
    ints('scan_input_directions', [0, 1]), ints('scan_output_directions', [1, 0]),
  ]);
  const bytes = model({ name: 'scan', node: [scan], input: [io('scale', [2]), io('s0', [2]), io('u0', [2]), io('X', ['T', 2]), io('V', ['T', 2])],
                        output: [io('sN', [2]), io('uN', [2]), io('Y1', ['T', 2]), io('Y2', ['T', 2])] });
  const rng = new Rng(9);
  const T = 4;
  const e = await compare(bytes, { scale: floatInput([0.5, -2], [2]), s0: floatInput(rand(rng, 2), [2]), u0: floatInput(rand(rng, 2), [2]),
                                   X: floatInput(rand(rng, 2 * T), [T, 2]), V: floatInput(rand(rng, 2 * T), [T, 2]) });
  assert.ok(e <= 1e-6, `max difference ${e}`);
});

test('attribute values recur does not run are refused when the graph is read, in one line naming the node', () => {
  const x = io('x', [2, 3]);
  const pad = model({ name: 'p', node: [node('Pad', ['x', 'pads'], ['y'], [str('mode', 'reflect')])], input: [x, io('pads', [4], INT64)], output: [io('y', [2, 3])] });
  assert.throws(() => importOnnx(pad, { what: 'p.onnx' }), /^RecurError: p\.onnx: node "Pad_y" \(Pad\): mode "reflect"; recur imports Pad in "constant" mode only$/);
  const body: GraphProto = { name: 'b', node: [node('Identity', ['xt'], ['yt'])], input: [io('xt', [2])], output: [io('yt', [2])] };
  const scan = (attrs: AttributeProto[]) => model({ name: 's', input: [io('X', [2, 2])], output: [io('Y', [2, 2])], node: [node('Scan', ['X'], ['Y'], [
    { name: 'body', type: AttributeType.GRAPH, g: body }, int('num_scan_inputs', 1), ...attrs])] });
  assert.doesNotThrow(() => importOnnx(scan([])));
  assert.throws(() => importOnnx(scan([ints('scan_input_axes', [1])]), { what: 's.onnx' }), /^RecurError: s\.onnx: node "Scan_Y" \(Scan\): scan_input_axes \[1\]; recur runs Scan over axis 0 only$/);
  assert.throws(() => importOnnx(scan([ints('scan_output_directions', [2])]), { what: 's.onnx' }), /^RecurError: s\.onnx: node "Scan_Y" \(Scan\): expected 1 scan_output_directions of 0 or 1, got \[2\]$/);
  // a body node outside the set is refused like a node of the main graph
  const bad: GraphProto = { ...body, node: [node('Softplus', ['xt'], ['yt'])] };
  const inner = model({ name: 's', input: [io('X', [2, 2])], output: [io('Y', [2, 2])], node: [node('Scan', ['X'], ['Y'], [
    { name: 'body', type: AttributeType.GRAPH, g: bad }, int('num_scan_inputs', 1)])] });
  assert.throws(() => importOnnx(inner, { what: 's.onnx' }), /^RecurError: s\.onnx: node "Softplus_yt" \(Softplus\): recur does not import this operator/);
});
