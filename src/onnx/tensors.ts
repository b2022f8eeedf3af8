/**
 * @module onnx/tensors
 * ONNX constants (TensorProto) to and from typed arrays. ONNX stores a tensor either in its typed
 * field (float_data, int64_data, ...) or as little-endian bytes in raw_data; both are read, and
 * recur writes raw_data (float32) and int64_data (int64).
 */
import { RecurError } from '../errors.js';
import { DataType, type TensorProto } from './proto.js';

/** A float32 initializer; `data` is row-major over `dims`. */
export function floatTensor(name: string, dims: readonly number[], data: ArrayLike<number>): TensorProto {
  checkSize(name, dims, data.length);
  const raw = new Uint8Array(4 * data.length);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i]!, true);
  return { name, dims: [...dims], data_type: DataType.FLOAT, raw_data: raw };
}

/** An int64 initializer (shapes, axes, indices). */
export function int64Tensor(name: string, dims: readonly number[], data: ArrayLike<number>): TensorProto {
  checkSize(name, dims, data.length);
  return { name, dims: [...dims], data_type: DataType.INT64, int64_data: Array.from(data) };
}

/** The number of elements of a tensor with these dimensions (1 for a scalar). */
export function elementCount(dims: readonly number[]): number {
  return dims.reduce((n, d) => n * d, 1);
}

/** A float tensor's values (FLOAT or DOUBLE, typed field or raw_data) as float64. */
export function readFloats(t: TensorProto, what: string): Float64Array {
  const n = elementCount(t.dims ?? []);
  const type = t.data_type ?? 0;
  let out: Float64Array;
  if (t.raw_data && t.raw_data.length > 0) {
    const size = type === DataType.FLOAT ? 4 : type === DataType.DOUBLE ? 8 : 0;
    if (size === 0) throw new RecurError(`${what}: expected a float or double tensor, got data type ${type}`);
    const view = new DataView(t.raw_data.buffer, t.raw_data.byteOffset, t.raw_data.byteLength);
    if (view.byteLength !== n * size) throw new RecurError(`${what}: expected ${n * size} bytes of data, got ${view.byteLength}`);
    out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = size === 4 ? view.getFloat32(4 * i, true) : view.getFloat64(8 * i, true);
  } else if (type === DataType.FLOAT) {
    out = Float64Array.from(t.float_data ?? []);
  } else if (type === DataType.DOUBLE) {
    out = Float64Array.from(t.double_data ?? []);
  } else {
    throw new RecurError(`${what}: expected a float or double tensor, got data type ${type}`);
  }
  if (out.length !== n) throw new RecurError(`${what}: expected ${n} values for dims [${t.dims ?? []}], got ${out.length}`);
  return out;
}

/** An integer tensor's values (INT64 or INT32, typed field or raw_data) as numbers. */
export function readInts(t: TensorProto, what: string): number[] {
  const n = elementCount(t.dims ?? []);
  const type = t.data_type ?? 0;
  let out: number[];
  if (t.raw_data && t.raw_data.length > 0) {
    const view = new DataView(t.raw_data.buffer, t.raw_data.byteOffset, t.raw_data.byteLength);
    if (type === DataType.INT64) out = Array.from({ length: view.byteLength / 8 }, (_, i) => Number(view.getBigInt64(8 * i, true)));
    else if (type === DataType.INT32) out = Array.from({ length: view.byteLength / 4 }, (_, i) => view.getInt32(4 * i, true));
    else throw new RecurError(`${what}: expected an int64 or int32 tensor, got data type ${type}`);
  } else if (type === DataType.INT64) {
    out = (t.int64_data ?? []).map(Number);
  } else if (type === DataType.INT32) {
    out = (t.int32_data ?? []).map(Number);
  } else {
    throw new RecurError(`${what}: expected an int64 or int32 tensor, got data type ${type}`);
  }
  if (out.length !== n) throw new RecurError(`${what}: expected ${n} values for dims [${t.dims ?? []}], got ${out.length}`);
  return out;
}

function checkSize(name: string, dims: readonly number[], length: number): void {
  const n = elementCount(dims);
  if (n !== length) throw new RecurError(`tensor ${name}: dims [${dims}] hold ${n} values, got ${length}`);
}
