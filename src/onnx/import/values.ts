/**
 * @module onnx/import/values
 * The values an imported graph computes with: dense row-major tensors of float64, each with its
 * ONNX element type (FLOAT, INT64, ...). Integers are held as float64 too: exact up to 2^53, which
 * covers every shape, index and length an RNN graph meets. Small helpers on shapes and strides.
 */
import { formatShape, RecurError } from '../../errors.js';
import { AttributeType, DataType, type AttributeProto, type NodeProto, type TensorProto } from '../proto.js';
import { elementCount, readFloats, readInts } from '../tensors.js';

/** A tensor inside the interpreter: `type` is ONNX's TensorProto.DataType. */
export interface Value {
  readonly type: number;
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** ONNX element types with integer values. */
const INT_TYPES = new Set([2, 3, 4, 5, DataType.INT32, DataType.INT64, 9, 12, 13]);
/** ONNX element types the interpreter reads and computes with. */
const KNOWN_TYPES = new Set([DataType.FLOAT, DataType.DOUBLE, 10, ...INT_TYPES]);

/** True for an integer (or bool) element type. */
export const isIntType = (type: number): boolean => INT_TYPES.has(type);

/** The most elements one value may hold: 2^27 (1 GiB of float64). */
export const MAX_ELEMENTS = 2 ** 27;

/** A RecurError unless a value of `shape` fits in MAX_ELEMENTS. */
export function checkElements(shape: readonly number[], what: string): void {
  const n = elementCount(shape);
  if (!(n <= MAX_ELEMENTS)) throw new RecurError(`${what}: a value of shape ${formatShape(shape)} has ${n} elements, more than the ${MAX_ELEMENTS} recur computes with`);
}

/** A value of this type and shape; `data` defaults to zeros. */
export function makeValue(type: number, shape: readonly number[], data?: Float64Array): Value {
  const n = elementCount(shape);
  const d = data ?? new Float64Array(n);
  if (d.length !== n) throw new Error(`makeValue: ${d.length} values for shape ${formatShape(shape)}`);
  return { type, shape: [...shape], data: d };
}

/** A constant (initializer or attribute) as a Value; `what` names it in errors. */
export function fromTensorProto(t: TensorProto, what: string): Value {
  if ((t as { data_location?: number }).data_location === 1) {
    throw new RecurError(`${what}: its data is in an external file; recur reads models saved as one file (onnx.save_model(m, path, save_as_external_data=False))`);
  }
  const type = t.data_type ?? 0;
  const shape = (t.dims ?? []).map(Number);
  if (type === DataType.FLOAT || type === DataType.DOUBLE) return makeValue(type, shape, readFloats(t, what));
  if (type === DataType.INT64 || type === DataType.INT32) return makeValue(type, shape, Float64Array.from(readInts(t, what)));
  if (type === 9 && t.raw_data) return makeValue(type, shape, Float64Array.from(t.raw_data)); // BOOL, one byte each
  throw new RecurError(`${what}: expected a float, double, int32 or int64 constant, got data type ${type}`);
}

/** Checks an element type the interpreter can hold. */
export function checkType(type: number, what: string): void {
  if (!KNOWN_TYPES.has(type)) throw new RecurError(`${what}: expected a float, double or integer tensor, got ONNX data type ${type}`);
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let n = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = n; n *= shape[i]!; }
  return s;
}

/** An axis that may be negative, checked against the rank. */
export function normAxis(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new RecurError(`${what}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** The numpy broadcast of two shapes. */
export function broadcastShapes(a: readonly number[], b: readonly number[], what: string): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new RecurError(`${what}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** For each element of `shape` (row-major), the index of the element of `from` broadcast onto it. */
export function broadcastIndex(from: readonly number[], shape: readonly number[]): Int32Array {
  const n = elementCount(shape);
  const idx = new Int32Array(n);
  const r = shape.length;
  const fs = stridesOf(from);
  // stride 0 where `from` is missing or of size 1
  const st = shape.map((_, i) => {
    const j = i - (r - from.length);
    return j < 0 || from[j] === 1 ? 0 : fs[j]!;
  });
  const pos = new Array<number>(r).fill(0);
  let at = 0;
  for (let k = 0; k < n; k++) {
    idx[k] = at;
    for (let d = r - 1; d >= 0; d--) {
      pos[d]!++;
      at += st[d]!;
      if (pos[d]! < shape[d]!) break;
      at -= st[d]! * shape[d]!;
      pos[d] = 0;
    }
  }
  return idx;
}

/** A node's attribute by name. */
export function attr(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}

/** An INT attribute, or the default. */
export function intAttr(node: NodeProto, name: string, fallback: number): number {
  const a = attr(node, name);
  return a === undefined ? fallback : Number(a.i ?? 0);
}

/** A FLOAT attribute, or the default. */
export function floatAttr(node: NodeProto, name: string, fallback: number): number {
  const a = attr(node, name);
  return a === undefined ? fallback : Number(a.f ?? 0);
}

/** An INTS attribute, or undefined. */
export function intsAttr(node: NodeProto, name: string): number[] | undefined {
  const a = attr(node, name);
  return a === undefined ? undefined : (a.ints ?? []).map(Number);
}

/** A STRING attribute, or the default. */
export function stringAttr(node: NodeProto, name: string, fallback: string): string {
  const a = attr(node, name);
  return a === undefined ? fallback : new TextDecoder().decode(a.s ?? new Uint8Array());
}

/** A STRINGS attribute, or undefined. */
export function stringsAttr(node: NodeProto, name: string): string[] | undefined {
  const a = attr(node, name);
  return a === undefined ? undefined : (a.strings ?? []).map((s) => new TextDecoder().decode(s));
}

/** A TENSOR attribute as a value, or undefined. */
export function tensorAttr(node: NodeProto, name: string, what: string): Value | undefined {
  const a = attr(node, name);
  if (a === undefined) return undefined;
  if (a.type !== undefined && a.type !== AttributeType.TENSOR || !a.t) throw new RecurError(`${what}: attribute "${name}" must be a tensor`);
  return fromTensorProto(a.t, `${what} attribute "${name}"`);
}

/** How a node is named in messages: `node "name" (OpType)`, or by its output when it has no name. */
export function nodeLabel(node: NodeProto): string {
  if (node.name) return `node ${JSON.stringify(node.name)} (${node.op_type})`;
  const out = node.output?.find((o) => o !== '');
  return `unnamed node (${node.op_type})${out === undefined ? '' : ` with output ${JSON.stringify(out)}`}`;
}
