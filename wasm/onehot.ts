/**
 * @module wasm/onehot
 * The input projection of a one-hot input, as a gather instead of a product, and its gradient as a
 * scatter-add. With x_r = onehot(idx[r]) (R rows of I) and W (N,I) row-major:
 *
 *   oneHotProject           out[r, n] = (x · Wᵀ)[r, n] + b[n] = W[n, idx[r]] + b[n]       (R,N)
 *   oneHotProjectBackward   dW[n, v] += Σ_{r: idx[r] = v} dOut[r, n]   = (dOutᵀ · x)[n, v] (N,I)
 *
 * The projection transposes W into the caller's scratch when Wᵀ (I·N floats) fits there, so that
 * each row of out is one contiguous row of Wᵀ plus b, written in order. Otherwise, and for the
 * gradient, W is walked in blocks of 16 rows, transposed into scratch (t[v·16 + q] = W[n0+q, v],
 * I·64 bytes, in L1 for a character vocabulary), so each row r moves 64 contiguous bytes with four
 * f32x4 loads and stores. When R is small next to I (batch-1 generation) the transpose would cost
 * more than it saves, and the kernels read and write W directly instead. b may be 0 (no bias).
 * out and dOut rows are ldo floats apart (≥ N), so that threads can each take a block of W's rows.
 */
import { ldv, stv } from './simd';

const BLOCK: i32 = 16;

// @ts-ignore: decorator
@inline function direct(R: i32, I: i32, scratchBytes: i32): bool {
  return R * 2 < I || I * BLOCK * 4 > scratchBytes;
}

/** out (R,N) = W[:, idx[r]] + b for each row r. */
export function oneHotProject(out: usize, idx: usize, w: usize, b: usize, R: i32, N: i32, I: i32,
                              scratch: usize, scratchBytes: i32, ldo: i32): void {
  const rowBytes = <usize>ldo << 2;
  const wRow = <usize>I << 2;
  if (direct(R, I, scratchBytes)) {
    for (let r = 0; r < R; r++) {
      const v = <usize>load<i32>(idx + (<usize>r << 2)) << 2;
      const o = out + <usize>r * rowBytes;
      let n = 0;
      for (; n + 4 <= N; n += 4) {
        const p = w + <usize>n * wRow + v;
        let x = v128.load32_zero(p);
        x = v128.load32_lane(p + wRow, x, 1);
        x = v128.load32_lane(p + 2 * wRow, x, 2);
        x = v128.load32_lane(p + 3 * wRow, x, 3);
        const q = <usize>n << 2;
        v128.store(o + q, b ? f32x4.add(x, v128.load(b + q)) : x);
      }
      for (; n < N; n++) {
        const q = <usize>n << 2;
        store<f32>(o + q, load<f32>(w + <usize>n * wRow + v) + (b ? load<f32>(b + q) : 0));
      }
    }
    return;
  }
  if (<i64>I * <i64>N * 4 <= <i64>scratchBytes) {
    // all of Wᵀ (I,N) in scratch, then each row of out is one contiguous row of it plus b
    const tRow = <usize>N << 2;
    for (let n0 = 0; n0 < N; n0 += 4) transposeRows(scratch + (<usize>n0 << 2), tRow, w + <usize>n0 * wRow, I, min(4, N - n0), false);
    for (let r = 0; r < R; r++) {
      const s = scratch + <usize>load<i32>(idx + (<usize>r << 2)) * tRow;
      const o = out + <usize>r * rowBytes;
      let n = 0;
      if (b) {
        for (; n + 4 <= N; n += 4) {
          const q = <usize>n << 2;
          v128.store(o + q, f32x4.add(v128.load(s + q), v128.load(b + q)));
        }
        for (; n < N; n++) {
          const q = <usize>n << 2;
          store<f32>(o + q, load<f32>(s + q) + load<f32>(b + q));
        }
      } else memory.copy(o, s, tRow);
    }
    return;
  }
  for (let n0 = 0; n0 < N; n0 += BLOCK) {
    const nb = min(BLOCK, N - n0);
    transposeRows(scratch, 64, w + <usize>n0 * wRow, I, nb, true);
    const bo = <usize>n0 << 2;
    const b0 = b ? ldv(b + bo, nb) : f32x4.splat(0);
    const b1 = b && nb > 4 ? ldv(b + bo + 16, nb - 4) : f32x4.splat(0);
    const b2 = b && nb > 8 ? ldv(b + bo + 32, nb - 8) : f32x4.splat(0);
    const b3 = b && nb > 12 ? ldv(b + bo + 48, nb - 12) : f32x4.splat(0);
    let o = out + bo;
    if (nb == BLOCK) {
      for (let r = 0; r < R; r++) {
        const s = scratch + (<usize>load<i32>(idx + (<usize>r << 2)) << 6);
        v128.store(o, f32x4.add(v128.load(s), b0));
        v128.store(o, f32x4.add(v128.load(s, 16), b1), 16);
        v128.store(o, f32x4.add(v128.load(s, 32), b2), 32);
        v128.store(o, f32x4.add(v128.load(s, 48), b3), 48);
        o += rowBytes;
      }
    } else {
      for (let r = 0; r < R; r++) {
        const s = scratch + (<usize>load<i32>(idx + (<usize>r << 2)) << 6);
        stv(o, f32x4.add(v128.load(s), b0), nb);
        if (nb > 4) stv(o + 16, f32x4.add(v128.load(s, 16), b1), nb - 4);
        if (nb > 8) stv(o + 32, f32x4.add(v128.load(s, 32), b2), nb - 8);
        if (nb > 12) stv(o + 48, f32x4.add(v128.load(s, 48), b3), nb - 12);
        o += rowBytes;
      }
    }
  }
}

