/**
 * @module analysis/matrix-util
 * Checks and copies shared by the dense solvers in analysis/linalg and analysis/symmetric-eigen.
 */
export const EPS = 2 ** -52;

export function checkSquare(a: ArrayLike<number>, n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${what}: expected a size n ≥ 1, got ${n}`);
  if (a.length !== n * n) throw new Error(`${what}: expected ${n * n} values for a ${n}×${n} matrix, got ${a.length}`);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!)) throw new Error(`${what}: expected finite values, got ${a[i]} at index ${i}`);
  }
}

/** Rows of a copy, for the index-heavy algorithms below. */
export function toRows(a: ArrayLike<number>, n: number): Float64Array[] {
  const rows: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const r = new Float64Array(n);
    for (let j = 0; j < n; j++) r[j] = a[i * n + j]!;
    rows.push(r);
  }
  return rows;
}
