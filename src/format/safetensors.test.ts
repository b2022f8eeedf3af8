import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RecurError } from '../errors.js';
import {
  DTYPE_SIZE,
  bf16BitsToNumber,
  f16BitsToNumber,
  numberToBF16Bits,
  numberToF16Bits,
  parseSafetensors,
  serializeSafetensors,
  tensorToFloat32,
  tensorToFloat64,
  tensorToInt32,
  type SafeDType,
  type SafeTensor,
  type SafetensorsFile,
  type TensorToWrite,
} from './safetensors.js';

// ---------------------------------------------------------------------------------------------
// Helpers

const ascii = (s: string): number[] => [...new TextEncoder().encode(s)];

/** A file from a header string (padded with `pad` spaces) and raw data bytes. */
function fileWith(header: string, data: ArrayLike<number> | number = 0, pad = 0): Uint8Array {
  const json = new TextEncoder().encode(header + ' '.repeat(pad));
  const bytes = typeof data === 'number' ? new Uint8Array(data) : Uint8Array.from(data);
  const out = new Uint8Array(8 + json.length + bytes.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(bytes, 8 + json.length);
  return out;
}

/** A file whose 8-byte length prefix says `n` followed by `rest` bytes. */
function withLength(n: bigint, rest: number): Uint8Array {
  const out = new Uint8Array(8 + rest);
  new DataView(out.buffer).setBigUint64(0, n, true);
  return out;
}

function throwsRecur(f: () => unknown, message: string | RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof RecurError, `expected a RecurError, got ${String(e)}`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    assert.ok(!/[\n\r]/.test(e.message), 'message is one line');
    return true;
  });
}

const parseAs = (file: Uint8Array): SafetensorsFile => parseSafetensors(file, 'in.safetensors');
const parseThrows = (file: Uint8Array, message: string | RegExp): void =>
  throwsRecur(() => parseAs(file), message);

/** A tensor view placed at an odd byte offset, to exercise unaligned reads. */
function unaligned(dtype: SafeDType, shape: number[], bytes: number[]): SafeTensor {
  const buffer = new Uint8Array(bytes.length + 3);
  buffer.set(bytes, 1);
  return { dtype, shape, bytes: buffer.subarray(1, 1 + bytes.length) };
}

