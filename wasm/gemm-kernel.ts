/**
 * @module wasm/gemm-kernel
 * The register-blocked micro-kernels: one MR×NR = 4×8 tile of C' (+)= L (4, kc) · P (kc, 8), with
 * L read in place (four f32 broadcasts per k) and P a packed panel (two f32x4 per k, see
 * gemm-pack). Eight f32x4 accumulators stay in registers for the whole k loop.
 *
 * How the tile is written (`mode`), with c the address of C'[i, j] and ld a stride in bytes:
 *   STORE / ADD        C'[i+r, j..j+7] at c + r·ld (C' row-major)          (= or +=)
 *   STORE_T / ADD_T    C'[i+r, j+q] at c + q·ld + 4r (C' is Cᵀ: 4×4 transposes) (= or +=)
 *   TILE               raw sums to a 4×8 buffer at c (edge tiles, copied by the caller)
 */
import { madd } from './simd';

export const STORE: i32 = 0;
export const ADD: i32 = 1;
export const STORE_T: i32 = 2;
export const ADD_T: i32 = 3;
export const TILE: i32 = 4;

// @ts-ignore: decorator
@inline function tr0(a: v128, b: v128, c: v128, d: v128): v128 {
  return v128.shuffle<f32>(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 0, 4, 1, 5), 0, 1, 4, 5);
}
// @ts-ignore: decorator
@inline function tr1(a: v128, b: v128, c: v128, d: v128): v128 {
  return v128.shuffle<f32>(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 0, 4, 1, 5), 2, 3, 6, 7);
}
// @ts-ignore: decorator
@inline function tr2(a: v128, b: v128, c: v128, d: v128): v128 {
  return v128.shuffle<f32>(v128.shuffle<f32>(a, b, 2, 6, 3, 7), v128.shuffle<f32>(c, d, 2, 6, 3, 7), 0, 1, 4, 5);
}
// @ts-ignore: decorator
@inline function tr3(a: v128, b: v128, c: v128, d: v128): v128 {
  return v128.shuffle<f32>(v128.shuffle<f32>(a, b, 2, 6, 3, 7), v128.shuffle<f32>(c, d, 2, 6, 3, 7), 2, 3, 6, 7);
}

// @ts-ignore: decorator
@inline function put(p: usize, v: v128, add: bool): void {
  v128.store(p, add ? f32x4.add(v128.load(p), v) : v);
}

/** Write the accumulators a{r}{v} (row r, columns 4v..4v+3 of the tile) as `mode` says. */
// @ts-ignore: decorator
@inline function writeTile(a00: v128, a01: v128, a10: v128, a11: v128, a20: v128, a21: v128,
                           a30: v128, a31: v128, c: usize, ld: usize, mode: i32): void {
  if (mode == TILE) {
    v128.store(c, a00); v128.store(c, a01, 16);
    v128.store(c, a10, 32); v128.store(c, a11, 48);
    v128.store(c, a20, 64); v128.store(c, a21, 80);
    v128.store(c, a30, 96); v128.store(c, a31, 112);
  } else if (mode <= ADD) {
    const add = mode == ADD;
    put(c, a00, add); put(c + 16, a01, add); c += ld;
    put(c, a10, add); put(c + 16, a11, add); c += ld;
    put(c, a20, add); put(c + 16, a21, add); c += ld;
    put(c, a30, add); put(c + 16, a31, add);
  } else {
    const add = mode == ADD_T;
    put(c, tr0(a00, a10, a20, a30), add); c += ld;
    put(c, tr1(a00, a10, a20, a30), add); c += ld;
    put(c, tr2(a00, a10, a20, a30), add); c += ld;
    put(c, tr3(a00, a10, a20, a30), add); c += ld;
    put(c, tr0(a01, a11, a21, a31), add); c += ld;
    put(c, tr1(a01, a11, a21, a31), add); c += ld;
    put(c, tr2(a01, a11, a21, a31), add); c += ld;
    put(c, tr3(a01, a11, a21, a31), add);
  }
}

/** L rows contiguous in k: row r of the tile at p{r}, k-th value at p{r} + 4k. */
export function kernelRows(kc: i32, p0: usize, p1: usize, p2: usize, p3: usize, pb: usize,
                           c: usize, ld: usize, mode: i32): void {
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
  let k = 0;
  for (; k < kc; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let x = v128.load32_splat(p0); a00 = madd(x, b0, a00); a01 = madd(x, b1, a01);
    x = v128.load32_splat(p1); a10 = madd(x, b0, a10); a11 = madd(x, b1, a11);
    x = v128.load32_splat(p2); a20 = madd(x, b0, a20); a21 = madd(x, b1, a21);
    x = v128.load32_splat(p3); a30 = madd(x, b0, a30); a31 = madd(x, b1, a31);
    p0 += 4; p1 += 4; p2 += 4; p3 += 4; pb += 32;
  }
  writeTile(a00, a01, a10, a11, a20, a21, a30, a31, c, ld, mode);
}

/** L k-major (the tile's 4 values at one k are adjacent): L[r, k] at p + k·step + 4r. */
export function kernelCols(kc: i32, p: usize, step: usize, pb: usize, c: usize, ld: usize, mode: i32): void {
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
  let k = 0;
  for (; k < kc; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let x = v128.load32_splat(p); a00 = madd(x, b0, a00); a01 = madd(x, b1, a01);
    x = v128.load32_splat(p, 4); a10 = madd(x, b0, a10); a11 = madd(x, b1, a11);
    x = v128.load32_splat(p, 8); a20 = madd(x, b0, a20); a21 = madd(x, b1, a21);
    x = v128.load32_splat(p, 12); a30 = madd(x, b0, a30); a31 = madd(x, b1, a31);
    p += step; pb += 32;
  }
  writeTile(a00, a01, a10, a11, a20, a21, a30, a31, c, ld, mode);
}

/** Any layout, for edge tiles: row r at p{r}, advancing `step` bytes per k; always to a TILE. */
export function kernelAny(kc: i32, p0: usize, p1: usize, p2: usize, p3: usize, step: usize, pb: usize,
                          tile: usize): void {
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let x = v128.load32_splat(p0); a00 = madd(x, b0, a00); a01 = madd(x, b1, a01);
    x = v128.load32_splat(p1); a10 = madd(x, b0, a10); a11 = madd(x, b1, a11);
    x = v128.load32_splat(p2); a20 = madd(x, b0, a20); a21 = madd(x, b1, a21);
    x = v128.load32_splat(p3); a30 = madd(x, b0, a30); a31 = madd(x, b1, a31);
    p0 += step; p1 += step; p2 += step; p3 += step; pb += 32;
  }
  writeTile(a00, a01, a10, a11, a20, a21, a30, a31, tile, 0, TILE);
}
