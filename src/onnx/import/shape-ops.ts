/**
 * @module onnx/import/shape-ops
 * The glue torch.onnx.export puts around an RNN node, with ONNX's standard semantics (opsets 11
 * to 17, where axes moved from attributes to inputs both forms are read): Constant,
 * ConstantOfShape, Shape, Gather, Unsqueeze, Squeeze, Concat, Slice, Transpose, Reshape, Expand,
 * Cast, Identity, Flatten. Each takes the node and its input values and returns its outputs.
 */
import { formatShape, RecurError } from '../../errors.js';
import { DataType, type NodeProto } from '../proto.js';
import { elementCount } from '../tensors.js';
import {
  broadcastIndex, broadcastShapes, checkElements, intAttr, intsAttr, isIntType, makeValue, normAxis, stridesOf, tensorAttr,
  type Value,
} from './values.js';

/** An operator: the node, its inputs (undefined where the name is empty), a label for messages. */
export type OpFn = (node: NodeProto, inputs: readonly (Value | undefined)[], what: string) => Value[];

/** Input k, which the operator needs. */
export function need(inputs: readonly (Value | undefined)[], k: number, what: string): Value {
  const v = inputs[k];
  if (!v) throw new RecurError(`${what}: input ${k} is needed but not given`);
  return v;
}

const ints = (v: Value): number[] => Array.from(v.data);

/** The constant values of a Constant node. */
const constant: OpFn = (node, _inputs, what) => {
  const t = tensorAttr(node, 'value', what);
  if (t) return [t];
  const a = node.attribute?.[0];
  if (a?.name === 'value_float') return [makeValue(DataType.FLOAT, [], Float64Array.of(a.f ?? 0))];
  if (a?.name === 'value_floats') return [makeValue(DataType.FLOAT, [a.floats?.length ?? 0], Float64Array.from(a.floats ?? []))];
  if (a?.name === 'value_int') return [makeValue(DataType.INT64, [], Float64Array.of(Number(a.i ?? 0)))];
  if (a?.name === 'value_ints') return [makeValue(DataType.INT64, [a.ints?.length ?? 0], Float64Array.from((a.ints ?? []).map(Number)))];
  throw new RecurError(`${what}: expected a "value", "value_float(s)" or "value_int(s)" attribute, got ${a ? `"${a.name}"` : 'none'}`);
};

/** A tensor of `shape` filled with the attribute's one value (float 0 by default). */
const constantOfShape: OpFn = (node, inputs, what) => {
  const shape = ints(need(inputs, 0, what));
  const v = tensorAttr(node, 'value', what) ?? makeValue(DataType.FLOAT, [1], Float64Array.of(0));
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new RecurError(`${what}: expected a shape of non-negative sizes, got [${shape}]`);
  checkElements(shape, what);
  return [makeValue(v.type, shape, new Float64Array(elementCount(shape)).fill(v.data[0] ?? 0))];
};

/** The input's shape as int64 (start/end attributes of opset 15 honoured). */
const shapeOf: OpFn = (node, inputs, what) => {
  const s = need(inputs, 0, what).shape;
  const clamp = (k: number) => Math.min(Math.max(k < 0 ? k + s.length : k, 0), s.length);
  const dims = s.slice(clamp(intAttr(node, 'start', 0)), clamp(intAttr(node, 'end', s.length)));
  return [makeValue(DataType.INT64, [dims.length], Float64Array.from(dims))];
};

/** numpy's take along an axis: out = data[..., indices, ...]. */
const gather: OpFn = (node, inputs, what) => {
  const data = need(inputs, 0, what);
  const idx = need(inputs, 1, what);
  const axis = normAxis(intAttr(node, 'axis', 0), data.shape.length, what);
  const n = data.shape[axis]!;
  const outer = elementCount(data.shape.slice(0, axis));
  const inner = elementCount(data.shape.slice(axis + 1));
  const m = idx.data.length;
  checkElements([outer, m, inner], what);
  const out = new Float64Array(outer * m * inner);
  for (let k = 0; k < m; k++) {
    const raw = idx.data[k]!;
    const i = raw < 0 ? raw + n : raw;
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new RecurError(`${what}: index ${raw} is out of range for a dimension of size ${n}`);
    for (let o = 0; o < outer; o++) out.set(data.data.subarray((o * n + i) * inner, (o * n + i + 1) * inner), (o * m + k) * inner);
  }
  return [makeValue(data.type, [...data.shape.slice(0, axis), ...idx.shape, ...data.shape.slice(axis + 1)], out)];
};

