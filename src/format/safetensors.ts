/**
 * @module format/safetensors
 * Read and write the Hugging Face safetensors format, bytes in and bytes out (the CLI does file I/O).
 *
 * Layout: an unsigned 64-bit little-endian header length N, N bytes of UTF-8 JSON (padded with
 * spaces), then the data buffer. The JSON maps each tensor name to
 * `{"dtype", "shape", "data_offsets": [begin, end]}` (relative to the data buffer, end exclusive),
 * plus an optional `"__metadata__"` object of strings. Data is row-major little-endian.
 *
 * The parser validates the whole header before any tensor data is touched and trusts no length.
 * Like the reference implementation it requires the tensors to tile the data buffer exactly:
 * sorted by offset, each begins where the previous one ends, and the last ends at the end of the
 * file. So there are no overlaps and no holes, and every byte of the file has one meaning.
 * Every failure is a one-line {@link RecurError} naming the file, the tensor, what was expected and
 * what came.
 */
import { RecurError, formatShape } from '../errors.js';

export type SafeDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** One tensor of a parsed file. `bytes` is a validated view into the file, possibly unaligned. */
export interface SafeTensor {
  dtype: SafeDType;
  shape: number[];
  bytes: Uint8Array;
}

/** A parsed file: tensors in file order (by data offset), and the `__metadata__` strings. */
export interface SafetensorsFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

export type TensorData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

/**
 * A tensor to serialize. `dtype` defaults from the array type (F32, F64, I32, I64, U8). Other
 * targets convert: float arrays to F64/F32/F16/BF16 (rounding to nearest even), Int32Array to
 * I64/I32/I16/I8/U8 (range-checked), Uint8Array to U8 or BOOL (values 0 or 1).
 */
export interface TensorToWrite {
  name: string;
  shape: readonly number[];
  data: TensorData;
  dtype?: SafeDType;
}

/** Bytes per element of each supported dtype. */
export const DTYPE_SIZE: Readonly<Record<SafeDType, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

const DTYPES = Object.keys(DTYPE_SIZE) as SafeDType[];
const METADATA_KEY = '__metadata__';
/** Headers beyond this are refused, as the reference implementation does. */
export const MAX_HEADER_BYTES = 100_000_000;
const DEFAULT_WHAT = 'safetensors file';

// ---------------------------------------------------------------------------------------------
// Message helpers

/** Shorten an arbitrary string so that a message stays readable. */
function clip(s: string, max = 80): string {
  return s.length <= max ? s : `${s.slice(0, max)}...`;
}

/** A value from the file, shown as JSON on one line and clipped. */
function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  try {
    return clip(JSON.stringify(v));
  } catch {
    return Array.isArray(v) ? 'a deeply nested array' : 'a deeply nested object'; // stack overflow
  }
}

/** A message from elsewhere (a JSON syntax error), on one line and clipped. */
function oneLine(s: string): string {
  return clip(s.replace(/[\u0000-\u001f\u007f\u2028\u2029\s]+/g, ' '), 120);
}

/** A tensor name, quoted and escaped so that the message stays on one line. */
function quote(name: string): string {
  return clip(JSON.stringify(name), 82);
}

function tensorWhere(what: string, name: string): string {
  return `${what}: tensor ${quote(name)}`;
}

function isDType(v: unknown): v is SafeDType {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_SIZE, v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Product of the dims, or undefined when it is not a safe integer. */
function elementCount(shape: readonly number[]): number | undefined {
  if (shape.includes(0)) return 0;
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER) return undefined;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Parsing

interface Entry {
  name: string;
  dtype: SafeDType;
  shape: number[];
  begin: number;
  end: number;
}

/** Parse and fully validate a safetensors file. `what` names the file in error messages. */
export function parseSafetensors(file: Uint8Array, what: string = DEFAULT_WHAT): SafetensorsFile {
  const headerLength = readHeaderLength(file, what);
  const { header, text } = readHeaderJson(file, headerLength, what);
  const dataStart = 8 + headerLength;
  const dataLength = file.length - dataStart;
  const metadata = readMetadata(header[METADATA_KEY], what);
  const entries: Entry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name !== METADATA_KEY) entries.push(readEntry(name, value, dataLength, what));
  }
  // By offset; empty tensors sharing an offset keep their header order (which JS objects lose).
  const position = topLevelKeyOrder(text);
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end || position.get(a.name)! - position.get(b.name)!);
  checkTiling(entries, dataLength, what);
  const tensors = new Map<string, SafeTensor>();
  for (const e of entries) {
    const bytes = file.subarray(dataStart + e.begin, dataStart + e.end);
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, bytes });
  }
  return { tensors, metadata };
}

