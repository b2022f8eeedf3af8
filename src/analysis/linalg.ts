/**
 * @module analysis/linalg
 * The little dense linear algebra the gradient-flow diagnostics need, in float64 on row-major
 * square matrices (`Float64Array` of n·n values, A[i][j] = a[i*n + j]):
 *
 *   eigenvalues(A)         a real nonsymmetric matrix's eigenvalues, complex pairs included:
 *                          balancing, Householder reduction to Hessenberg form, then the shifted
 *                          double-step QR iteration (EISPACK's balanc, orthes and hqr, as in JAMA)
 *   spectralRadius(A)      max |λ|: the notes' "eigenvalues decide" — the growth of W^d
 *   symmetricEigenvalues   Householder tridiagonalisation + implicit QL (tred2 and tqli)
 *   maxSingularValue(A)    √λ_max(AᵀA): the spectral norm ‖A‖₂, a bound on one step's growth
 *   randomOrthogonal       a Haar-distributed orthogonal matrix (QR of a Gaussian matrix)
 *
 * Sizes are those of one recurrent weight block (H up to a few hundred): O(n³), no blocking.
 */
import type { Rng } from '../tensor/rng.js';
import { EPS, checkSquare, toRows } from './matrix-util.js';

export {
  gram, maxSingularValue, maxSymmetricEigenvalue, singularValues, symmetricEigenvalues,
} from './symmetric-eigen.js';

/** A complex number. */
export interface Complex {
  re: number;
  im: number;
}

/**
 * Every eigenvalue of the n×n real matrix A (row-major), in no particular order; complex ones come
 * in conjugate pairs. Throws if the QR iteration does not converge (it always has in practice).
 */
export function eigenvalues(a: ArrayLike<number>, n: number): Complex[] {
  checkSquare(a, n, 'eigenvalues');
  const H = toRows(a, n);
  balance(H, n);
  hessenberg(H, n);
  return hqr(H, n);
}

/** max |λ| over the eigenvalues of A. */
export function spectralRadius(a: ArrayLike<number>, n: number): number {
  let r = 0;
  for (const { re, im } of eigenvalues(a, n)) r = Math.max(r, Math.hypot(re, im));
  return r;
}

/**
 * Balancing (EISPACK balanc, radix 2): a diagonal similarity D⁻¹AD that makes each row and column
 * of similar norm. Eigenvalues are unchanged; the QR iteration's rounding errors scale with ‖A‖, so
 * a badly scaled matrix gets its small eigenvalues right only after this.
 */
function balance(A: Float64Array[], n: number): void {
  const RADIX = 2;
  const SQRDX = RADIX * RADIX;
  let done = false;
  while (!done) {
    done = true;
    for (let i = 0; i < n; i++) {
      let r = 0;
      let c = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        c += Math.abs(A[j]![i]!);
        r += Math.abs(A[i]![j]!);
      }
      if (c === 0 || r === 0) continue;
      let g = r / RADIX;
      let f = 1;
      const s = c + r;
      while (c < g) { f *= RADIX; c *= SQRDX; }
      g = r * RADIX;
      while (c > g) { f /= RADIX; c /= SQRDX; }
      if ((c + r) / f < 0.95 * s) {
        done = false;
        g = 1 / f;
        for (let j = 0; j < n; j++) A[i]![j]! *= g;
        for (let j = 0; j < n; j++) A[j]![i]! *= f;
      }
    }
  }
}