/** Axes from the input (opset ≥ 13) or the attribute (before). */
function axesOf(node: NodeProto, inputs: readonly (Value | undefined)[]): number[] | undefined {
  return inputs[1] ? ints(inputs[1]) : intsAttr(node, 'axes');
}

const unsqueeze: OpFn = (node, inputs, what) => {
  const x = need(inputs, 0, what);
  const axes = axesOf(node, inputs);
  if (!axes) throw new RecurError(`${what}: expected axes`);
  const rank = x.shape.length + axes.length;
  const at = new Set(axes.map((a) => normAxis(a, rank, what)));
  const shape: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) shape.push(at.has(i) ? 1 : x.shape[j++]!);
  return [makeValue(x.type, shape, x.data)];
};

const squeeze: OpFn = (node, inputs, what) => {
  const x = need(inputs, 0, what);
  const axes = axesOf(node, inputs);
  const at = new Set((axes ?? x.shape.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => normAxis(a, x.shape.length, what)));
  for (const a of at) if (x.shape[a] !== 1) throw new RecurError(`${what}: cannot squeeze axis ${a} of shape ${formatShape(x.shape)}`);
  return [makeValue(x.type, x.shape.filter((_, i) => !at.has(i)), x.data)];
};

const concat: OpFn = (node, inputs, what) => {
  const xs = inputs.filter((v): v is Value => v !== undefined);
  const first = need(xs, 0, what);
  const axis = normAxis(intAttr(node, 'axis', 0), first.shape.length, what);
  for (const x of xs) {
    if (x.shape.length !== first.shape.length || x.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
      throw new RecurError(`${what}: cannot concatenate shapes ${formatShape(first.shape)} and ${formatShape(x.shape)} on axis ${axis}`);
    }
  }
  const outer = elementCount(first.shape.slice(0, axis));
  const total = xs.reduce((s, x) => s + x.shape[axis]!, 0);
  const inner = elementCount(first.shape.slice(axis + 1));
  const out = new Float64Array(outer * total * inner);
  let off = 0;
  for (const x of xs) {
    const w = x.shape[axis]! * inner;
    for (let o = 0; o < outer; o++) out.set(x.data.subarray(o * w, (o + 1) * w), o * total * inner + off);
    off += w;
  }
  return [makeValue(first.type, [...first.shape.slice(0, axis), total, ...first.shape.slice(axis + 1)], out)];
};

/** numpy slicing x[starts:ends:steps] on the given axes, with ONNX's clamping; before opset 10
 *  starts, ends and axes are attributes. */
const slice: OpFn = (node, inputs, what) => {
  const x = need(inputs, 0, what);
  const r = x.shape.length;
  const old = inputs.length === 1;
  const starts = old ? intsAttr(node, 'starts') ?? [] : ints(need(inputs, 1, what));
  const ends = old ? intsAttr(node, 'ends') ?? [] : ints(need(inputs, 2, what));
  if (ends.length !== starts.length) throw new RecurError(`${what}: ${starts.length} starts but ${ends.length} ends`);
  const givenAxes = old ? intsAttr(node, 'axes') : inputs[3] ? ints(inputs[3]) : undefined;
  const axes = givenAxes ? givenAxes.map((a) => normAxis(a, r, what)) : starts.map((_, i) => i);
  const steps = inputs[4] ? ints(inputs[4]) : starts.map(() => 1);
  if (axes.length !== starts.length || steps.length !== starts.length || new Set(axes).size !== axes.length) {
    throw new RecurError(`${what}: expected as many distinct axes and steps as starts (${starts.length}), got axes [${axes}] and steps [${steps}]`);
  }
  const begin = new Array<number>(r).fill(0);
  const step = new Array<number>(r).fill(1);
  const shape = [...x.shape];
  axes.forEach((a, i) => {
    const d = x.shape[a]!;
    const s = steps[i]!;
    if (s === 0) throw new RecurError(`${what}: a step of 0`);
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + d : v, lo), hi);
    const b = s > 0 ? clamp(starts[i]!, 0, d) : clamp(starts[i]!, -1, d - 1);
    const e = s > 0 ? clamp(ends[i]!, 0, d) : clamp(ends[i]!, -1, d - 1);
    begin[a] = b;
    step[a] = s;
    shape[a] = Math.max(0, Math.ceil((e - b) / s));
  });
  const st = stridesOf(x.shape);
  const n = elementCount(shape);
  const out = new Float64Array(n);
  const os = stridesOf(shape);
  for (let k = 0; k < n; k++) {
    let at = 0;
    for (let d = 0; d < r; d++) at += (begin[d]! + Math.floor(k / os[d]!) % shape[d]! * step[d]!) * st[d]!;
    out[k] = x.data[at]!;
  }
  return [makeValue(x.type, shape, out)];
};

