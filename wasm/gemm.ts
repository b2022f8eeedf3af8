/**
 * @module wasm/gemm
 * C (M,N) = op(A) (M,K) · op(B) (K,N) [+ C], float32, row-major with leading dimensions, op(X) = Xᵀ
 * when trans. Pointers are byte addresses in this module's memory; lda, ldb, ldc count floats.
 *
 *   gemm(ta, tb, M, N, K, a, lda, b, ldb, c, ldc, acc, scratch)
 *
 * Any sub-block C[i0:i1, j0:j1] is one call with M = i1−i0, N = j1−j0 and the pointers moved:
 *   a + 4·(ta ? i0 : i0·lda),  b + 4·(tb ? j0·ldb : j0),  c + 4·(i0·ldc + j0)
 * so worker threads can split a product by rows or columns, each with its own `scratch`
 * (gemmScratchBytes() bytes, 64-byte aligned). Calls on disjoint blocks of C never touch the same
 * memory except their read-only inputs.
 *
 * How it runs: the product is computed as C' (m,n) = L (m,K) · R (K,n) with either C' = C
 * (L = op(A), R = op(B)) or C' = Cᵀ (L = op(B)ᵀ, R = op(A)ᵀ), choosing the orientation in which R is
 * the smaller operand: R is packed into 8-column panels (gemm-pack), L is read in place by the 4×8
 * micro-kernels (gemm-kernel). So a per-step product with a small batch packs only the batch-sized
 * operand and streams the weight matrix once, and all four (ta, tb) combinations cost about the same.
 * A single row or column of C (batch 1) goes to the matrix-vector kernels of gemv instead.
 * A k-major L (rows adjacent, k a power-of-two stride apart: the cache's worst case) is copied into
 * 4-row slivers first when it is reused by more than 4 panels. K is blocked by KC (the packed panel
 * stays in L1), rows of L by MC (the L block stays in L2), R's columns by NC (the panels fit scratch).
 */
import { ADD, ADD_T, kernelAny, kernelCols, kernelRows, STORE, STORE_T, TILE } from './gemm-kernel';
import { packPanels } from './gemm-pack';
import { axpyRows, dotRows } from './gemv';

const KC: i32 = 256;
const MC: i32 = 256;
const NC: i32 = 1024;
/** Scratch layout: the 4×8 edge tile, then L's packed block (MC, KC), then R's panels (KC, NC). */
const TILE_BYTES: usize = 256;
const LPACK_BYTES: usize = <usize>(MC * KC) << 2;

/** The scratch a gemm call needs, in bytes. */
export function gemmScratchBytes(): i32 {
  return <i32>(TILE_BYTES + LPACK_BYTES) + KC * NC * 4;
}

export function gemm(ta: i32, tb: i32, M: i32, N: i32, K: i32, a: usize, lda: i32, b: usize, ldb: i32,
                     c: usize, ldc: i32, acc: i32, scratch: usize): void {
  product(ta, tb, M, N, K, a, lda, b, ldb, c, ldc, acc, scratch, true);
}

/** gemm without the matrix-vector shortcut: even one row or column of C goes through the tiles, so
 *  a block of rows gets the same bits as those rows inside a larger product (wasm/sequence). */
export function gemmTiled(ta: i32, tb: i32, M: i32, N: i32, K: i32, a: usize, lda: i32, b: usize, ldb: i32,
                          c: usize, ldc: i32, acc: i32, scratch: usize): void {
  product(ta, tb, M, N, K, a, lda, b, ldb, c, ldc, acc, scratch, false);
}

function product(ta: i32, tb: i32, M: i32, N: i32, K: i32, a: usize, lda: i32, b: usize, ldb: i32,
                 c: usize, ldc: i32, acc: i32, scratch: usize, vec: bool): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!acc) for (let i = 0; i < M; i++) memory.fill(c + (<usize>(i * ldc) << 2), 0, <usize>N << 2);
    return;
  }
  // op(A)[i,k] = A[i·aRs + k·aKs];  op(B)[k,j] = B[k·bKs + j·bJs]
  const aRs = ta ? 1 : lda, aKs = ta ? lda : 1;
  const bKs = tb ? 1 : ldb, bJs = tb ? ldb : 1;
  // one row or one column of C: a matrix-vector product (gemv), W read once in place
  if (vec && (M == 1 || N == 1)) {
    const row = M == 1;
    // x: the vector (op(A)'s row, or op(B)'s column), made contiguous in scratch if it is strided
    let x = row ? a : b;
    const xs = row ? aKs : bKs;
    if (xs != 1 && <usize>K << 2 <= LPACK_BYTES) {
      const dst = scratch + TILE_BYTES;
      const step = <usize>xs << 2;
      for (let k = 0; k < K; k++) store<f32>(dst + (<usize>k << 2), load<f32>(x + <usize>k * step));
      x = dst;
    }
    if (xs == 1 || x != (row ? a : b)) {
      // W[j, k]: op(B)[k, j] for a row of C, op(A)[j, k] for a column
      const w = row ? b : a;
      const wjs = row ? bJs : aRs, wks = row ? bKs : aKs;
      const n = row ? N : M;
      const ys = row ? 1 : ldc;
      if (wks == 1) dotRows(n, K, x, w, wjs, c, ys, acc != 0);
      else axpyRows(n, K, x, w, wks, c, ys, acc != 0);
      return;
    }
  }
  if (N <= M) core(M, N, K, a, aRs, aKs, b, bKs, bJs, c, ldc, false, acc != 0, scratch);
  else core(N, M, K, b, bJs, bKs, a, aKs, aRs, c, ldc, true, acc != 0, scratch);
}

