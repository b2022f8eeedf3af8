/**
 * @module wasm/gemm-pack
 * Packing the right operand R (kc, nc) of a product into panels of NR = 8 columns:
 *   panel p, row k: dst[(p·kc + k)·8 + q] = R[k, 8p + q]   (0 where 8p + q ≥ nc)
 * so the micro-kernel reads two f32x4 per k from one contiguous stream, whatever R's layout.
 * R[k, j] lives at r + 4·(k·rks + j·rjs); one of rks, rjs is 1 (R or Rᵀ is row-major).
 */

/** Floats per panel row: the micro-kernel's width. */
export const NR: i32 = 8;

/** Pack R (kc, nc) with rows contiguous in j (rjs = 1, row stride rks floats). */
function packRowsJ(dst: usize, r: usize, rks: i32, kc: i32, nc: i32): void {
  const rowBytes = <usize>rks << 2;
  let j = 0;
  for (; j + 8 <= nc; j += 8) {
    let s = r + (<usize>j << 2);
    let d = dst;
    let k = 0;
    for (; k + 2 <= kc; k += 2) {
      const a0 = v128.load(s);
      const a1 = v128.load(s, 16);
      const b0 = v128.load(s + rowBytes);
      const b1 = v128.load(s + rowBytes, 16);
      v128.store(d, a0);
      v128.store(d, a1, 16);
      v128.store(d, b0, 32);
      v128.store(d, b1, 48);
      s += rowBytes << 1;
      d += 64;
    }
    if (k < kc) {
      v128.store(d, v128.load(s));
      v128.store(d, v128.load(s, 16), 16);
    }
    dst += <usize>kc << 5;
  }
  if (j < nc) packEdge(dst, r + (<usize>j << 2), rks, 1, kc, nc - j);
}

/** Pack R (kc, nc) with columns contiguous in k (rks = 1, column stride rjs floats). */
function packColsK(dst: usize, r: usize, rjs: i32, kc: i32, nc: i32): void {
  const colBytes = <usize>rjs << 2;
  let j = 0;
  for (; j + 8 <= nc; j += 8) {
    const c0 = r + <usize>j * colBytes;
    const c1 = c0 + colBytes;
    const c2 = c1 + colBytes;
    const c3 = c2 + colBytes;
    const c4 = c3 + colBytes;
    const c5 = c4 + colBytes;
    const c6 = c5 + colBytes;
    const c7 = c6 + colBytes;
    let d = dst;
    let k = 0;
    for (; k + 4 <= kc; k += 4) {
      const o = <usize>k << 2;
      // 4 k-values of each of 8 columns → 4 rows of 8, two 4×4 transposes
      const x0 = v128.load(c0 + o);
      const x1 = v128.load(c1 + o);
      const x2 = v128.load(c2 + o);
      const x3 = v128.load(c3 + o);
      const y0 = v128.load(c4 + o);
      const y1 = v128.load(c5 + o);
      const y2 = v128.load(c6 + o);
      const y3 = v128.load(c7 + o);
      let t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
      let t1 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
      let t2 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
      let t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
      v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(d, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 32);
      v128.store(d, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 64);
      v128.store(d, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 96);
      t0 = v128.shuffle<f32>(y0, y1, 0, 4, 1, 5);
      t1 = v128.shuffle<f32>(y0, y1, 2, 6, 3, 7);
      t2 = v128.shuffle<f32>(y2, y3, 0, 4, 1, 5);
      t3 = v128.shuffle<f32>(y2, y3, 2, 6, 3, 7);
      v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), 16);
      v128.store(d, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 48);
      v128.store(d, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 80);
      v128.store(d, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 112);
      d += 128;
    }
    for (; k < kc; k++) {
      const o = <usize>k << 2;
      store<f32>(d, load<f32>(c0 + o));
      store<f32>(d, load<f32>(c1 + o), 4);
      store<f32>(d, load<f32>(c2 + o), 8);
      store<f32>(d, load<f32>(c3 + o), 12);
      store<f32>(d, load<f32>(c4 + o), 16);
      store<f32>(d, load<f32>(c5 + o), 20);
      store<f32>(d, load<f32>(c6 + o), 24);
      store<f32>(d, load<f32>(c7 + o), 28);
      d += 32;
    }
    dst += <usize>kc << 5;
  }
  if (j < nc) packEdge(dst, r + <usize>j * colBytes, 1, rjs, kc, nc - j);
}

/** The last panel, w < 8 columns, zero-padded to 8. */
function packEdge(dst: usize, r: usize, rks: i32, rjs: i32, kc: i32, w: i32): void {
  for (let k = 0; k < kc; k++) {
    const d = dst + (<usize>k << 5);
    v128.store(d, f32x4.splat(0));
    v128.store(d, f32x4.splat(0), 16);
    const s = r + (<usize>(k * rks) << 2);
    for (let q = 0; q < w; q++) store<f32>(d + (<usize>q << 2), load<f32>(s + (<usize>(q * rjs) << 2)));
  }
}

/** Pack R (kc, nc) at r (strides rks, rjs in floats) into ⌈nc/8⌉ panels at dst. */
export function packPanels(dst: usize, r: usize, rks: i32, rjs: i32, kc: i32, nc: i32): void {
  if (rjs == 1) packRowsJ(dst, r, rks, kc, nc);
  else packColsK(dst, r, rjs, kc, nc);
}
