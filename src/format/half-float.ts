/**
 * @module format/half-float
 * IEEE binary16 (F16) and bfloat16 (BF16): exact decoding, and encoding rounded to nearest, ties to even.
 */
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

