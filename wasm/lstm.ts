/**
 * @module wasm/lstm
 * One LSTM time step over B rows, forward and backward (the maths is quoted in kernels/js/pointwise):
 *   i = σ(z_i)  f = σ(z_f)  g = tanh(z_g)  o = σ(z_o)   c = f ⊙ c_prev + i ⊙ g   h = o ⊙ tanh c
 * gates (B,4H) in blocks i,f,g,o; c, cPrev, h, dh, dc, dcPrev (B,H). Pointers are byte addresses;
 * bHh (4H) may be 0 (no bias). Each row runs in chunks of 4 units, the last chunk partial.
 */
import { sigmoidv, tanhv } from './math';
import { ldv, ldvOr0, madd, stv } from './simd';

// @ts-ignore: decorator
@inline function forward4(g: usize, b: usize, cp: usize, c: usize, h: usize, hb: usize, n: i32): void {
  const i = sigmoidv(f32x4.add(ldv(g, n), ldvOr0(b, n)));
  const f = sigmoidv(f32x4.add(ldv(g + hb, n), ldvOr0(b ? b + hb : 0, n)));
  const gg = tanhv(f32x4.add(ldv(g + 2 * hb, n), ldvOr0(b ? b + 2 * hb : 0, n)));
  const o = sigmoidv(f32x4.add(ldv(g + 3 * hb, n), ldvOr0(b ? b + 3 * hb : 0, n)));
  stv(g, i, n);
  stv(g + hb, f, n);
  stv(g + 2 * hb, gg, n);
  stv(g + 3 * hb, o, n);
  const ct = madd(f, ldv(cp, n), f32x4.mul(i, gg));
  stv(c, ct, n);
  stv(h, f32x4.mul(o, tanhv(ct)), n);
}

export function lstmForward(gates: usize, bHh: usize, cPrev: usize, c: usize, h: usize, B: i32, H: i32): void {
  const hb = <usize>H << 2;
  for (let r = 0; r < B; r++) {
    const g = gates + <usize>r * (hb << 2);
    const s = <usize>r * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      forward4(g + o, bHh ? bHh + o : 0, cPrev + s + o, c + s + o, h + s + o, hb, 4);
    }
    if (j < H) {
      const o = <usize>j << 2;
      forward4(g + o, bHh ? bHh + o : 0, cPrev + s + o, c + s + o, h + s + o, hb, H - j);
    }
  }
}

//   dc_total = dc + dh ⊙ o ⊙ (1 − tanh²c)
//   do = dh ⊙ tanh c    di = dc_total ⊙ g    dg = dc_total ⊙ i    df = dc_total ⊙ c_{t-1}
//   dc_{t-1} = dc_total ⊙ f;  each gate then through its activation's derivative
// @ts-ignore: decorator
@inline function backward4(dg: usize, dcp: usize, dh: usize, dc: usize, g: usize, c: usize, cp: usize,
                           hb: usize, n: i32): void {
  const one = f32x4.splat(1.0);
  const i = ldv(g, n);
  const f = ldv(g + hb, n);
  const gg = ldv(g + 2 * hb, n);
  const o = ldv(g + 3 * hb, n);
  const tc = tanhv(ldv(c, n));
  const dht = ldv(dh, n);
  const dct = madd(f32x4.mul(dht, o), f32x4.sub(one, f32x4.mul(tc, tc)), ldv(dc, n));
  stv(dg, f32x4.mul(f32x4.mul(dct, gg), f32x4.mul(i, f32x4.sub(one, i))), n);
  stv(dg + hb, f32x4.mul(f32x4.mul(dct, ldv(cp, n)), f32x4.mul(f, f32x4.sub(one, f))), n);
  stv(dg + 2 * hb, f32x4.mul(f32x4.mul(dct, i), f32x4.sub(one, f32x4.mul(gg, gg))), n);
  stv(dg + 3 * hb, f32x4.mul(f32x4.mul(dht, tc), f32x4.mul(o, f32x4.sub(one, o))), n);
  stv(dcp, f32x4.mul(dct, f), n);
}

export function lstmBackward(dGates: usize, dcPrev: usize, dh: usize, dc: usize, gates: usize, c: usize,
                             cPrev: usize, B: i32, H: i32): void {
  const hb = <usize>H << 2;
  for (let r = 0; r < B; r++) {
    const g = <usize>r * (hb << 2);
    const s = <usize>r * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      backward4(dGates + g + o, dcPrev + s + o, dh + s + o, dc + s + o, gates + g + o, c + s + o,
                cPrev + s + o, hb, 4);
    }
    if (j < H) {
      const o = <usize>j << 2;
      backward4(dGates + g + o, dcPrev + s + o, dh + s + o, dc + s + o, gates + g + o, c + s + o,
                cPrev + s + o, hb, H - j);
    }
  }
}