function readHeaderLength(file: Uint8Array, what: string): number {
  if (file.length < 8) {
    throw new RecurError(`${what}: expected at least 8 bytes (the header length), got ${file.length}`);
  }
  const view = new DataView(file.buffer, file.byteOffset, 8);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RecurError(`${what}: header length ${n} is not a safe integer (corrupt file?)`);
  }
  const length = Number(n);
  if (length > MAX_HEADER_BYTES) {
    throw new RecurError(`${what}: header length ${length} exceeds the limit of ${MAX_HEADER_BYTES} bytes (corrupt file?)`);
  }
  if (length > file.length - 8) {
    throw new RecurError(
      `${what}: header length ${length} exceeds the ${file.length - 8} bytes after the length field (truncated file?)`,
    );
  }
  return length;
}

function readHeaderJson(file: Uint8Array, length: number, what: string): { header: Record<string, unknown>; text: string } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(file.subarray(8, 8 + length));
  } catch {
    throw new RecurError(`${what}: header: expected UTF-8 text, got invalid bytes`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    const reason = e instanceof Error ? oneLine(e.message) : 'unparsable';
    throw new RecurError(`${what}: header: expected JSON, got a syntax error (${reason})`);
  }
  if (!isPlainObject(header)) {
    const kind = header === null ? 'null' : Array.isArray(header) ? 'an array' : typeof header;
    throw new RecurError(`${what}: header: expected a JSON object, got ${kind}`);
  }
  return { header, text };
}

/**
 * The keys of a JSON object text, already validated by JSON.parse, in the order they first appear.
 * (Object.entries puts integer-like keys such as "0" first, so it cannot tell.)
 */
function topLevelKeyOrder(text: string): Map<string, number> {
  const order = new Map<string, number>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        if (!order.has(key)) order.set(key, order.size);
        expectKey = false;
      }
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = depth === 1;
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return order;
}

function readMetadata(value: unknown, what: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    throw new RecurError(`${what}: ${METADATA_KEY}: expected an object of strings, got ${show(value)}`);
  }
  const entries: [string, string][] = [];
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new RecurError(`${what}: ${METADATA_KEY} ${quote(key)}: expected a string, got ${show(v)}`);
    }
    entries.push([key, v]);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