/** Householder reduction to upper Hessenberg form, in place (EISPACK orthes). */
function hessenberg(H: Float64Array[], n: number): void {
  const ort = new Float64Array(n);
  const high = n - 1;
  for (let m = 1; m <= high - 1; m++) {
    let scale = 0;
    for (let i = m; i <= high; i++) scale += Math.abs(H[i]![m - 1]!);
    if (scale === 0) continue;
    // the Householder vector u of column m−1 below the subdiagonal
    let h = 0;
    for (let i = high; i >= m; i--) {
      ort[i] = H[i]![m - 1]! / scale;
      h += ort[i]! * ort[i]!;
    }
    let g = Math.sqrt(h);
    if (ort[m]! > 0) g = -g;
    h -= ort[m]! * g;
    ort[m] = ort[m]! - g;
    // H ← (I − u uᵀ/h) H (I − u uᵀ/h)
    for (let j = m; j < n; j++) {
      let f = 0;
      for (let i = high; i >= m; i--) f += ort[i]! * H[i]![j]!;
      f /= h;
      for (let i = m; i <= high; i++) H[i]![j]! -= f * ort[i]!;
    }
    for (let i = 0; i <= high; i++) {
      let f = 0;
      for (let j = high; j >= m; j--) f += ort[j]! * H[i]![j]!;
      f /= h;
      for (let j = m; j <= high; j++) H[i]![j]! -= f * ort[j]!;
    }
    ort[m] = scale * ort[m]!;
    H[m]![m - 1] = scale * g;
    for (let i = m + 1; i <= high; i++) H[i]![m - 1] = 0;
  }
}

/**
 * Eigenvalues of an upper Hessenberg matrix by the Francis double-shift QR iteration
 * (EISPACK hqr; the eigenvalue part of JAMA's hqr2). Destroys H.
 */
