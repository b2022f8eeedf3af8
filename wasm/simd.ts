/**
 * @module wasm/simd
 * SIMD helpers shared by the kernels. `madd` is the one place the two builds differ: the
 * relaxed-SIMD build (`--enable relaxed-simd`) fuses a·b + c into one f32x4.relaxed_madd (an FMA on
 * x86 with FMA3, on ARM64 always), the plain-SIMD build multiplies then adds. The constant
 * ASC_FEATURE_RELAXED_SIMD is resolved at compile time, so each build contains only its own branch.
 */

/** a·b + c, lane-wise over f32x4. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** c − a·b, lane-wise over f32x4. */
// @ts-ignore: decorator
@inline export function nmadd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_nmadd(a, b, c);
  return f32x4.sub(c, f32x4.mul(a, b));
}

/** Lanes 0..n−1 (n ≤ 4) of the floats at p; the other lanes are 0. Never reads past p + 4n. */
// @ts-ignore: decorator
@inline export function loadPart(p: usize, n: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  if (n > 3) v = f32x4.replace_lane(v, 3, load<f32>(p, 12));
  return v;
}

/** Store lanes 0..n−1 (n ≤ 4) of v at p; writes nothing past p + 4n. */
// @ts-ignore: decorator
@inline export function storePart(p: usize, v: v128, n: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
  if (n > 3) store<f32>(p, f32x4.extract_lane(v, 3), 12);
}

/** n ≥ 4 lanes from p, or the first n, zero-padded. */
// @ts-ignore: decorator
@inline export function ldv(p: usize, n: i32): v128 {
  return n >= 4 ? v128.load(p) : loadPart(p, n);
}

/** Store 4 lanes, or only the first n < 4. */
// @ts-ignore: decorator
@inline export function stv(p: usize, v: v128, n: i32): void {
  if (n >= 4) v128.store(p, v);
  else storePart(p, v, n);
}

/** ldv(p, n), or 0 when p is the null pointer (an absent bias). */
// @ts-ignore: decorator
@inline export function ldvOr0(p: usize, n: i32): v128 {
  return p ? ldv(p, n) : f32x4.splat(0);
}