/** dW (N,I) += dOutᵀ (N,R) · onehot(idx) (R,I). */
export function oneHotProjectBackward(dW: usize, dOut: usize, idx: usize, R: i32, N: i32, I: i32,
                                      scratch: usize, scratchBytes: i32, ldo: i32): void {
  const rowBytes = <usize>ldo << 2;
  const wRow = <usize>I << 2;
  if (direct(R, I, scratchBytes)) {
    for (let r = 0; r < R; r++) {
      const v = <usize>load<i32>(idx + (<usize>r << 2)) << 2;
      const d = dOut + <usize>r * rowBytes;
      for (let n = 0; n < N; n++) {
        const p = dW + <usize>n * wRow + v;
        store<f32>(p, load<f32>(p) + load<f32>(d + (<usize>n << 2)));
      }
    }
    return;
  }
  // per block of 16 rows of dW: t[v] (16 floats) = Σ_{r: idx[r] = v} dOut[r, n0..n0+16), then dW += tᵀ
  for (let n0 = 0; n0 < N; n0 += BLOCK) {
    const nb = min(BLOCK, N - n0);
    memory.fill(scratch, 0, <usize>I << 6);
    let d = dOut + (<usize>n0 << 2);
    if (nb == BLOCK) {
      for (let r = 0; r < R; r++) {
        const s = scratch + (<usize>load<i32>(idx + (<usize>r << 2)) << 6);
        v128.store(s, f32x4.add(v128.load(s), v128.load(d)));
        v128.store(s, f32x4.add(v128.load(s, 16), v128.load(d, 16)), 16);
        v128.store(s, f32x4.add(v128.load(s, 32), v128.load(d, 32)), 32);
        v128.store(s, f32x4.add(v128.load(s, 48), v128.load(d, 48)), 48);
        d += rowBytes;
      }
    } else {
      for (let r = 0; r < R; r++) {
        const s = scratch + (<usize>load<i32>(idx + (<usize>r << 2)) << 6);
        for (let q = 0; q < nb; q++) {
          const o = <usize>q << 2;
          store<f32>(s + o, load<f32>(s + o) + load<f32>(d + o));
        }
        d += rowBytes;
      }
    }
    // dW[n0+q, v] += t[v·16 + q]
    for (let q = 0; q < nb; q++) {
      const row = dW + <usize>(n0 + q) * wRow;
      const col = scratch + (<usize>q << 2);
      let v = 0;
      for (; v + 4 <= I; v += 4) {
        const s = col + (<usize>v << 6);
        let x = v128.load32_zero(s);
        x = v128.load32_lane(s + 64, x, 1);
        x = v128.load32_lane(s + 128, x, 2);
        x = v128.load32_lane(s + 192, x, 3);
        const p = row + (<usize>v << 2);
        v128.store(p, f32x4.add(v128.load(p), x));
      }
      for (; v < I; v++) {
        const p = row + (<usize>v << 2);
        store<f32>(p, load<f32>(p) + load<f32>(col + (<usize>v << 6)));
      }
    }
  }
}

/** t[v, q] = W[q, v] for q < nb (nb ≤ 16), t's rows tRow bytes apart; W rows I floats apart.
 *  `pad`: t is a 16-column block (tRow = 64) whose columns nb ≤ q < 16 are zeroed. */
function transposeRows(t: usize, tRow: usize, w: usize, I: i32, nb: i32, pad: bool): void {
  const wRow = <usize>I << 2;
  if (pad && nb < BLOCK) memory.fill(t, 0, <usize>I << 6);
  for (let q = 0; q < nb; q += 4) {
    const h = min(4, nb - q);
    const r0 = w + <usize>q * wRow;
    const r1 = h > 1 ? r0 + wRow : r0;
    const r2 = h > 2 ? r1 + wRow : r1;
    const r3 = h > 3 ? r2 + wRow : r2;
    const col = t + (<usize>q << 2);
    let v = 0;
    for (; v + 4 <= I; v += 4) {
      const o = <usize>v << 2;
      // four rows × four columns → four columns × four rows
      const a = v128.load(r0 + o), b = v128.load(r1 + o), c = v128.load(r2 + o), d = v128.load(r3 + o);
      const ab0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5), ab1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
      const cd0 = v128.shuffle<f32>(c, d, 0, 4, 1, 5), cd1 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
      const s = col + <usize>v * tRow;
      stv(s, v128.shuffle<f32>(ab0, cd0, 0, 1, 4, 5), h);
      stv(s + tRow, v128.shuffle<f32>(ab0, cd0, 2, 3, 6, 7), h);
      stv(s + 2 * tRow, v128.shuffle<f32>(ab1, cd1, 0, 1, 4, 5), h);
      stv(s + 3 * tRow, v128.shuffle<f32>(ab1, cd1, 2, 3, 6, 7), h);
    }
    for (; v < I; v++) {
      const o = <usize>v << 2;
      const s = col + <usize>v * tRow;
      store<f32>(s, load<f32>(r0 + o));
      if (h > 1) store<f32>(s, load<f32>(r1 + o), 4);
      if (h > 2) store<f32>(s, load<f32>(r2 + o), 8);
      if (h > 3) store<f32>(s, load<f32>(r3 + o), 12);
    }
  }
}