const transpose: OpFn = (node, inputs, what) => {
  const x = need(inputs, 0, what);
  const r = x.shape.length;
  const perm = intsAttr(node, 'perm') ?? x.shape.map((_, i) => r - 1 - i);
  if (perm.length !== r || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) throw new RecurError(`${what}: perm [${perm}] is no permutation of rank ${r}`);
  const shape = perm.map((p) => x.shape[p]!);
  const st = stridesOf(x.shape);
  const os = stridesOf(shape);
  const n = x.data.length;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let at = 0;
    for (let d = 0; d < r; d++) at += Math.floor(k / os[d]!) % shape[d]! * st[perm[d]!]!;
    out[k] = x.data[at]!;
  }
  return [makeValue(x.type, shape, out)];
};

const reshape: OpFn = (node, inputs, what) => {
  const x = need(inputs, 0, what);
  const want = ints(need(inputs, 1, what));
  const allowZero = intAttr(node, 'allowzero', 0) === 1;
  const shape = want.map((d, i) => (d === 0 && !allowZero ? x.shape[i]! : d));
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const free = shape.indexOf(-1);
  if (free >= 0) shape[free] = known === 0 ? 0 : x.data.length / known;
  if (elementCount(shape) !== x.data.length || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new RecurError(`${what}: cannot reshape ${formatShape(x.shape)} to [${want}]`);
  }
  return [makeValue(x.type, shape, x.data)];
};

const expand: OpFn = (_node, inputs, what) => {
  const x = need(inputs, 0, what);
  const shape = broadcastShapes(x.shape, ints(need(inputs, 1, what)), what);
  checkElements(shape, what);
  const idx = broadcastIndex(x.shape, shape);
  return [makeValue(x.type, shape, Float64Array.from(idx, (i) => x.data[i]!))];
};

/** Cast to float or integer (integers truncate toward zero, as ONNX's float → int). */
const cast: OpFn = (node, inputs, what) => {
  const x = need(inputs, 0, what);
  const to = intAttr(node, 'to', DataType.FLOAT);
  if (to === DataType.FLOAT) return [makeValue(to, x.shape, Float64Array.from(x.data, (v) => Math.fround(v)))];
  if (to === DataType.DOUBLE) return [makeValue(to, x.shape, x.data)];
  if (isIntType(to)) return [makeValue(to, x.shape, Float64Array.from(x.data, (v) => (to === 9 ? Number(v !== 0) : Math.trunc(v))))];
  throw new RecurError(`${what}: cannot cast to ONNX data type ${to}`);
};

const identity: OpFn = (_node, inputs, what) => [need(inputs, 0, what)];

/** (d0..d_{a−1}) × (d_a..) as a matrix. */
const flatten: OpFn = (node, inputs, what) => {
  const x = need(inputs, 0, what);
  const a = intAttr(node, 'axis', 1);
  const axis = a < 0 ? a + x.shape.length : a;
  return [makeValue(x.type, [elementCount(x.shape.slice(0, axis)), elementCount(x.shape.slice(axis))], x.data)];
};

/** Inference-time dropout: the input unchanged (and an all-true mask). */
const dropout: OpFn = (_node, inputs, what) => {
  const x = need(inputs, 0, what);
  return [x, makeValue(9, x.shape, new Float64Array(x.data.length).fill(1))];
};

/** The glue operators by op type. */
export const SHAPE_OPS: Record<string, OpFn> = {
  Constant: constant, ConstantOfShape: constantOfShape, Shape: shapeOf, Gather: gather, Unsqueeze: unsqueeze,
  Squeeze: squeeze, Concat: concat, Slice: slice, Transpose: transpose, Reshape: reshape, Expand: expand, Cast: cast,
  Identity: identity, Flatten: flatten, Dropout: dropout,
};