/** C' (m,n) (+)= L (m,K) · R (K,n); L[i,k] at l + 4(i·lrs + k·lks), R[k,j] at r + 4(k·rks + j·rjs);
 *  C'[i,j] at c + 4(i·ldc + j), or at c + 4(j·ldc + i) when `trans`. */
function core(m: i32, n: i32, K: i32, l: usize, lrs: i32, lks: i32, r: usize, rks: i32, rjs: i32,
              c: usize, ldc: i32, trans: bool, acc: bool, scratch: usize): void {
  const tile = scratch;
  const lpack = scratch + TILE_BYTES;
  const panels = lpack + LPACK_BYTES;
  const ld = <usize>ldc << 2;
  const lStep = <usize>lks << 2;
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    const accum = acc || k0 > 0;
    const full = trans ? (accum ? ADD_T : STORE_T) : (accum ? ADD : STORE);
    for (let j0 = 0; j0 < n; j0 += NC) {
      const nc = min(NC, n - j0);
      packPanels(panels, r + (<usize>(k0 * rks + j0 * rjs) << 2), rks, rjs, kc, nc);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const iEnd = min(m, i0 + MC);
        // k-major L (its 4 values at one k adjacent, rows far apart in k): packed, so the
        // kernel reads one contiguous stream instead of kc cache lines a power of two apart
        const packL = lks != 1 && n > 32;
        if (packL) packSlivers(lpack, l + (<usize>(i0 + k0 * lks) << 2), lks, kc, iEnd - i0);
        for (let jp = 0; jp < nc; jp += 8) {
          const pb = panels + <usize>(jp >> 3) * (<usize>kc << 5);
          const w = min(8, nc - jp);
          const j = j0 + jp;
          for (let i = i0; i < iEnd; i += 4) {
            const h = min(4, m - i);
            const cij = c + (trans ? (<usize>(j * ldc + i) << 2) : (<usize>(i * ldc + j) << 2));
            const edge = h < 4 || w < 8;
            if (!packL && !edge && lks != 1) {
              kernelCols(kc, l + (<usize>(i + k0 * lks) << 2), lStep, pb, cij, ld, full);
              continue;
            }
            if (packL) {
              const ps = lpack + <usize>((i - i0) >> 2) * (<usize>kc << 4);
              if (!edge) kernelCols(kc, ps, 16, pb, cij, ld, full);
              else {
                kernelCols(kc, ps, 16, pb, tile, 0, TILE);
                writeEdge(tile, cij, ld, h, w, trans, accum);
              }
              continue;
            }
            // rows beyond m repeat the last row; their sums are dropped
            const p0 = l + (<usize>(i * lrs + k0 * lks) << 2);
            const rs = <usize>lrs << 2;
            const p1 = h > 1 ? p0 + rs : p0;
            const p2 = h > 2 ? p1 + rs : p1;
            const p3 = h > 3 ? p2 + rs : p2;
            if (!edge) kernelRows(kc, p0, p1, p2, p3, pb, cij, ld, full);
            else {
              if (lks == 1) kernelRows(kc, p0, p1, p2, p3, pb, tile, 0, TILE);
              else kernelAny(kc, p0, p1, p2, p3, lStep, pb, tile);
              writeEdge(tile, cij, ld, h, w, trans, accum);
            }
          }
        }
      }
    }
  }
}

/** Pack h rows of a k-major L (L[i,k] at l + 4(i + k·lks)) into slivers of 4 rows:
 *  dst[(s·kc + k)·4 + r] = L[4s + r, k], zero for rows ≥ h. */
function packSlivers(dst: usize, l: usize, lks: i32, kc: i32, h: i32): void {
  const step = <usize>lks << 2;
  let i = 0;
  for (; i + 4 <= h; i += 4) {
    let s = l + (<usize>i << 2);
    let d = dst;
    for (let k = 0; k < kc; k++) {
      v128.store(d, v128.load(s));
      s += step;
      d += 16;
    }
    dst += <usize>kc << 4;
  }
  if (i < h) {
    const rest = h - i;
    let s = l + (<usize>i << 2);
    for (let k = 0; k < kc; k++) {
      v128.store(dst, f32x4.splat(0));
      for (let r = 0; r < rest; r++) store<f32>(dst + (<usize>r << 2), load<f32>(s + (<usize>r << 2)));
      s += step;
      dst += 16;
    }
  }
}

/** C'[i+r, j+q] (+)= tile[r, q] for r < h, q < w. */
function writeEdge(tile: usize, c: usize, ld: usize, h: i32, w: i32, trans: bool, accum: bool): void {
  for (let r = 0; r < h; r++) {
    for (let q = 0; q < w; q++) {
      const p = trans ? c + <usize>q * ld + (<usize>r << 2) : c + <usize>r * ld + (<usize>q << 2);
      const v = load<f32>(tile + (<usize>(r * 8 + q) << 2));
      store<f32>(p, accum ? load<f32>(p) + v : v);
    }
  }
}
