/**
 * @module wasm/gemv
 * The matrix-vector products gemm hands over when one side of C is a single row or column (batch 1:
 * sampling one token at a time), where the 4×8 micro-kernel would spend 7 of its 8 columns on
 * padding. With x contiguous (K) and W[j, k] at w + 4(j·wjs + k·wks):
 *
 *   y[j] (+)= Σ_k W[j, k] · x[k],   j < n,   y[j] at y + 4·j·ys
 *
 *   dotRows    W's rows contiguous in k (wks = 1): h · W_hhᵀ, the head. Four rows at a time, each
 *              with two f32x4 partial sums over k (8 independent accumulators), reduced at the end.
 *   axpyRows   W's rows contiguous in j (wjs = 1): y += x[k] · W[k, :], 32 outputs at a time held
 *              in 8 accumulators while k runs.
 *
 * Nothing is packed: each float of W is read once, in order, so the product runs at the speed the
 * cache delivers W. The sums run in a different order than gemm's (partial sums over k in 4 lanes),
 * so a batch-1 result can differ from the same row inside a larger batch in the last bits.
 */
import { ldv, madd, stv } from './simd';

// @ts-ignore: decorator
@inline function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  // lanes: Σa, Σb, Σc, Σd
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 1, 4, 5), v128.shuffle<f32>(a, b, 2, 3, 6, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 1, 4, 5), v128.shuffle<f32>(c, d, 2, 3, 6, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 2, 4, 6), v128.shuffle<f32>(ab, cd, 1, 3, 5, 7));
}

/** y[j] (+)= W[j, :] · x for j < n; W rows at w + 4·j·ld, contiguous in k. */
export function dotRows(n: i32, K: i32, x: usize, w: usize, ld: i32, y: usize, ys: i32, acc: bool): void {
  const rowBytes = <usize>ld << 2;
  for (let j = 0; j < n; j += 4) {
    const h = min(4, n - j);
    // rows beyond n repeat the last one; their sums are not written
    const w0 = w + <usize>j * rowBytes;
    const w1 = h > 1 ? w0 + rowBytes : w0;
    const w2 = h > 2 ? w1 + rowBytes : w1;
    const w3 = h > 3 ? w2 + rowBytes : w2;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
    let k = 0;
    for (; k + 8 <= K; k += 8) {
      const o = <usize>k << 2;
      const x0 = v128.load(x + o), x1 = v128.load(x + o, 16);
      a0 = madd(v128.load(w0 + o), x0, a0); b0 = madd(v128.load(w0 + o, 16), x1, b0);
      a1 = madd(v128.load(w1 + o), x0, a1); b1 = madd(v128.load(w1 + o, 16), x1, b1);
      a2 = madd(v128.load(w2 + o), x0, a2); b2 = madd(v128.load(w2 + o, 16), x1, b2);
      a3 = madd(v128.load(w3 + o), x0, a3); b3 = madd(v128.load(w3 + o, 16), x1, b3);
    }
    for (; k < K; k += 4) {
      const o = <usize>k << 2;
      const r = K - k;
      const x0 = ldv(x + o, r);
      a0 = madd(ldv(w0 + o, r), x0, a0);
      a1 = madd(ldv(w1 + o, r), x0, a1);
      a2 = madd(ldv(w2 + o, r), x0, a2);
      a3 = madd(ldv(w3 + o, r), x0, a3);
    }
    let s = hsum4(f32x4.add(a0, b0), f32x4.add(a1, b1), f32x4.add(a2, b2), f32x4.add(a3, b3));
    const yj = y + (<usize>(j * ys) << 2);
    if (ys == 1) {
      if (acc) s = f32x4.add(s, ldv(yj, h));
      stv(yj, s, h);
    } else {
      const step = <usize>ys << 2;
      store<f32>(yj, acc ? load<f32>(yj) + f32x4.extract_lane(s, 0) : f32x4.extract_lane(s, 0));
      if (h > 1) store<f32>(yj + step, acc ? load<f32>(yj + step) + f32x4.extract_lane(s, 1) : f32x4.extract_lane(s, 1));
      if (h > 2) store<f32>(yj + 2 * step, acc ? load<f32>(yj + 2 * step) + f32x4.extract_lane(s, 2) : f32x4.extract_lane(s, 2));
      if (h > 3) store<f32>(yj + 3 * step, acc ? load<f32>(yj + 3 * step) + f32x4.extract_lane(s, 3) : f32x4.extract_lane(s, 3));
    }
  }
}

/** y[j] (+)= Σ_k x[k] · W[k, j] for j < n; W row k at w + 4·k·ld, contiguous in j. */
export function axpyRows(n: i32, K: i32, x: usize, w: usize, ld: i32, y: usize, ys: i32, acc: bool): void {
  const rowBytes = <usize>ld << 2;
  let j = 0;
  for (; j + 32 <= n; j += 32) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
    let p = w + (<usize>j << 2);
    for (let k = 0; k < K; k++) {
      const xk = v128.load32_splat(x + (<usize>k << 2));
      a0 = madd(xk, v128.load(p), a0); a1 = madd(xk, v128.load(p, 16), a1);
      a2 = madd(xk, v128.load(p, 32), a2); a3 = madd(xk, v128.load(p, 48), a3);
      a4 = madd(xk, v128.load(p, 64), a4); a5 = madd(xk, v128.load(p, 80), a5);
      a6 = madd(xk, v128.load(p, 96), a6); a7 = madd(xk, v128.load(p, 112), a7);
      p += rowBytes;
    }
    put4(y, ys, j, a0, acc, 4); put4(y, ys, j + 4, a1, acc, 4);
    put4(y, ys, j + 8, a2, acc, 4); put4(y, ys, j + 12, a3, acc, 4);
    put4(y, ys, j + 16, a4, acc, 4); put4(y, ys, j + 20, a5, acc, 4);
    put4(y, ys, j + 24, a6, acc, 4); put4(y, ys, j + 28, a7, acc, 4);
  }
  for (; j < n; j += 4) {
    const h = min(4, n - j);
    let a0 = f32x4.splat(0);
    let p = w + (<usize>j << 2);
    for (let k = 0; k < K; k++) {
      a0 = madd(v128.load32_splat(x + (<usize>k << 2)), ldv(p, h), a0);
      p += rowBytes;
    }
    put4(y, ys, j, a0, acc, h);
  }
}

/** y[j..j+h) (+)= lanes of v, outputs ys floats apart. */
// @ts-ignore: decorator
@inline function put4(y: usize, ys: i32, j: i32, v: v128, acc: bool, h: i32): void {
  const p = y + (<usize>(j * ys) << 2);
  if (ys == 1) {
    stv(p, acc ? f32x4.add(v, ldv(p, h)) : v, h);
    return;
  }
  const step = <usize>ys << 2;
  store<f32>(p, acc ? load<f32>(p) + f32x4.extract_lane(v, 0) : f32x4.extract_lane(v, 0));
  if (h > 1) store<f32>(p + step, acc ? load<f32>(p + step) + f32x4.extract_lane(v, 1) : f32x4.extract_lane(v, 1));
  if (h > 2) store<f32>(p + 2 * step, acc ? load<f32>(p + 2 * step) + f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 2));
  if (h > 3) store<f32>(p + 3 * step, acc ? load<f32>(p + 3 * step) + f32x4.extract_lane(v, 3) : f32x4.extract_lane(v, 3));
}