function u16le(values: number[]): number[] {
  return values.flatMap((v) => [v & 0xff, v >> 8]);
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Everything a successful parse promises about its result. */
function assertValidParse(file: Uint8Array, parsed: SafetensorsFile): void {
  const views = [...parsed.tensors.values()].map((t) => {
    assert.ok(Object.prototype.hasOwnProperty.call(DTYPE_SIZE, t.dtype));
    assert.ok(t.shape.every((d) => Number.isSafeInteger(d) && d >= 0));
    assert.equal(t.bytes.length, product(t.shape) * DTYPE_SIZE[t.dtype]);
    assert.equal(t.bytes.buffer, file.buffer);
    return [t.bytes.byteOffset - file.byteOffset, t.bytes.length] as const;
  });
  const dataStart = 8 + Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  let at = dataStart;
  for (const [begin, length] of views) {
    assert.equal(begin, at, 'tensors tile the data buffer in order');
    at += length;
  }
  assert.equal(at, file.length);
  for (const v of Object.values(parsed.metadata)) assert.equal(typeof v, 'string');
}

// ---------------------------------------------------------------------------------------------
// Round trips

describe('safetensors round trips', () => {
  const cases: { dtype: SafeDType; data: TensorToWrite['data']; back: (t: SafeTensor) => Iterable<number | bigint> }[] = [
    { dtype: 'F32', data: Float32Array.of(1, -2.5, 0.1, Infinity, -0, 3e38), back: (t) => tensorToFloat32(t, 'x') },
    { dtype: 'F64', data: Float64Array.of(1, -2.5, 0.1, -Infinity, 1e-310, Math.PI), back: (t) => tensorToFloat64(t, 'x') },
    { dtype: 'F16', data: Float32Array.of(1, -2.5, 65504, 2 ** -24, -Infinity, 0.5), back: (t) => tensorToFloat32(t, 'x') },
    { dtype: 'BF16', data: Float64Array.of(1, -2.5, 2 ** -133, 3.3895313892515355e38, Infinity, 0.5), back: (t) => tensorToFloat64(t, 'x') },
    { dtype: 'I64', data: BigInt64Array.of(1n, -2n, 2n ** 62n, -(2n ** 63n), 0n, 7n), back: (t) => readI64(t) },
    { dtype: 'I32', data: Int32Array.of(1, -2, 2 ** 31 - 1, -(2 ** 31), 0, 7), back: (t) => tensorToInt32(t, 'x') },
    { dtype: 'I16', data: Int32Array.of(1, -2, 32767, -32768, 0, 7), back: (t) => tensorToInt32(t, 'x') },
    { dtype: 'I8', data: Int32Array.of(1, -2, 127, -128, 0, 7), back: (t) => tensorToInt32(t, 'x') },
    { dtype: 'U8', data: Uint8Array.of(1, 2, 255, 0, 128, 7), back: (t) => tensorToInt32(t, 'x') },
    { dtype: 'BOOL', data: Uint8Array.of(1, 0, 0, 1, 1, 0), back: (t) => t.bytes },
  ];

  function readI64(t: SafeTensor): BigInt64Array {
    const view = new DataView(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
    return BigInt64Array.from({ length: t.bytes.length / 8 }, (_, i) => view.getBigInt64(8 * i, true));
  }

  for (const { dtype, data, back } of cases) {
    it(`writes and reads ${dtype}: shaped, empty and scalar`, () => {
      const scalar = data.slice(0, 1) as TensorToWrite['data'];
      const empty = data.slice(0, 0) as TensorToWrite['data'];
      const file = serializeSafetensors([
        { name: 'm', shape: [2, 3], data, dtype },
        { name: 'empty', shape: [2, 0, 3], data: empty, dtype },
        { name: 's', shape: [], data: scalar, dtype },
      ]);
      const parsed = parseAs(file);
      assertValidParse(file, parsed);
      assert.deepEqual([...parsed.tensors.keys()], ['m', 'empty', 's']);
      const m = parsed.tensors.get('m')!;
      assert.equal(m.dtype, dtype);
      assert.deepEqual(m.shape, [2, 3]);
      assert.equal(m.bytes.length, 6 * DTYPE_SIZE[dtype]);
      assert.deepEqual([...back(m)], [...data]);
      assert.deepEqual(parsed.tensors.get('empty')!.shape, [2, 0, 3]);
      assert.deepEqual([...back(parsed.tensors.get('empty')!)], []);
      assert.deepEqual(parsed.tensors.get('s')!.shape, []);
      assert.deepEqual([...back(parsed.tensors.get('s')!)], [...scalar]);
    });
  }

  it('defaults dtype from the array type', () => {
    const file = serializeSafetensors([
      { name: 'f32', shape: [1], data: Float32Array.of(1) },
      { name: 'f64', shape: [1], data: Float64Array.of(1) },
      { name: 'i32', shape: [1], data: Int32Array.of(1) },
      { name: 'i64', shape: [1], data: BigInt64Array.of(1n) },
      { name: 'u8', shape: [1], data: Uint8Array.of(1) },
    ]);
    const dtypes = [...parseAs(file).tensors.values()].map((t) => t.dtype);
    assert.deepEqual(dtypes, ['F32', 'F64', 'I32', 'I64', 'U8']);
  });

  it('keeps the given order, even for integer-like names, and aligns the data to 8 bytes', () => {
    const names = ['b', '10', 'a', '2', '__proto__', 'ünï "quoted"\n'];
    const file = serializeSafetensors(names.map((name, i) => ({ name, shape: [1], data: Uint8Array.of(i) })));
    const n = Number(new DataView(file.buffer).getBigUint64(0, true));
    assert.equal((8 + n) % 8, 0);
    assert.equal(file.length, 8 + n + names.length);
    const parsed = parseAs(file);
    assert.deepEqual([...parsed.tensors.keys()], names);
    assert.deepEqual(names.map((name) => parsed.tensors.get(name)!.bytes[0]), [0, 1, 2, 3, 4, 5]);
  });

  it('round-trips metadata', () => {
    const metadata = { format: 'pt', '__proto__': 'x', 'line\nbreak': 'ünïcode ✓', empty: '' };
    const parsed = parseAs(serializeSafetensors([{ name: 'a', shape: [], data: Float32Array.of(1) }], metadata));
    assert.deepEqual(Object.entries(parsed.metadata), Object.entries(metadata));
    assert.equal(Object.getPrototypeOf(parsed.metadata), Object.prototype);
    assert.deepEqual(parseAs(serializeSafetensors([], {})).metadata, {});
    assert.deepEqual(parseAs(serializeSafetensors([])).tensors.size, 0);
  });

  it('rounds wider floats when writing narrower ones', () => {
    const file = serializeSafetensors([
      { name: 'f32', shape: [1], data: Float64Array.of(0.1), dtype: 'F32' },
      { name: 'f64', shape: [1], data: Float32Array.of(0.1), dtype: 'F64' },
    ]);
    const parsed = parseAs(file);
    assert.equal(tensorToFloat64(parsed.tensors.get('f32')!, 'f32')[0], Math.fround(0.1));
    assert.equal(tensorToFloat64(parsed.tensors.get('f64')!, 'f64')[0], Math.fround(0.1));
    assert.equal(tensorToInt32(parseAs(serializeSafetensors([{ name: 'x', shape: [1], data: Int32Array.of(-5), dtype: 'I64' }])).tensors.get('x')!, 'x')[0], -5);
  });

  it('property: random tensors survive a round trip', () => {
    const shapeArb = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 });
    const tensorArb = fc.tuple(shapeArb, fc.constantFrom<SafeDType>('F64', 'F32', 'I32', 'U8')).chain(([shape, dtype]) => {
      const n = product(shape);
      const values =
        dtype === 'U8' ? fc.array(fc.integer({ min: 0, max: 255 }), { minLength: n, maxLength: n })
          : dtype === 'I32' ? fc.array(fc.integer(), { minLength: n, maxLength: n })
            : fc.array(fc.double(), { minLength: n, maxLength: n });
      return values.map((v) => ({ shape, dtype, v }));
    });
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.string(), tensorArb), { selector: ([name]) => name, maxLength: 5 }), (list) => {
        const tensors = list
          .filter(([name]) => name !== '__metadata__')
          .map(([name, { shape, dtype, v }]): TensorToWrite => {
            const data = dtype === 'U8' ? Uint8Array.from(v) : dtype === 'I32' ? Int32Array.from(v)
              : dtype === 'F32' ? Float32Array.from(v) : Float64Array.from(v);
            return { name, shape, data };
          });
        const file = serializeSafetensors(tensors);
        const parsed = parseAs(file);
        assertValidParse(file, parsed);
        assert.deepEqual([...parsed.tensors.keys()], tensors.map((t) => t.name));
        for (const t of tensors) {
          const got = parsed.tensors.get(t.name)!;
          assert.deepEqual(got.shape, t.shape);
          assert.deepEqual(new Uint8Array(got.bytes), new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
        }
      }),
      { numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Byte-exact compatibility with Python's safetensors

describe('safetensors byte layout', () => {
  it("matches what Python's safetensors writes for save_file({'a': tensor([1., 2.])})", () => {
    const header = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    assert.equal(header.length, 54); // padded with 2 spaces to 56, so the data starts at byte 64
    const expected = Uint8Array.from([
      56, 0, 0, 0, 0, 0, 0, 0,
      ...ascii(header), 0x20, 0x20,
      0x00, 0x00, 0x80, 0x3f, // 1.0f
      0x00, 0x00, 0x00, 0x40, // 2.0f
    ]);
    const written = serializeSafetensors([{ name: 'a', shape: [2], data: Float32Array.of(1, 2) }]);
    assert.deepEqual(written, expected);
    const parsed = parseAs(expected);
    assert.deepEqual([...tensorToFloat32(parsed.tensors.get('a')!, 'a')], [1, 2]);
  });

  it("matches Python's output with metadata: __metadata__ first and space padding", () => {
    const header = '{"__metadata__":{"format":"pt"},"w":{"dtype":"I64","shape":[],"data_offsets":[0,8]}}';
    assert.equal(header.length, 84); // padded with 4 spaces to 88
    const expected = Uint8Array.from([
      88, 0, 0, 0, 0, 0, 0, 0,
      ...ascii(header), 0x20, 0x20, 0x20, 0x20,
      0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // -2 as int64
    ]);
    const written = serializeSafetensors([{ name: 'w', shape: [], data: BigInt64Array.of(-2n) }], { format: 'pt' });
    assert.deepEqual(written, expected);
    const parsed = parseAs(expected);
    assert.deepEqual(parsed.metadata, { format: 'pt' });
    assert.deepEqual([...tensorToInt32(parsed.tensors.get('w')!, 'w')], [-2]);
  });

  it('matches the reference output for a file with no tensors, with and without metadata', () => {
    const empty = Uint8Array.from([8, 0, 0, 0, 0, 0, 0, 0, ...ascii('{}      ')]);
    assert.deepEqual(serializeSafetensors([]), empty);
    const header = '{"__metadata__":{"framework":"pt"}}'; // 35 bytes, padded with 5 spaces to 40
    const withMeta = Uint8Array.from([40, 0, 0, 0, 0, 0, 0, 0, ...ascii(header + '     ')]);
    assert.deepEqual(serializeSafetensors([], { framework: 'pt' }), withMeta);
    assert.equal(parseAs(empty).tensors.size, 0);
    assert.deepEqual(parseAs(withMeta).metadata, { framework: 'pt' });
  });

  it('keeps header order for empty tensors that share an offset, integer-like names included', () => {
    const names = ['', 'b', '1', '0', '{"\\', 'a'];
    const file = serializeSafetensors(names.map((name) => ({ name, shape: [0, 2], data: new Float32Array(0) })));
    assert.deepEqual([...parseAs(file).tensors.keys()], names);
    const header = '{"x":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"__metadata__":{"k":"[{\\",\\""},' +
      '"7":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}, "y" : {"dtype":"U8","shape":[0],"data_offsets":[0,0]}}';
    assert.deepEqual([...parseAs(fileWith(header)).tensors.keys()], ['x', '7', 'y']);
  });

  it('orders tensors by data offset, not by header key order', () => {
    const header =
      '{"z":{"dtype":"U8","shape":[1],"data_offsets":[1,2]},"e":{"dtype":"U8","shape":[0],"data_offsets":[2,2]},' +
      '"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}';
    const parsed = parseAs(fileWith(header, [10, 20]));
    assert.deepEqual([...parsed.tensors.keys()], ['a', 'z', 'e']);
    assert.equal(parsed.tensors.get('z')!.bytes[0], 20);
  });

  it('accepts any JSON whitespace as padding and an unaligned data buffer', () => {
    const header = '{"a":{"dtype":"I16","shape":[1],"data_offsets":[0,2]}}\t\n ';
    const parsed = parseAs(fileWith(header, [0x34, 0x12], 1));
    assert.deepEqual([...tensorToInt32(parsed.tensors.get('a')!, 'a')], [0x1234]);
  });
});

// ---------------------------------------------------------------------------------------------
// Conversions

describe('safetensors conversions', () => {
  const f16Cases: [number, number][] = [
    [0x3c00, 1], [0xc100, -2.5], [0x7bff, 65504], [0x0001, 2 ** -24], [0x03ff, 1023 * 2 ** -24],
    [0x0400, 2 ** -14], [0x7c00, Infinity], [0xfc00, -Infinity], [0x8000, -0], [0x0000, 0], [0x3555, 0.333251953125],
  ];
  const bf16Cases: [number, number][] = [
    [0x3f80, 1], [0xc020, -2.5], [0x7f7f, 3.3895313892515355e38], [0x0001, 2 ** -133], [0x0080, 2 ** -126],
    [0x7f80, Infinity], [0xff80, -Infinity], [0x8000, -0], [0x477f, 65280],
  ];

  it('decodes F16 exactly, including subnormals, infinities and NaN, from unaligned bytes', () => {
    const bits = [...f16Cases.map(([b]) => b), 0x7e00, 0xfe01];
    const t = unaligned('F16', [bits.length], u16le(bits));
    const want = [...f16Cases.map(([, v]) => v), NaN, NaN];
    assert.deepEqual([...tensorToFloat64(t, 'h')], want);
    assert.deepEqual([...tensorToFloat32(t, 'h')], want);
  });

  it('decodes BF16 exactly, including subnormals, infinities and NaN, from unaligned bytes', () => {
    const bits = [...bf16Cases.map(([b]) => b), 0x7fc0, 0xffc1];
    const t = unaligned('BF16', [bits.length], u16le(bits));
    const want = [...bf16Cases.map(([, v]) => v), NaN, NaN];
    assert.deepEqual([...tensorToFloat64(t, 'h')], want);
    assert.deepEqual([...tensorToFloat32(t, 'h')], want);
  });

  it('encodes the same cases back to the same bits', () => {
    for (const [bits, v] of f16Cases) assert.equal(numberToF16Bits(v), bits, `F16 ${v}`);
    for (const [bits, v] of bf16Cases) assert.equal(numberToBF16Bits(v), bits, `BF16 ${v}`);
    assert.ok(Number.isNaN(f16BitsToNumber(numberToF16Bits(NaN))));
    assert.ok(Number.isNaN(bf16BitsToNumber(numberToBF16Bits(NaN))));
  });

  it('every F16 and BF16 bit pattern survives decode then encode', () => {
    for (let h = 0; h < 0x10000; h++) {
      const f = f16BitsToNumber(h);
      if (!Number.isNaN(f)) assert.equal(numberToF16Bits(f), h);
      const b = bf16BitsToNumber(h);
      if (!Number.isNaN(b)) assert.equal(numberToBF16Bits(b), h);
    }
  });

  it('encodes with one rounding, to nearest, ties to even', () => {
    assert.equal(numberToF16Bits(1 + 2 ** -11), 0x3c00); // tie: down to even
    assert.equal(numberToF16Bits(1 + 3 * 2 ** -11), 0x3c02); // tie: up to even
    assert.equal(numberToF16Bits(1 + 2 ** -11 + 2 ** -40), 0x3c01); // a float32 detour would round twice
    assert.equal(numberToF16Bits(65519.99), 0x7bff);
    assert.equal(numberToF16Bits(65520), 0x7c00);
    assert.equal(numberToF16Bits(-1e300), 0xfc00);
    assert.equal(numberToF16Bits(2 ** -25), 0x0000); // tie with zero
    assert.equal(numberToF16Bits(2 ** -25 * 1.5), 0x0001);
    assert.equal(numberToF16Bits(2 ** -14 - 2 ** -26), 0x0400); // subnormal rounds up to the smallest normal
    assert.equal(numberToF16Bits(-5e-324), 0x8000);
    assert.equal(numberToBF16Bits(1 + 2 ** -8 + 2 ** -30), 0x3f81);
    assert.equal(numberToBF16Bits(1 + 2 ** -8), 0x3f80);
    assert.equal(numberToBF16Bits(1e39), 0x7f80);
  });

  it('property: encoding picks a nearest F16/BF16 value', () => {
    const nearest = (encode: (x: number) => number, decode: (h: number) => number) => (x: number) => {
      const h = encode(x);
      const d = Math.abs(decode(h) - x);
      if (!Number.isFinite(decode(h))) return;
      for (const other of [h - 1, h + 1]) {
        if (other < 0 || other > 0xffff || (other & 0x8000) !== (h & 0x8000)) continue; // same sign only
        const v = decode(other);
        if (!Number.isNaN(v)) assert.ok(Math.abs(v - x) >= d, `${x}: ${h.toString(16)} vs ${other.toString(16)}`);
      }
    };
    fc.assert(fc.property(fc.double({ min: -70000, max: 70000, noNaN: true }), nearest(numberToF16Bits, f16BitsToNumber)), { numRuns: 300 });
    fc.assert(fc.property(fc.double({ noNaN: true }), nearest(numberToBF16Bits, bf16BitsToNumber)), { numRuns: 300 });
  });

  it('reads integers from unaligned bytes', () => {
    assert.deepEqual([...tensorToInt32(unaligned('I32', [2], [1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff]), 'i')], [1, -2]);
    assert.deepEqual([...tensorToInt32(unaligned('I16', [2], [1, 0, 0xfe, 0xff]), 'i')], [1, -2]);
    assert.deepEqual([...tensorToInt32(unaligned('I8', [2], [1, 0xfe]), 'i')], [1, -2]);
    assert.deepEqual([...tensorToInt32(unaligned('U8', [2], [1, 0xfe]), 'i')], [1, 254]);
    const i64 = unaligned('I64', [2], [0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0xff]);
    assert.deepEqual([...tensorToInt32(i64, 'i')], [2 ** 31 - 1, -(2 ** 31)]);
    assert.deepEqual([...tensorToFloat32(unaligned('F32', [1], [0, 0, 0x80, 0x3f]), 'f')], [1]);
    assert.deepEqual([...tensorToFloat64(unaligned('F64', [1], [0, 0, 0, 0, 0, 0, 0xf0, 0x3f]), 'f')], [1]);
  });

  it('rejects the wrong dtype, naming the tensor, what was expected and what came', () => {
    const i64 = unaligned('I64', [1], [1, 0, 0, 0, 0, 0, 0, 0]);
    throwsRecur(() => tensorToFloat32(i64, 'rnn.weight'), 'tensor "rnn.weight": expected dtype F32, F64, F16, BF16, got I64');
    throwsRecur(() => tensorToFloat64(unaligned('BOOL', [1], [1]), 'b'), 'tensor "b": expected dtype F32, F64, F16, BF16, got BOOL');
    throwsRecur(() => tensorToInt32(unaligned('F32', [1], [0, 0, 0, 0]), 'f'), 'tensor "f": expected dtype I32, I64, I16, I8, U8, got F32');
  });

  it('rejects I64 values that do not fit in int32', () => {
    const big = unaligned('I64', [2], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0]);
    throwsRecur(() => tensorToInt32(big, 'idx'), 'tensor "idx": element 1: expected an I64 value that fits in int32, got 2147483648');
  });

  it('rejects a hand-made tensor whose bytes do not match its shape', () => {
    throwsRecur(() => tensorToFloat32(unaligned('F32', [2], [0, 0, 0]), 'x'), 'tensor "x": expected 8 bytes for dtype F32 and shape (2), got 3');
  });
});

// ---------------------------------------------------------------------------------------------
// Validation

describe('safetensors validation', () => {
  const entry = (dtype: unknown, shape: unknown, offsets: unknown): string =>
    JSON.stringify({ x: { dtype, shape, data_offsets: offsets } });

  it('rejects a file shorter than the length prefix', () => {
    parseThrows(new Uint8Array(5), 'in.safetensors: expected at least 8 bytes (the header length), got 5');
    throwsRecur(() => parseSafetensors(new Uint8Array(0)), 'safetensors file: expected at least 8 bytes (the header length), got 0');
  });

  it('rejects header lengths that are too large, absurd or unsafe', () => {
    parseThrows(withLength(100n, 20), 'in.safetensors: header length 100 exceeds the 20 bytes after the length field (truncated file?)');
    parseThrows(withLength(200_000_000n, 20), 'in.safetensors: header length 200000000 exceeds the limit of 100000000 bytes (corrupt file?)');
    parseThrows(withLength(2n ** 64n - 1n, 20), 'in.safetensors: header length 18446744073709551615 is not a safe integer (corrupt file?)');
    parseThrows(withLength(2n ** 53n, 0), 'in.safetensors: header length 9007199254740992 is not a safe integer (corrupt file?)');
  });

  it('rejects a header that is not UTF-8, not JSON or not an object', () => {
    const bad = withLength(4n, 4);
    bad.set([0x7b, 0xff, 0xfe, 0x7d], 8);
    parseThrows(bad, 'in.safetensors: header: expected UTF-8 text, got invalid bytes');
    parseThrows(fileWith('{"a":'), /^in\.safetensors: header: expected JSON, got a syntax error \(.+\)$/);
    parseThrows(fileWith('\ufeff{}'), /^in\.safetensors: header: expected JSON, got a syntax error/); // BOM
    parseThrows(fileWith('{}\n\u0000'), /^in\.safetensors: header: expected JSON, got a syntax error/);
    parseThrows(fileWith(''), /^in\.safetensors: header: expected JSON, got a syntax error/);
    parseThrows(fileWith('[]'), 'in.safetensors: header: expected a JSON object, got an array');
    parseThrows(fileWith('null'), 'in.safetensors: header: expected a JSON object, got null');
    parseThrows(fileWith('"{}"'), 'in.safetensors: header: expected a JSON object, got string');
  });

  it('rejects __metadata__ that is not an object of strings', () => {
    parseThrows(fileWith('{"__metadata__":"pt"}'), 'in.safetensors: __metadata__: expected an object of strings, got "pt"');
    parseThrows(fileWith('{"__metadata__":null}'), 'in.safetensors: __metadata__: expected an object of strings, got null');
    parseThrows(fileWith('{"__metadata__":["a"]}'), 'in.safetensors: __metadata__: expected an object of strings, got ["a"]');
    parseThrows(fileWith('{"__metadata__":{"v":1}}'), 'in.safetensors: __metadata__ "v": expected a string, got 1');
  });

  it('rejects an entry that is not an object', () => {
    parseThrows(fileWith('{"x":[1,2]}'), 'in.safetensors: tensor "x": expected an object with dtype, shape and data_offsets, got [1,2]');
    parseThrows(fileWith('{"x\\ny":null}'), 'in.safetensors: tensor "x\\ny": expected an object with dtype, shape and data_offsets, got null');
  });

  it('rejects unknown or missing dtypes', () => {
    const all = 'F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL';
    parseThrows(fileWith(entry('F8_E4M3', [1], [0, 1]), 1), `in.safetensors: tensor "x": dtype: expected one of ${all}, got "F8_E4M3"`);
    parseThrows(fileWith(entry(undefined, [1], [0, 1]), 1), `in.safetensors: tensor "x": dtype: expected one of ${all}, got nothing`);
    parseThrows(fileWith(entry('toString', [1], [0, 1]), 1), `in.safetensors: tensor "x": dtype: expected one of ${all}, got "toString"`);
  });

  it('rejects shapes that are not arrays of non-negative safe integers', () => {
    const msg = (got: string): string => `in.safetensors: tensor "x": shape: expected an array of non-negative integers, got ${got}`;
    parseThrows(fileWith(entry('U8', 2, [0, 2]), 2), msg('2'));
    parseThrows(fileWith(entry('U8', [-1], [0, 0])), msg('[-1]'));
    parseThrows(fileWith(entry('U8', [1.5], [0, 0])), msg('[1.5]'));
    parseThrows(fileWith(entry('U8', ['2'], [0, 2]), 2), msg('["2"]'));
    parseThrows(fileWith('{"x":{"dtype":"U8","shape":[9007199254740993],"data_offsets":[0,0]}}'), msg('[9007199254740992]'));
  });

  it('rejects shapes with more than 2^53 elements', () => {
    parseThrows(
      fileWith(entry('U8', [2 ** 30, 2 ** 30, 2 ** 30], [0, 0])),
      'in.safetensors: tensor "x": shape (1073741824, 1073741824, 1073741824): expected at most 2^53 elements, got more',
    );
  });

  it('rejects bad data_offsets', () => {
    const msg = (got: string): string =>
      `in.safetensors: tensor "x": data_offsets: expected two non-negative integers [begin, end], got ${got}`;
    parseThrows(fileWith(entry('U8', [0], [0])), msg('[0]'));
    parseThrows(fileWith(entry('U8', [0], [0, 0, 0])), msg('[0,0,0]'));
    parseThrows(fileWith(entry('U8', [0], [-1, 0])), msg('[-1,0]'));
    parseThrows(fileWith(entry('U8', [0], null)), msg('null'));
    parseThrows(fileWith(entry('U8', [0], undefined)), msg('nothing'));
    parseThrows(fileWith(entry('U8', [1], [2, 1]), 2), 'in.safetensors: tensor "x": data_offsets: expected begin <= end <= 2 (the data length), got [2, 1]');
    parseThrows(fileWith(entry('U8', [3], [0, 3]), 2), 'in.safetensors: tensor "x": data_offsets: expected begin <= end <= 2 (the data length), got [0, 3]');
  });

  it('rejects a byte length that does not match dtype and shape', () => {
    parseThrows(
      fileWith(entry('F32', [2, 3], [0, 100]), 100),
      'in.safetensors: tensor "x": data_offsets [0, 100] do not match dtype F32 and shape (2, 3): expected 24 bytes, got 100',
    );
    parseThrows(
      fileWith(entry('BF16', [], [0, 4]), 4),
      'in.safetensors: tensor "x": data_offsets [0, 4] do not match dtype BF16 and shape (): expected 2 bytes, got 4',
    );
  });

  it('rejects overlapping tensors', () => {
    const header = '{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}}';
    parseThrows(fileWith(header, 4), 'in.safetensors: tensor "b": data_offsets [2, 4] overlap tensor "a" at [0, 4]: expected to begin at 4');
    const same = '{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"I32","shape":[],"data_offsets":[0,4]}}';
    parseThrows(fileWith(same, 4), 'in.safetensors: tensor "b": data_offsets [0, 4] overlap tensor "a" at [0, 4]: expected to begin at 4');
  });

  it('rejects holes in the data buffer', () => {
    const gap = '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"U8","shape":[1],"data_offsets":[3,4]}}';
    parseThrows(fileWith(gap, 4), 'in.safetensors: tensor "b": data_offsets [3, 4] leave bytes [1, 3) of the data buffer unused: expected to begin at 1');
    parseThrows(fileWith(entry('U8', [1], [1, 2]), 2), 'in.safetensors: tensor "x": data_offsets [1, 2] leave bytes [0, 1) of the data buffer unused: expected to begin at 0');
    parseThrows(fileWith(entry('U8', [1], [0, 1]), 3), 'in.safetensors: data buffer: expected 1 bytes (the end of the last tensor), got 3');
    parseThrows(fileWith('{}', 1), 'in.safetensors: data buffer: expected 0 bytes (the end of the last tensor), got 1');
  });

  it('keeps messages short for huge or deeply nested values', () => {
    const deep = `{"x":{"dtype":"U8","shape":${'['.repeat(20000)}${']'.repeat(20000)},"data_offsets":[0,0]}}`;
    parseThrows(fileWith(deep), /shape: expected an array of non-negative integers, got (a deeply nested array|\[\[\[)/);
    const long = `{"${'n'.repeat(5000)}":1}`;
    assert.throws(() => parseAs(fileWith(long)), (e: Error) => e instanceof RecurError && e.message.length < 300);
  });
});

describe('safetensors writer validation', () => {
  const f = Float32Array.of(1, 2);
  it('rejects duplicate and reserved names', () => {
    throwsRecur(
      () => serializeSafetensors([{ name: 'a', shape: [2], data: f }, { name: 'a', shape: [2], data: f }]),
      'safetensors tensor "a": expected unique tensor names, got a duplicate',
    );
    throwsRecur(
      () => serializeSafetensors([{ name: '__metadata__', shape: [2], data: f }]),
      'safetensors tensor "__metadata__": expected a tensor name, got the reserved key',
    );
  });

  it('rejects data whose length does not match the shape, and bad shapes', () => {
    throwsRecur(() => serializeSafetensors([{ name: 'a', shape: [3], data: f }]), 'safetensors tensor "a": expected 3 elements for shape (3), got 2');
    throwsRecur(() => serializeSafetensors([{ name: 'a', shape: [], data: f }]), 'safetensors tensor "a": expected 1 elements for shape (), got 2');
    throwsRecur(() => serializeSafetensors([{ name: 'a', shape: [-2, -1], data: f }]), 'safetensors tensor "a": shape: expected non-negative integers, got (-2, -1)');
  });

  it('rejects dtypes the array cannot be written as, and values out of range', () => {
    throwsRecur(
      () => serializeSafetensors([{ name: 'a', shape: [2], data: f, dtype: 'I32' }]),
      'safetensors tensor "a": Float32Array can be written as F32, F64, F16, BF16, got dtype "I32"',
    );
    throwsRecur(
      () => serializeSafetensors([{ name: 'a', shape: [2], data: Int32Array.of(1, 300), dtype: 'I8' }]),
      'safetensors tensor "a": element 1: expected a I8 value in [-128, 127], got 300',
    );
    throwsRecur(
      () => serializeSafetensors([{ name: 'a', shape: [1], data: Uint8Array.of(2), dtype: 'BOOL' }]),
      'safetensors tensor "a": element 0: expected a BOOL value in [0, 1], got 2',
    );
    throwsRecur(
      () => serializeSafetensors([{ name: 'a', shape: [1], data: BigInt64Array.of(1n), dtype: 'I32' }]),
      'safetensors tensor "a": BigInt64Array can be written as I64, got dtype "I32"',
    );
  });

  it('rejects metadata values that are not strings', () => {
    throwsRecur(
      () => serializeSafetensors([], { v: 1 } as unknown as Record<string, string>),
      'safetensors metadata "v": expected a string, got 1',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Robustness properties

describe('safetensors robustness', () => {
  function parseOrRecurError(file: Uint8Array): void {
    let parsed: SafetensorsFile;
    try {
      parsed = parseSafetensors(file, 'fuzz');
    } catch (e) {
      assert.ok(e instanceof RecurError, `expected a RecurError, got ${String(e)}`);
      assert.ok(e.message.startsWith('fuzz: ') || e.message.startsWith('fuzz'), e.message);
      assert.ok(!/[\n\r]/.test(e.message));
      return;
    }
    assertValidParse(file, parsed);
    for (const [name, t] of parsed.tensors) {
      if (['F32', 'F64', 'F16', 'BF16'].includes(t.dtype)) tensorToFloat64(t, name);
    }
  }

  const base = serializeSafetensors(
    [
      { name: 'w', shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) },
      { name: 'b', shape: [3], data: Int32Array.of(7, 8, 9), dtype: 'I16' },
      { name: 'e', shape: [0], data: new Float64Array(0) },
      { name: 'h', shape: [], data: Float32Array.of(0.5), dtype: 'BF16' },
    ],
    { format: 'pt' },
  );

  it('property: any byte mutation or truncation gives a valid parse or a RecurError', () => {
    const mutation = fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 }));
    fc.assert(
      fc.property(fc.array(mutation, { maxLength: 4 }), fc.nat({ max: base.length }), fc.boolean(), (edits, cut, truncate) => {
        const file = base.slice();
        for (const [i, v] of edits) file[i] = v;
        parseOrRecurError(truncate ? file.subarray(0, cut) : file);
      }),
      { numRuns: 1000 },
    );
  });

  it('property: mutations inside the header digits and quotes are handled', () => {
    // Target the JSON text: swap any header byte for a JSON-significant character.
    const n = Number(new DataView(base.buffer).getBigUint64(0, true));
    const edit = fc.tuple(fc.integer({ min: 8, max: 8 + n - 1 }), fc.constantFrom(...ascii('0123456789[]{}",:- e.')));
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const file = base.slice();
        for (const [i, v] of edits) file[i] = v;
        parseOrRecurError(file);
      }),
      { numRuns: 1000 },
    );
  });

  it('property: random JSON headers give a valid parse or a RecurError', () => {
    const plausible = fc.record(
      {
        dtype: fc.oneof(fc.constantFrom(...Object.keys(DTYPE_SIZE), 'U16', ''), fc.jsonValue()),
        shape: fc.oneof(fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 3 }), fc.jsonValue()),
        data_offsets: fc.oneof(fc.tuple(fc.integer({ min: -1, max: 40 }), fc.integer({ min: -1, max: 40 })), fc.jsonValue()),
      },
      { requiredKeys: [] },
    );
    const header = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(fc.oneof(fc.string(), fc.constant('__metadata__')), fc.oneof(plausible, fc.jsonValue()), { maxKeys: 4 }),
    );
    fc.assert(
      fc.property(header, fc.nat({ max: 40 }), fc.nat({ max: 3 }), (h, dataLength, pad) => {
        parseOrRecurError(fileWith(JSON.stringify(h) ?? '', dataLength, pad));
      }),
      { numRuns: 1000 },
    );
  });

  it('property: random bytes give a valid parse or a RecurError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => parseOrRecurError(bytes)), { numRuns: 500 });
  });
});

it('conversions copy exactly the tensor from a Node Buffer (whose slice() is a view of a pool)', () => {
  const file = serializeSafetensors([
    { name: 'x', shape: [2], data: Float32Array.from([1.5, -2]) },
    { name: 'n', shape: [1], data: Int32Array.from([7]) },
    { name: 'd', shape: [1], data: Float64Array.from([0.25]) },
  ]);
  const pooled = Buffer.from(file); // small Buffers live inside a shared 8 KiB pool
  const parsed = parseSafetensors(pooled, 'pooled');
  assert.deepEqual(Array.from(tensorToFloat32(parsed.tensors.get('x')!, 'x')), [1.5, -2]);
  assert.deepEqual(Array.from(tensorToInt32(parsed.tensors.get('n')!, 'n')), [7]);
  assert.deepEqual(Array.from(tensorToFloat64(parsed.tensors.get('d')!, 'd')), [0.25]);
});
