/**
 * @module format/safetensors-write
 * Serialization: tensors laid out in the given order with no gaps, the header padded so that the data
 * starts on an 8-byte boundary.
 */
import { RecurError, formatShape } from '../errors.js';
import { FLOAT_DTYPES, INT_DTYPES, DTYPE_SIZE, METADATA_KEY, clip, show, quote, isIndex, elementCount, type SafeDType, type TensorData, type TensorToWrite } from './safetensors-common.js';
import { numberToBF16Bits, numberToF16Bits } from './half-float.js';
// ---------------------------------------------------------------------------------------------
// Writing

function defaultDType(data: TensorData): SafeDType {
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Float64Array) return 'F64';
  if (data instanceof Int32Array) return 'I32';
  if (data instanceof BigInt64Array) return 'I64';
  return 'U8';
}

function arrayKind(data: TensorData): string {
  return data.constructor.name;
}

/** Which dtypes each array type can be written as. */
function writableAs(data: TensorData): readonly SafeDType[] {
  if (data instanceof Float32Array || data instanceof Float64Array) return FLOAT_DTYPES;
  if (data instanceof Int32Array) return INT_DTYPES;
  if (data instanceof BigInt64Array) return ['I64'];
  return ['U8', 'BOOL'];
}

const INT_RANGE: Partial<Record<SafeDType, [number, number]>> = {
  I16: [-0x8000, 0x7fff], I8: [-0x80, 0x7f], U8: [0, 0xff], BOOL: [0, 1],
};

/** Serialize tensors (laid out in the given order, no gaps) and optional metadata. */
export function serializeSafetensors(
  tensors: readonly TensorToWrite[],
  metadata?: Record<string, string>,
): Uint8Array {
  const names = new Set<string>();
  const headerParts: string[] = [];
  if (metadata !== undefined) {
    const meta = checkMetadataToWrite(metadata);
    if (meta !== undefined) headerParts.push(`${JSON.stringify(METADATA_KEY)}:${meta}`);
  }
  let offset = 0;
  const plans: { t: TensorToWrite; dtype: SafeDType; begin: number }[] = [];
  for (const t of tensors) {
    const dtype = checkTensorToWrite(t, names);
    const size = t.data.length * DTYPE_SIZE[dtype];
    const info = { dtype, shape: [...t.shape], data_offsets: [offset, offset + size] };
    headerParts.push(`${JSON.stringify(t.name)}:${JSON.stringify(info)}`);
    plans.push({ t, dtype, begin: offset });
    offset += size;
  }
  const json = new TextEncoder().encode(`{${headerParts.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  const dataStart = 8 + headerLength;
  for (const p of plans) writeData(view, dataStart + p.begin, p.t, p.dtype);
  return out;
}

/** The metadata object as JSON, or undefined when empty. */
function checkMetadataToWrite(metadata: Record<string, string>): string | undefined {
  const entries = Object.entries(metadata);
  for (const [key, value] of entries) {
    if (typeof value !== 'string') {
      throw new RecurError(`safetensors metadata ${quote(key)}: expected a string, got ${show(value)}`);
    }
  }
  if (entries.length === 0) return undefined;
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
}

function checkTensorToWrite(t: TensorToWrite, names: Set<string>): SafeDType {
  const where = `safetensors tensor ${quote(t.name)}`;
  if (t.name === METADATA_KEY) throw new RecurError(`${where}: expected a tensor name, got the reserved key`);
  if (names.has(t.name)) throw new RecurError(`${where}: expected unique tensor names, got a duplicate`);
  names.add(t.name);
  if (!t.shape.every(isIndex)) {
    throw new RecurError(`${where}: shape: expected non-negative integers, got ${clip(formatShape(t.shape))}`);
  }
  const count = elementCount(t.shape);
  if (count !== t.data.length) {
    throw new RecurError(
      `${where}: expected ${count ?? 'more than 2^53'} elements for shape ${clip(formatShape(t.shape))}, got ${t.data.length}`,
    );
  }
  const dtype = t.dtype ?? defaultDType(t.data);
  if (!writableAs(t.data).includes(dtype)) {
    throw new RecurError(
      `${where}: ${arrayKind(t.data)} can be written as ${writableAs(t.data).join(', ')}, got dtype ${show(dtype)}`,
    );
  }
  checkRange(t, dtype, where);
  return dtype;
}

function checkRange(t: TensorToWrite, dtype: SafeDType, where: string): void {
  const range = INT_RANGE[dtype];
  if (range === undefined || !(t.data instanceof Int32Array || t.data instanceof Uint8Array)) return;
  const [lo, hi] = range;
  const data = t.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < lo || v > hi) {
      throw new RecurError(`${where}: element ${i}: expected a ${dtype} value in [${lo}, ${hi}], got ${v}`);
    }
  }
}

function writeData(view: DataView, at: number, t: TensorToWrite, dtype: SafeDType): void {
  const data = t.data;
  const n = data.length;
  if (data instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) view.setBigInt64(at + 8 * i, data[i]!, true);
    return;
  }
  const values = data as Float32Array | Float64Array | Int32Array | Uint8Array;
  switch (dtype) {
    case 'F64': for (let i = 0; i < n; i++) view.setFloat64(at + 8 * i, values[i]!, true); return;
    case 'F32': for (let i = 0; i < n; i++) view.setFloat32(at + 4 * i, values[i]!, true); return;
    case 'F16': for (let i = 0; i < n; i++) view.setUint16(at + 2 * i, numberToF16Bits(values[i]!), true); return;
    case 'BF16': for (let i = 0; i < n; i++) view.setUint16(at + 2 * i, numberToBF16Bits(values[i]!), true); return;
    case 'I64': for (let i = 0; i < n; i++) view.setBigInt64(at + 8 * i, BigInt(values[i]!), true); return;
    case 'I32': for (let i = 0; i < n; i++) view.setInt32(at + 4 * i, values[i]!, true); return;
    case 'I16': for (let i = 0; i < n; i++) view.setInt16(at + 2 * i, values[i]!, true); return;
    case 'I8': for (let i = 0; i < n; i++) view.setInt8(at + i, values[i]!); return;
    case 'U8':
    case 'BOOL': for (let i = 0; i < n; i++) view.setUint8(at + i, values[i]!); return;
  }
}
