/**
 * @module timeseries/linalg
 * Least squares in float64 by Householder QR, for the AR model's normal equations without forming
 * XᵀX (whose condition number is the square of X's).
 *
 *   X = Q R   (Q orthogonal m×m, R upper triangular n×n on top)
 *   min ‖X β − y‖₂  ⇒  R β = (Qᵀ y)[0:n]   by back substitution
 *
 * X is m×n row-major (m ≥ n). A column whose |R_jj| falls below max(m,n)·ε·max_i |R_ii| is
 * numerically a combination of the columns before it: the design is singular and `lstsq` says which
 * column, instead of returning huge, meaningless coefficients.
 */
import { RecurError } from '../errors.js';

/** A least-squares solution: β, the residuals and their sum of squares. */
export interface LeastSquares {
  beta: Float64Array;      // (n)
  residuals: Float64Array; // (m) y − X β
  ssr: number;             // Σ residuals²
}

/** β minimising ‖X β − y‖₂, X (m,n) row-major. `names` label the columns in the singular-design error. */
export function lstsq(X: Float64Array, y: ArrayLike<number>, m: number, n: number, names?: readonly string[]): LeastSquares {
  if (X.length !== m * n || y.length !== m) throw new Error(`lstsq: X has ${X.length} values for (${m}, ${n}) and y ${y.length}`);
  if (m < n) throw new RecurError(`least squares: ${m} equations for ${n} unknowns; need at least ${n}`);
  // work on a column-major copy: Householder reflections run down columns
  const A = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) A[j * m + i] = X[i * n + j]!;
  const qty = Float64Array.from(y as ArrayLike<number>);
  const diag = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const col = j * m;
    // v = x + sign(x_0)‖x‖ e_0 over rows j..m−1; H = I − 2 v vᵀ / vᵀv maps x to −sign(x_0)‖x‖ e_0
    let norm = 0;
    for (let i = j; i < m; i++) norm += A[col + i]! * A[col + i]!;
    norm = Math.sqrt(norm);
    if (norm === 0) { diag[j] = 0; continue; }
    const alpha = A[col + j]! >= 0 ? -norm : norm;
    A[col + j]! -= alpha;
    let vv = 0;
    for (let i = j; i < m; i++) vv += A[col + i]! * A[col + i]!;
    // apply H to the remaining columns and to y
    for (let c = j + 1; c < n; c++) {
      const cc = c * m;
      let s = 0;
      for (let i = j; i < m; i++) s += A[col + i]! * A[cc + i]!;
      const f = (2 * s) / vv;
      for (let i = j; i < m; i++) A[cc + i]! -= f * A[col + i]!;
    }
    let s = 0;
    for (let i = j; i < m; i++) s += A[col + i]! * qty[i]!;
    const f = (2 * s) / vv;
    for (let i = j; i < m; i++) qty[i]! -= f * A[col + i]!;
    diag[j] = alpha; // R_jj
  }
  let maxDiag = 0;
  for (let j = 0; j < n; j++) maxDiag = Math.max(maxDiag, Math.abs(diag[j]!));
  const tol = Math.max(m, n) * Number.EPSILON * maxDiag;
  for (let j = 0; j < n; j++) {
    if (!(Math.abs(diag[j]!) > tol)) {
      const name = names?.[j] ?? `column ${j}`;
      throw new RecurError(`least squares: the design matrix is singular: ${name} is (numerically) a linear combination of the columns before it${maxDiag === 0 ? ' (every column is zero)' : ''}; is the series constant, or a lag listed twice?`);
    }
  }
  // back substitution R β = (Qᵀy)[0:n]; R's strict upper part is A[c*m + j] for c > j
  const beta = new Float64Array(n);
  for (let j = n - 1; j >= 0; j--) {
    let s = qty[j]!;
    for (let c = j + 1; c < n; c++) s -= A[c * m + j]! * beta[c]!;
    beta[j] = s / diag[j]!;
  }
  // residuals from the original X (not from Qᵀy, whose tail has rounding of its own)
  const residuals = new Float64Array(m);
  let ssr = 0;
  for (let i = 0; i < m; i++) {
    let f = 0;
    for (let j = 0; j < n; j++) f += X[i * n + j]! * beta[j]!;
    const r = y[i]! - f;
    residuals[i] = r;
    ssr += r * r;
  }
  return { beta, residuals, ssr };
}
