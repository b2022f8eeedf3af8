/**
 * @module analysis/symmetric-eigen
 * Eigenvalues of symmetric matrices (Householder tridiagonalisation + implicit QL: tred2 and tqli),
 * and what they give: the singular values of A as √λ(AᵀA), and the spectral norm ‖A‖₂.
 */
import { EPS, checkSquare, toRows } from './matrix-util.js';

/**
 * The eigenvalues of a symmetric n×n matrix (only the lower triangle is read), ascending:
 * Householder tridiagonalisation (tred2) and the implicit QL iteration (tqli).
 */
export function symmetricEigenvalues(a: ArrayLike<number>, n: number): Float64Array {
  checkSquare(a, n, 'symmetricEigenvalues');
  const z = toRows(a, n);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(z, n, d, e);
  tql(d, e, n);
  return d.sort();
}

/** tred2 without eigenvectors: d the diagonal, e[1..n−1] the subdiagonal of QᵀAQ. */
function tridiagonalize(z: Float64Array[], n: number, d: Float64Array, e: Float64Array): void {
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1;
    let h = 0;
    if (l > 0) {
      let scale = 0;
      for (let k = 0; k < i; k++) scale += Math.abs(z[i]![k]!);
      if (scale === 0) {
        e[i] = z[i]![l]!;
      } else {
        for (let k = 0; k < i; k++) {
          z[i]![k]! /= scale;
          h += z[i]![k]! * z[i]![k]!;
        }
        let f = z[i]![l]!;
        let g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        z[i]![l] = f - g;
        f = 0;
        for (let j = 0; j < i; j++) {
          g = 0;
          for (let k = 0; k < j + 1; k++) g += z[j]![k]! * z[i]![k]!;
          for (let k = j + 1; k < i; k++) g += z[k]![j]! * z[i]![k]!;
          e[j] = g / h;
          f += e[j]! * z[i]![j]!;
        }
        const hh = f / (h + h);
        for (let j = 0; j < i; j++) {
          f = z[i]![j]!;
          g = e[j]! - hh * f;
          e[j] = g;
          for (let k = 0; k < j + 1; k++) z[j]![k]! -= f * e[k]! + g * z[i]![k]!;
        }
      }
    } else {
      e[i] = z[i]![l]!;
    }
    d[i] = h;
  }
  e[0] = 0;
  for (let i = 0; i < n; i++) d[i] = z[i]![i]!;
}

/** tqli without eigenvectors: the eigenvalues of the tridiagonal (d, e) into d. */
function tql(d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let m: number;
    do {
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        if (Math.abs(e[m]!) <= EPS * dd) break;
      }
      if (m !== l) {
        if (iter++ === 60) throw new Error('symmetricEigenvalues: the QL iteration did not converge');
        let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
        let r = Math.hypot(g, 1);
        g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
        let s = 1, c = 1, p = 0;
        let i: number;
        for (i = m - 1; i >= l; i--) {
          const f = s * e[i]!;
          const b = c * e[i]!;
          r = Math.hypot(f, g);
          e[i + 1] = r;
          if (r === 0) {
            d[i + 1]! -= p;
            e[m] = 0;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1]! - p;
          r = (d[i]! - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
        }
        if (r === 0 && i >= l) continue;
        d[l]! -= p;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }
}

/** AᵀA (n×n) of a rows×n matrix A. */
export function gram(a: ArrayLike<number>, rows: number, n: number): Float64Array {
  const g = new Float64Array(n * n);
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    for (let i = 0; i < n; i++) {
      const ai = a[o + i]!;
      if (ai === 0) continue;
      for (let j = 0; j <= i; j++) g[i * n + j] += ai * a[o + j]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) g[j * n + i] = g[i * n + j]!;
  return g;
}

/** The singular values of the rows×n matrix A, descending: √ of the eigenvalues of AᵀA. */
export function singularValues(a: ArrayLike<number>, rows: number, n: number): Float64Array {
  if (a.length !== rows * n) throw new Error(`singularValues: expected ${rows * n} values for a ${rows}×${n} matrix, got ${a.length}`);
  const ev = symmetricEigenvalues(gram(a, rows, n), n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(Math.max(0, ev[n - 1 - i]!));
  return out;
}

/** ‖A‖₂ = σ_max(A) of the n×n matrix A. */
export function maxSingularValue(a: ArrayLike<number>, n: number): number {
  checkSquare(a, n, 'maxSingularValue');
  return singularValues(a, n, n)[0]!;
}

/** λ_max of a symmetric matrix (its lower triangle). */
export function maxSymmetricEigenvalue(a: ArrayLike<number>, n: number): number {
  const ev = symmetricEigenvalues(a, n);
  return ev[n - 1]!;
}