function hqr(H: Float64Array[], nn: number): Complex[] {
  const d = new Float64Array(nn);
  const e = new Float64Array(nn);
  let n = nn - 1;
  const low = 0;
  let exshift = 0;
  let p = 0, q = 0, r = 0, s = 0, z = 0, w = 0, x = 0, y = 0;

  let norm = 0;
  for (let i = 0; i < nn; i++) for (let j = Math.max(i - 1, 0); j < nn; j++) norm += Math.abs(H[i]![j]!);
  if (norm === 0) return Array.from({ length: nn }, () => ({ re: 0, im: 0 }));

  let iter = 0;
  let total = 0;
  const maxTotal = 100 * Math.max(nn, 10);
  while (n >= low) {
    // a single small subdiagonal element splits the matrix
    let l = n;
    while (l > low) {
      s = Math.abs(H[l - 1]![l - 1]!) + Math.abs(H[l]![l]!);
      if (s === 0) s = norm;
      if (Math.abs(H[l]![l - 1]!) < EPS * s) break;
      l--;
    }
    if (l === n) {
      // one root
      H[n]![n] = H[n]![n]! + exshift;
      d[n] = H[n]![n]!;
      e[n] = 0;
      n--;
      iter = 0;
    } else if (l === n - 1) {
      // two roots: the trailing 2×2 block
      w = H[n]![n - 1]! * H[n - 1]![n]!;
      p = (H[n - 1]![n - 1]! - H[n]![n]!) / 2;
      q = p * p + w;
      z = Math.sqrt(Math.abs(q));
      H[n]![n] = H[n]![n]! + exshift;
      H[n - 1]![n - 1] = H[n - 1]![n - 1]! + exshift;
      x = H[n]![n]!;
      if (q >= 0) {
        // a real pair
        z = p >= 0 ? p + z : p - z;
        d[n - 1] = x + z;
        d[n] = z !== 0 ? x - w / z : d[n - 1]!;
        e[n - 1] = 0;
        e[n] = 0;
      } else {
        // a complex conjugate pair
        d[n - 1] = x + p;
        d[n] = x + p;
        e[n - 1] = z;
        e[n] = -z;
      }
      n -= 2;
      iter = 0;
    } else {
      // no convergence yet: form the shift
      x = H[n]![n]!;
      y = 0;
      w = 0;
      if (l < n) {
        y = H[n - 1]![n - 1]!;
        w = H[n]![n - 1]! * H[n - 1]![n]!;
      }
      if (iter === 10) {
        // Wilkinson's exceptional shift
        exshift += x;
        for (let i = low; i <= n; i++) H[i]![i]! -= x;
        s = Math.abs(H[n]![n - 1]!) + Math.abs(H[n - 1]![n - 2]!);
        x = y = 0.75 * s;
        w = -0.4375 * s * s;
      }
      if (iter === 30) {
        // MATLAB's exceptional shift
        s = (y - x) / 2;
        s = s * s + w;
        if (s > 0) {
          s = Math.sqrt(s);
          if (y < x) s = -s;
          s = x - w / ((y - x) / 2 + s);
          for (let i = low; i <= n; i++) H[i]![i]! -= s;
          exshift += s;
          x = y = w = 0.964;
        }
      }
      iter++;
      if (++total > maxTotal) throw new Error(`eigenvalues: the QR iteration did not converge in ${maxTotal} steps`);

      // two consecutive small subdiagonal elements
      let m = n - 2;
      while (m >= l) {
        z = H[m]![m]!;
        r = x - z;
        s = y - z;
        p = (r * s - w) / H[m + 1]![m]! + H[m]![m + 1]!;
        q = H[m + 1]![m + 1]! - z - r - s;
        r = H[m + 2]![m + 1]!;
        s = Math.abs(p) + Math.abs(q) + Math.abs(r);
        p /= s;
        q /= s;
        r /= s;
        if (m === l) break;
        if (Math.abs(H[m]![m - 1]!) * (Math.abs(q) + Math.abs(r)) <
            EPS * (Math.abs(p) * (Math.abs(H[m - 1]![m - 1]!) + Math.abs(z) + Math.abs(H[m + 1]![m + 1]!)))) break;
        m--;
      }
      for (let i = m + 2; i <= n; i++) {
        H[i]![i - 2] = 0;
        if (i > m + 2) H[i]![i - 3] = 0;
      }
      // the double QR step on rows l..n and columns m..n
      for (let k = m; k <= n - 1; k++) {
        const notlast = k !== n - 1;
        if (k !== m) {
          p = H[k]![k - 1]!;
          q = H[k + 1]![k - 1]!;
          r = notlast ? H[k + 2]![k - 1]! : 0;
          x = Math.abs(p) + Math.abs(q) + Math.abs(r);
          if (x === 0) continue;
          p /= x;
          q /= x;
          r /= x;
        }
        s = Math.sqrt(p * p + q * q + r * r);
        if (p < 0) s = -s;
        if (s === 0) continue;
        if (k !== m) H[k]![k - 1] = -s * x;
        else if (l !== m) H[k]![k - 1] = -H[k]![k - 1]!;
        p += s;
        x = p / s;
        y = q / s;
        z = r / s;
        q /= p;
        r /= p;
        for (let j = k; j < nn; j++) {
          p = H[k]![j]! + q * H[k + 1]![j]!;
          if (notlast) {
            p += r * H[k + 2]![j]!;
            H[k + 2]![j]! -= p * z;
          }
          H[k]![j]! -= p * x;
          H[k + 1]![j]! -= p * y;
        }
        for (let i = 0; i <= Math.min(n, k + 3); i++) {
          p = x * H[i]![k]! + y * H[i]![k + 1]!;
          if (notlast) {
            p += z * H[i]![k + 2]!;
            H[i]![k + 2]! -= p * r;
          }
          H[i]![k]! -= p;
          H[i]![k + 1]! -= p * q;
        }
      }
    }
  }
  const out: Complex[] = [];
  for (let i = 0; i < nn; i++) out.push({ re: d[i]!, im: e[i]! });
  return out;
}

/** C = A·B of n×n matrices. */
export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j]!;
    }
  }
  return c;
}

/**
 * A Haar-random n×n orthogonal matrix: Gram–Schmidt (twice, for orthogonality to rounding) on the
 * columns of a standard Gaussian matrix, signs fixed so that R has a positive diagonal.
 */
export function randomOrthogonal(n: number, rng: Rng): Float64Array {
  const cols: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = rng.normal();
    for (let pass = 0; pass < 2; pass++) {
      for (const u of cols) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += u[i]! * v[i]!;
        for (let i = 0; i < n; i++) v[i]! -= dot * u[i]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += v[i]! * v[i]!;
    norm = Math.sqrt(norm);
    if (!(norm > 1e-12)) throw new Error('randomOrthogonal: a degenerate Gaussian sample');
    for (let i = 0; i < n; i++) v[i]! /= norm;
    cols.push(v);
  }
  const q = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) q[i * n + j] = cols[j]![i]!;
  return q;
}
