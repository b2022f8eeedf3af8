/**
 * @module format/safetensors-read
 * Parsing: the whole header is validated before any tensor data is touched, and no length is trusted.
 */
import { RecurError, formatShape } from '../errors.js';
import { DTYPE_SIZE, MAX_HEADER_BYTES, DTYPES, METADATA_KEY, DEFAULT_WHAT, clip, show, oneLine, quote, tensorWhere, isDType, isPlainObject, isIndex, elementCount, type SafeDType, type SafeTensor, type SafetensorsFile } from './safetensors-common.js';
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

