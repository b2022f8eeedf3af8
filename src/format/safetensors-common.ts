/**
 * @module format/safetensors-common
 * The safetensors types, dtype sizes, and the helpers that keep every error message on one line.
 */


/** The element types of the safetensors format. */
export type SafeDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** One tensor of a parsed file. `bytes` is a validated view into the file, possibly unaligned. */
export interface SafeTensor {
  dtype: SafeDType;
  shape: number[];
  bytes: Uint8Array;  // little-endian, validated to fit the shape
}

/** A parsed file: tensors in file order (by data offset), and the `__metadata__` strings. */
export interface SafetensorsFile {
  tensors: Map<string, SafeTensor>;  // by name, in file order
  metadata: Record<string, string>;  // the header's __metadata__ (string values)
}

/** The arrays serializeSafetensors writes (see TensorToWrite for the conversions). */
export type TensorData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

/**
 * A tensor to serialize. `dtype` defaults from the array type (F32, F64, I32, I64, U8). Other
 * targets convert: float arrays to F64/F32/F16/BF16 (rounding to nearest even), Int32Array to
 * I64/I32/I16/I8/U8 (range-checked), Uint8Array to U8 or BOOL (values 0 or 1).
 */
export interface TensorToWrite {
  name: string;
  shape: readonly number[];
  data: TensorData;   // the values, row-major, as many as the shape says
  dtype?: SafeDType;  // the stored type (default: from the array type)
}

/** Bytes per element of each supported dtype. */
export const DTYPE_SIZE: Readonly<Record<SafeDType, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

export const DTYPES = Object.keys(DTYPE_SIZE) as SafeDType[];
export const METADATA_KEY = '__metadata__';
/** Headers beyond this are refused, as the reference implementation does. */
export const MAX_HEADER_BYTES = 100_000_000;
export const DEFAULT_WHAT = 'safetensors file';

// ---------------------------------------------------------------------------------------------
// Message helpers

/** Shorten an arbitrary string so that a message stays readable. */
export function clip(s: string, max = 80): string {
  return s.length <= max ? s : `${s.slice(0, max)}...`;
}

/** A value from the file, shown as JSON on one line and clipped. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  try {
    return clip(JSON.stringify(v));
  } catch {
    return Array.isArray(v) ? 'a deeply nested array' : 'a deeply nested object'; // stack overflow
  }
}

/** A message from elsewhere (a JSON syntax error), on one line and clipped. */
export function oneLine(s: string): string {
  return clip(s.replace(/[\u0000-\u001f\u007f\u2028\u2029\s]+/g, ' '), 120);
}

/** A tensor name, quoted and escaped so that the message stays on one line. */
export function quote(name: string): string {
  return clip(JSON.stringify(name), 82);
}

export function tensorWhere(what: string, name: string): string {
  return `${what}: tensor ${quote(name)}`;
}

export function isDType(v: unknown): v is SafeDType {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_SIZE, v);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Product of the dims, or undefined when it is not a safe integer. */
export function elementCount(shape: readonly number[]): number | undefined {
  if (shape.includes(0)) return 0;
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER) return undefined;
  }
  return n;
}

/** The dtypes that convert to floats, and to int32. */
export const FLOAT_DTYPES: readonly SafeDType[] = ['F32', 'F64', 'F16', 'BF16'];
export const INT_DTYPES: readonly SafeDType[] = ['I32', 'I64', 'I16', 'I8', 'U8'];
