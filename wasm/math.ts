/**
 * @module wasm/math
 * Vectorized float32 exp, sigmoid and tanh over f32x4, after Cephes' expf and tanhf (about 1 ulp
 * for exp and tanh, 2.5 for σ, measured against float64). Inputs of any size are safe: exp clamps
 * its argument to [−87, 88] (so the scale 2^n stays a normal float), sigmoid uses the split form
 * σ(x) = 1/(1+e^−|x|) for x ≥ 0, e^−|x|/(1+e^−|x|) for x < 0, whose exponential never overflows.
 * NaN propagates.
 *
 * The constants are read from a table in static memory (one broadcast load each) rather than
 * written as f32x4.splat: V8 rebuilds a splat constant with three instructions at every use inside
 * a loop, and these functions are inlined into loops.
 */
import { madd, nmadd } from './simd';

const TABLE: usize = memory.data<f32>([
  88.0, -87.0,
  1.44269504088896341,   // log2 e
  12583039.0,            // 1.5·2^23 + 127: x + this is rounded to an integer, held as 0x4B40_0000 + (x + 127)
  0.693359375,           // ln 2, high part: 9 significant bits, so n·LN2_HI is exact
  -2.12194440e-4,        // ln 2, low part
  1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1,
  1.0, 2.0, 0.625,
  -5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1,
], 16);
const HI = 0, LO = 1, LOG2E = 2, SHIFTER = 3, LN2_HI = 4, LN2_LO = 5, E0 = 6;
const ONE = 12, TWO = 13, SMALL = 14, T0 = 15;

/** Table entry i on all four lanes. */
// @ts-ignore: decorator
@inline function k(i: i32): v128 {
  return v128.load32_splat(TABLE + (<usize>i << 2));
}

/** e^x, lane-wise. x < −87 gives e^−87 (≈ 1.6e−38) rather than a subnormal or 0. */
// @ts-ignore: decorator
@inline export function expv(x: v128): v128 {
  // pmin/pmax are single instructions and keep NaN (the first operand) where min/max are not
  x = f32x4.pmax(f32x4.pmin(x, k(HI)), k(LO));
  // x = n·ln2 + r, |r| ≤ ln2/2; t holds n + 127 in its low mantissa bits
  const t = madd(x, k(LOG2E), k(SHIFTER));
  const n = f32x4.sub(t, k(SHIFTER));
  let r = nmadd(n, k(LN2_HI), x);
  r = nmadd(n, k(LN2_LO), r);
  // e^r ≈ 1 + r + r²·P(r)
  let p = madd(k(E0), r, k(E0 + 1));
  p = madd(p, r, k(E0 + 2));
  p = madd(p, r, k(E0 + 3));
  p = madd(p, r, k(E0 + 4));
  p = madd(p, r, k(E0 + 5));
  const e = f32x4.add(madd(p, f32x4.mul(r, r), r), k(ONE));
  // 2^n: the bits of n + 127 shifted into the exponent field
  return f32x4.mul(e, i32x4.shl(t, 23));
}

/** σ(x) = 1 / (1 + e^−x), lane-wise, in the split form that never overflows. */
// @ts-ignore: decorator
@inline export function sigmoidv(x: v128): v128 {
  const e = expv(v128.or(x, i32x4.splat(0x80000000))); // e^−|x|
  const s = f32x4.div(k(ONE), f32x4.add(k(ONE), e));
  return v128.bitselect(s, f32x4.mul(e, s), f32x4.ge(x, f32x4.splat(0)));
}

/** tanh x, lane-wise: an odd polynomial for |x| < 0.625, else 1 − 2/(e^{2|x|} + 1) with x's sign. */
// @ts-ignore: decorator
@inline export function tanhv(x: v128): v128 {
  const sign = v128.and(x, i32x4.splat(0x80000000));
  const ax = v128.xor(x, sign);
  const z = f32x4.mul(x, x);
  let p = madd(k(T0), z, k(T0 + 1));
  p = madd(p, z, k(T0 + 2));
  p = madd(p, z, k(T0 + 3));
  p = madd(p, z, k(T0 + 4));
  const small = madd(f32x4.mul(p, z), x, x);
  const e = expv(f32x4.add(ax, ax));
  const t = f32x4.sub(k(ONE), f32x4.div(k(TWO), f32x4.add(e, k(ONE))));
  return v128.bitselect(small, v128.or(t, sign), f32x4.lt(ax, k(SMALL)));
}
