/**
 * @module onnx/import/mask-ops
 * The operators recur's own exporter writes around its layers (the step mask, the last valid step,
 * the forecaster's padding), with ONNX's standard semantics (opset 14):
 *   Equal, Less       elementwise comparisons with numpy broadcasting → bool
 *   Where             cond ? X : Y, the three broadcast together
 *   Range             start, start + delta, … below limit (above it for a negative delta)
 *   GatherND          data[batch…, indices[batch…, i, :]] with batch_dims
 *   Pad               constant mode, pads [begin…, end…] (negative pads crop)
 */
import { formatShape, RecurError } from '../../errors.js';
import type { NodeProto } from '../proto.js';
import { elementCount } from '../tensors.js';
import { binary } from './math-ops.js';
import { need, type OpFn } from './shape-ops.js';
import { broadcastIndex, broadcastShapes, checkElements, intAttr, makeValue, stridesOf, stringAttr } from './values.js';

/** TensorProto.DataType BOOL. */
const BOOL = 9;

/** An elementwise comparison with numpy broadcasting; the result is bool (1 or 0). */
const compare = (f: (x: number, y: number) => boolean): OpFn => binary((x, y) => Number(f(x, y)), undefined, BOOL);

/** out = cond ? x : y, the three broadcast to one shape; the type is x's. */
const where: OpFn = (_node, inputs, what) => {
  const [c, x, y] = [0, 1, 2].map((k) => need(inputs, k, what)) as [typeof inputs[0] & object, typeof inputs[0] & object, typeof inputs[0] & object];
  const shape = broadcastShapes(broadcastShapes(c.shape, x.shape, what), y.shape, what);
  checkElements(shape, what);
  const [ci, xi, yi] = [c, x, y].map((v) => broadcastIndex(v.shape, shape)) as [Int32Array, Int32Array, Int32Array];
  return [makeValue(x.type, shape, Float64Array.from(ci, (i, k) => (c.data[i]! !== 0 ? x.data[xi[k]!]! : y.data[yi[k]!]!)))];
};

/** n = max(⌈(limit − start) / delta⌉, 0) values start + k·delta, of start's type. */
const range: OpFn = (_node, inputs, what) => {
  const [start, limit, delta] = [0, 1, 2].map((k) => {
    const v = need(inputs, k, what);
    if (v.data.length !== 1) throw new RecurError(`${what}: expected scalar start, limit and delta, got input ${k} of shape ${formatShape(v.shape)}`);
    return v;
  }) as [NonNullable<typeof inputs[0]>, NonNullable<typeof inputs[0]>, NonNullable<typeof inputs[0]>];
  const [s, l, d] = [start.data[0]!, limit.data[0]!, delta.data[0]!];
  if (d === 0) throw new RecurError(`${what}: a delta of 0`);
  const n = Math.max(Math.ceil((l - s) / d), 0);
  checkElements([n], what);
  return [makeValue(start.type, [n], Float64Array.from({ length: n }, (_, k) => s + k * d))];
};

/**
 * GatherND: with b = batch_dims, indices (i_0..i_{q−1}) whose last size k ≤ r − b, the output is
 * (i_0..i_{q−2}) + data.shape[b+k:], out[j, …] = data[j_0..j_{b−1}, indices[j] …] (negative indices count from the end).
 */
const gatherND: OpFn = (node, inputs, what) => {
  const data = need(inputs, 0, what);
  const idx = need(inputs, 1, what);
  const b = intAttr(node, 'batch_dims', 0);
  const r = data.shape.length, q = idx.shape.length;
  const k = idx.shape[q - 1] ?? 0;
  if (q < 1 || !(b >= 0 && b < Math.min(q, r)) || k < 1 || b + k > r) {
    throw new RecurError(`${what}: batch_dims ${b} does not fit data ${formatShape(data.shape)} and indices ${formatShape(idx.shape)}`);
  }
  for (let i = 0; i < b; i++) {
    if (data.shape[i] !== idx.shape[i]) throw new RecurError(`${what}: the batch dimensions of data ${formatShape(data.shape)} and indices ${formatShape(idx.shape)} differ`);
  }
  const slice = elementCount(data.shape.slice(b + k));                       // values per gathered slice
  const batches = elementCount(data.shape.slice(0, b));
  const perBatch = elementCount(idx.shape.slice(b, q - 1));                  // index tuples per batch
  const batchStride = elementCount(data.shape.slice(b));
  const st = stridesOf(data.shape);
  const shape = [...idx.shape.slice(0, q - 1), ...data.shape.slice(b + k)];
  checkElements(shape, what);
  const out = new Float64Array(elementCount(shape));
  for (let j = 0; j < batches; j++) {
    for (let t = 0; t < perBatch; t++) {
      const tuple = (j * perBatch + t) * k;
      let at = j * batchStride;
      for (let m = 0; m < k; m++) {
        const n = data.shape[b + m]!;
        const raw = idx.data[tuple + m]!;
        const i = raw < 0 ? raw + n : raw;
        if (!Number.isInteger(i) || i < 0 || i >= n) throw new RecurError(`${what}: index ${raw} is out of range for a dimension of size ${n}`);
        at += i * st[b + m]!;
      }
      out.set(data.data.subarray(at, at + slice), (j * perBatch + t) * slice);
    }
  }
  return [makeValue(data.type, shape, out)];
};

/** The attributes recur honours, checked when the graph is read: Pad in "constant" mode only. */
export function checkMaskNode(node: NodeProto, what: string): void {
  const mode = node.op_type === 'Pad' ? stringAttr(node, 'mode', 'constant') : 'constant';
  if (mode !== 'constant') throw new RecurError(`${what}: mode ${JSON.stringify(mode)}; recur imports Pad in "constant" mode only`);
}

/** Pad in constant mode: out[i] = x[i − begin] inside x, else the constant (default 0). */
const pad: OpFn = (node, inputs, what) => {
  const x = need(inputs, 0, what);
  checkMaskNode(node, what);
  if (inputs[3]) throw new RecurError(`${what}: an axes input (opset 18); recur imports Pad with pads for every axis`);
  const pads = Array.from(need(inputs, 1, what).data);
  const r = x.shape.length;
  if (pads.length !== 2 * r) throw new RecurError(`${what}: expected ${2 * r} pads for rank ${r}, got ${pads.length}`);
  const value = inputs[2]?.data[0] ?? 0;
  const shape = x.shape.map((d, i) => d + pads[i]! + pads[i + r]!);
  if (shape.some((d) => d < 0)) throw new RecurError(`${what}: pads [${pads}] crop ${formatShape(x.shape)} below nothing`);
  checkElements(shape, what);
  const n = elementCount(shape);
  const out = new Float64Array(n).fill(value);
  const os = stridesOf(shape), xs = stridesOf(x.shape);
  for (let o = 0; o < n; o++) {
    let at = 0, inside = true;
    for (let d = 0; d < r && inside; d++) {
      const i = Math.floor(o / os[d]!) % shape[d]! - pads[d]!;
      inside = i >= 0 && i < x.shape[d]!;
      at += i * xs[d]!;
    }
    if (inside) out[o] = x.data[at]!;
  }
  return [makeValue(x.type, shape, out)];
};

/** The mask and padding operators by op type. */
export const MASK_OPS: Record<string, OpFn> = {
  Equal: compare((x, y) => x === y), Less: compare((x, y) => x < y), Where: where, Range: range, GatherND: gatherND, Pad: pad,
};