function readEntry(name: string, value: unknown, dataLength: number, what: string): Entry {
  const where = tensorWhere(what, name);
  if (!isPlainObject(value)) {
    throw new RecurError(`${where}: expected an object with dtype, shape and data_offsets, got ${show(value)}`);
  }
  const { dtype, shape, data_offsets: offsets } = value;
  if (!isDType(dtype)) {
    throw new RecurError(`${where}: dtype: expected one of ${DTYPES.join(', ')}, got ${show(dtype)}`);
  }
  if (!Array.isArray(shape) || !shape.every(isIndex)) {
    throw new RecurError(`${where}: shape: expected an array of non-negative integers, got ${show(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
    throw new RecurError(`${where}: data_offsets: expected two non-negative integers [begin, end], got ${show(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLength) {
    throw new RecurError(
      `${where}: data_offsets: expected begin <= end <= ${dataLength} (the data length), got [${begin}, ${end}]`,
    );
  }
  checkByteLength(where, dtype, shape as number[], begin, end);
  return { name, dtype, shape: shape as number[], begin, end };
}

function checkByteLength(where: string, dtype: SafeDType, shape: number[], begin: number, end: number): void {
  const count = elementCount(shape);
  const shown = clip(formatShape(shape));
  if (count === undefined) {
    throw new RecurError(`${where}: shape ${shown}: expected at most 2^53 elements, got more`);
  }
  const expected = count * DTYPE_SIZE[dtype];
  if (expected !== end - begin) {
    throw new RecurError(
      `${where}: data_offsets [${begin}, ${end}] do not match dtype ${dtype} and shape ${shown}: ` +
        `expected ${expected} bytes, got ${end - begin}`,
    );
  }
}

/** Sorted entries must cover [0, dataLength) exactly, with no overlap and no hole. */
function checkTiling(entries: readonly Entry[], dataLength: number, what: string): void {
  let at = 0;
  let previous: Entry | undefined;
  for (const e of entries) {
    if (e.begin < at && previous !== undefined) {
      throw new RecurError(
        `${tensorWhere(what, e.name)}: data_offsets [${e.begin}, ${e.end}] overlap tensor ${quote(previous.name)} ` +
          `at [${previous.begin}, ${previous.end}]: expected to begin at ${at}`,
      );
    }
    if (e.begin > at) {
      throw new RecurError(
        `${tensorWhere(what, e.name)}: data_offsets [${e.begin}, ${e.end}] leave bytes [${at}, ${e.begin}) ` +
          `of the data buffer unused: expected to begin at ${at}`,
      );
    }
    at = e.end;
    previous = e;
  }
  if (at !== dataLength) {
    throw new RecurError(
      `${what}: data buffer: expected ${at} bytes (the end of the last tensor), got ${dataLength}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Conversions to JS arrays

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function wrongDType(t: SafeTensor, name: string, accepted: readonly SafeDType[]): RecurError {
  return new RecurError(`tensor ${quote(name)}: expected dtype ${accepted.join(', ')}, got ${t.dtype}`);
}

const FLOAT_DTYPES: readonly SafeDType[] = ['F32', 'F64', 'F16', 'BF16'];
const INT_DTYPES: readonly SafeDType[] = ['I32', 'I64', 'I16', 'I8', 'U8'];

/** Exact value of an IEEE binary16 bit pattern. */
export function f16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}

const bf16Scratch = new Uint32Array(1);
const bf16ScratchFloat = new Float32Array(bf16Scratch.buffer);

/** Exact value of a bfloat16 bit pattern (the top half of a float32). */
export function bf16BitsToNumber(h: number): number {
  bf16Scratch[0] = (h & 0xffff) << 16;
  return bf16ScratchFloat[0]!;
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

// ---------------------------------------------------------------------------------------------
// Float encoding for F16 and BF16

/** floor(log2(a)) for finite a > 0, exactly. */
function exponentOf(a: number): number {
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return e;
}

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * The bit pattern of the binary float with `expBits` exponent and `manBits` fraction bits nearest
 * to x (ties to even), rounding once from the double, with subnormals, signed zero, inf and NaN.
 */
function encodeSmallFloat(x: number, expBits: number, manBits: number): number {
  const bias = (1 << (expBits - 1)) - 1;
  const infinity = ((1 << expBits) - 1) << manBits;
  if (Number.isNaN(x)) return infinity | (1 << (manBits - 1));
  const sign = x < 0 || Object.is(x, -0) ? 1 << (expBits + manBits) : 0;
  const a = Math.abs(x);
  if (a === Infinity) return sign | infinity;
  const minExponent = 1 - bias;
  const e = a === 0 ? minExponent : Math.max(exponentOf(a), minExponent);
  const m = roundHalfEven(a * 2 ** (manBits - e)); // exact scaling; a carry to 2^(manBits+1) is fine
  const bits = (e + bias - 1) * 2 ** manBits + m;
  return bits >= infinity ? sign | infinity : sign | bits;
}

/** IEEE binary16 bits nearest to x (ties to even). */
export function numberToF16Bits(x: number): number {
  return encodeSmallFloat(x, 5, 10);
}

/** bfloat16 bits nearest to x (ties to even). */
export function numberToBF16Bits(x: number): number {
  return encodeSmallFloat(x, 8, 7);
}

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

/** A fresh ArrayBuffer holding exactly these bytes. (Not `bytes.slice()`: on a Node Buffer that is a
 *  view into a shared pool, not a copy.) */
function copyBytes(bytes: Uint8Array): ArrayBuffer {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out.buffer;
}
