/**
 * @module format/safetensors-convert
 * Copies of parsed tensors as JS arrays, checked against their dtype and shape, from possibly
 * unaligned bytes.
 */
import { RecurError, formatShape } from '../errors.js';
import { FLOAT_DTYPES, INT_DTYPES, DTYPE_SIZE, clip, quote, elementCount, type SafeDType, type SafeTensor } from './safetensors-common.js';
import { bf16BitsToNumber, f16BitsToNumber } from './half-float.js';
// ---------------------------------------------------------------------------------------------
// Conversions to JS arrays

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function wrongDType(t: SafeTensor, name: string, accepted: readonly SafeDType[]): RecurError {
  return new RecurError(`tensor ${quote(name)}: expected dtype ${accepted.join(', ')}, got ${t.dtype}`);
}



/** Element i of a float tensor as a number, read little-endian from a possibly unaligned view. */
function floatReader(t: SafeTensor, name: string): (view: DataView, i: number) => number {
  switch (t.dtype) {
    case 'F32': return (v, i) => v.getFloat32(4 * i, true);
    case 'F64': return (v, i) => v.getFloat64(8 * i, true);
    case 'F16': return (v, i) => f16BitsToNumber(v.getUint16(2 * i, true));
    case 'BF16': return (v, i) => bf16BitsToNumber(v.getUint16(2 * i, true));
    default: throw wrongDType(t, name, FLOAT_DTYPES);
  }
}

function convertFloats<T extends Float32Array | Float64Array>(t: SafeTensor, name: string, out: T): T {
  const read = floatReader(t, name); // dtype already checked
  const view = viewOf(t.bytes);
  for (let i = 0; i < out.length; i++) out[i] = read(view, i);
  return out;
}

/** The element count of a tensor, after checking that its bytes match its dtype and shape. */
function checkedLength(t: SafeTensor, name: string, accepted: readonly SafeDType[]): number {
  if (!accepted.includes(t.dtype)) throw wrongDType(t, name, accepted);
  const count = elementCount(t.shape);
  if (count === undefined || count * DTYPE_SIZE[t.dtype] !== t.bytes.length) {
    throw new RecurError(
      `tensor ${quote(name)}: expected ${count === undefined ? 'fewer' : count * DTYPE_SIZE[t.dtype]} bytes ` +
        `for dtype ${t.dtype} and shape ${clip(formatShape(t.shape))}, got ${t.bytes.length}`,
    );
  }
  return count;
}

/** A float32 copy of an F32, F64 (rounded), F16 or BF16 tensor. */
export function tensorToFloat32(t: SafeTensor, name: string): Float32Array {
  const n = checkedLength(t, name, FLOAT_DTYPES);
  if (t.dtype === 'F32' && LITTLE_ENDIAN) return new Float32Array(copyBytes(t.bytes));
  return convertFloats(t, name, new Float32Array(n));
}

/** A float64 copy of an F32, F64, F16 or BF16 tensor (always exact). */
export function tensorToFloat64(t: SafeTensor, name: string): Float64Array {
  const n = checkedLength(t, name, FLOAT_DTYPES);
  if (t.dtype === 'F64' && LITTLE_ENDIAN) return new Float64Array(copyBytes(t.bytes));
  return convertFloats(t, name, new Float64Array(n));
}

/** An int32 copy of an I32, I64, I16, I8 or U8 tensor; an I64 value outside int32 is an error. */
export function tensorToInt32(t: SafeTensor, name: string): Int32Array {
  const n = checkedLength(t, name, INT_DTYPES);
  if (t.dtype === 'I32' && LITTLE_ENDIAN) return new Int32Array(copyBytes(t.bytes));
  const view = viewOf(t.bytes);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = readInt(t, view, i, name);
  return out;
}

function readInt(t: SafeTensor, view: DataView, i: number, name: string): number {
  switch (t.dtype) {
    case 'I32': return view.getInt32(4 * i, true);
    case 'I16': return view.getInt16(2 * i, true);
    case 'I8': return view.getInt8(i);
    case 'U8': return view.getUint8(i);
    default: {
      const v = view.getBigInt64(8 * i, true);
      if (v < -0x80000000n || v > 0x7fffffffn) {
        throw new RecurError(`tensor ${quote(name)}: element ${i}: expected an I64 value that fits in int32, got ${v}`);
      }
      return Number(v);
    }
  }
}

/** A fresh ArrayBuffer holding exactly these bytes. (Not `bytes.slice()`: on a Node Buffer that is a
 *  view into a shared pool, not a copy.) */
function copyBytes(bytes: Uint8Array): ArrayBuffer {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out.buffer;
}
