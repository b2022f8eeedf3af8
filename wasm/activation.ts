/**
 * @module wasm/activation
 * The simple RNN's (and the residual cells' g) nonlinearity, forward in place and backward from the
 * output, plus the elementwise helpers: add, fillRows, addRowSums. Pointers are byte addresses of
 * float32 arrays; f is 0 tanh, 1 relu, 2 identity. B rows, H or N columns, n elements.
 */
import { ldv, ldvOr0, nmadd, stv } from './simd';
import { tanhv } from './math';

export const TANH: i32 = 0;
export const RELU: i32 = 1;

// @ts-ignore: decorator
@inline function actv(f: i32, v: v128): v128 {
  if (f == TANH) return tanhv(v);
  if (f == RELU) return v128.and(v, f32x4.gt(v, f32x4.splat(0))); // v > 0 ? v : 0 (NaN → 0)
  return v;
}

/** z (B,H) ← f(z + b), b (H) or 0 for none. */
export function activationForward(f: i32, z: usize, b: usize, B: i32, H: i32): void {
  for (let r = 0; r < B; r++) {
    const row = z + (<usize>(r * H) << 2);
    let j = 0;
    if (f == TANH) {
      for (; j + 4 <= H; j += 4) {
        const o = <usize>j << 2;
        v128.store(row + o, tanhv(f32x4.add(v128.load(row + o), ldvOr0(b ? b + o : 0, 4))));
      }
    } else if (f == RELU) {
      for (; j + 4 <= H; j += 4) {
        const o = <usize>j << 2;
        v128.store(row + o, actv(RELU, f32x4.add(v128.load(row + o), ldvOr0(b ? b + o : 0, 4))));
      }
    } else if (b) {
      for (; j + 4 <= H; j += 4) {
        const o = <usize>j << 2;
        v128.store(row + o, f32x4.add(v128.load(row + o), v128.load(b + o)));
      }
    } else return;
    if (j < H) {
      const o = <usize>j << 2;
      const n = H - j;
      stv(row + o, actv(f, f32x4.add(ldv(row + o, n), ldvOr0(b ? b + o : 0, n))), n);
    }
  }
}

// @ts-ignore: decorator
@inline function dActv(f: i32, dh: v128, a: v128): v128 {
  if (f == TANH) return nmadd(f32x4.mul(dh, a), a, dh);          // dh·(1 − a²)
  if (f == RELU) return v128.and(dh, f32x4.gt(a, f32x4.splat(0))); // a > 0 ? dh : 0
  return dh;
}

/** dz (n) = dh ⊙ f'(·), read off the output a = f(z). */
export function activationBackward(f: i32, dz: usize, dh: usize, a: usize, n: i32): void {
  let i = 0;
  if (f == TANH) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dz + o, dActv(TANH, v128.load(dh + o), v128.load(a + o)));
    }
  } else if (f == RELU) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dz + o, dActv(RELU, v128.load(dh + o), v128.load(a + o)));
    }
  } else {
    if (dz != dh) memory.copy(dz, dh, <usize>n << 2);
    return;
  }
  if (i < n) {
    const o = <usize>i << 2;
    stv(dz + o, dActv(f, ldv(dh + o, n - i), ldv(a + o, n - i)), n - i);
  }
}

/** out (n) = a + b. */
export function add(out: usize, a: usize, b: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(a + o) + load<f32>(b + o));
  }
}

/** Each of the R rows of out (R,N) = v (N). */
export function fillRows(out: usize, v: usize, R: i32, N: i32): void {
  const bytes = <usize>N << 2;
  for (let r = 0; r < R; r++) memory.copy(out + <usize>r * bytes, v, bytes);
}

/** out (N) += Σ_r A[r,:] over the R rows of A (R,N), adding row by row (the reference's order). */
export function addRowSums(out: usize, A: usize, R: i32, N: i32): void {
  const bytes = <usize>N << 2;
  for (let r = 0; r < R; r++) {
    const row = A + <usize>r * bytes;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const o = <usize>j << 2;
      v128.store(out + o, f32x4.add(v128.load(out + o), v128.load(row + o)));
    }
    for (; j < N; j++) {
      const o = <usize>j << 2;
      store<f32>(out + o, load<f32>(out + o) + load<f32>(row + o));
    }
  }
}

