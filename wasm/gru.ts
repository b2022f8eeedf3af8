/**
 * @module wasm/gru
 * GRU time steps over B rows, both forms (the maths is quoted in kernels/js/pointwise). Gate blocks
 * r,z,n: gates, hw, dXw, dHw, dGates (B,3H); hwRz, dHwRz (B,2H); h, hPrev, hn, rh, hwN, dHwN, dh,
 * dhPrev, dRh (B,H). Pointers are byte addresses; bHh (3H) may be 0 (no bias). Each row runs in
 * chunks of 4 units, the last chunk partial.
 */
import { sigmoidv, tanhv } from './math';
import { ldv, ldvOr0, madd, stv } from './simd';


// ---------------------------------------------------------------------------------------------
// reset after the recurrent product:  n = tanh(xn + r ⊙ (W_hn h + b_hn)),  h = (1 − z) ⊙ n + z ⊙ h_prev
// @ts-ignore: decorator
@inline function afterForward4(g: usize, hw: usize, b: usize, hp: usize, h: usize, hn: usize, hb: usize,
                               n: i32): void {
  const r = sigmoidv(f32x4.add(f32x4.add(ldv(g, n), ldv(hw, n)), ldvOr0(b, n)));
  const z = sigmoidv(f32x4.add(f32x4.add(ldv(g + hb, n), ldv(hw + hb, n)), ldvOr0(b ? b + hb : 0, n)));
  const hnj = f32x4.add(ldv(hw + 2 * hb, n), ldvOr0(b ? b + 2 * hb : 0, n));
  const nn = tanhv(madd(r, hnj, ldv(g + 2 * hb, n)));
  stv(g, r, n);
  stv(g + hb, z, n);
  stv(g + 2 * hb, nn, n);
  stv(hn, hnj, n);
  // (1 − z)·n + z·h_prev = n + z·(h_prev − n)
  stv(h, madd(z, f32x4.sub(ldv(hp, n), nn), nn), n);
}

export function gruAfterForward(gates: usize, hw: usize, bHh: usize, hPrev: usize, h: usize, hn: usize,
                                B: i32, H: i32): void {
  const hb = <usize>H << 2;
  for (let row = 0; row < B; row++) {
    const g = <usize>row * hb * 3;
    const s = <usize>row * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      afterForward4(gates + g + o, hw + g + o, bHh ? bHh + o : 0, hPrev + s + o, h + s + o, hn + s + o, hb, 4);
    }
    if (j < H) {
      const o = <usize>j << 2;
      afterForward4(gates + g + o, hw + g + o, bHh ? bHh + o : 0, hPrev + s + o, h + s + o, hn + s + o, hb, H - j);
    }
  }
}

//   dn_pre = dh ⊙ (1 − z) ⊙ (1 − n²);  dz_pre = dh ⊙ (h_prev − n) ⊙ z(1 − z);  dr_pre = dn_pre ⊙ hn ⊙ r(1 − r)
//   dXw = (dr_pre, dz_pre, dn_pre);  dHw = (dr_pre, dz_pre, dn_pre ⊙ r);  dh_prev = dh ⊙ z
// @ts-ignore: decorator
@inline function afterBackward4(dx: usize, dhw: usize, dhp: usize, dh: usize, g: usize, hn: usize, hp: usize,
                                hb: usize, n: i32): void {
  const one = f32x4.splat(1.0);
  const r = ldv(g, n);
  const z = ldv(g + hb, n);
  const nn = ldv(g + 2 * hb, n);
  const dht = ldv(dh, n);
  const dnPre = f32x4.mul(f32x4.mul(dht, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(nn, nn)));
  const dzPre = f32x4.mul(f32x4.mul(dht, f32x4.sub(ldv(hp, n), nn)), f32x4.mul(z, f32x4.sub(one, z)));
  const drPre = f32x4.mul(f32x4.mul(dnPre, ldv(hn, n)), f32x4.mul(r, f32x4.sub(one, r)));
  stv(dx, drPre, n);
  stv(dx + hb, dzPre, n);
  stv(dx + 2 * hb, dnPre, n);
  stv(dhw, drPre, n);
  stv(dhw + hb, dzPre, n);
  stv(dhw + 2 * hb, f32x4.mul(dnPre, r), n);
  stv(dhp, f32x4.mul(dht, z), n);
}

export function gruAfterBackward(dXw: usize, dHw: usize, dhPrev: usize, dh: usize, gates: usize, hn: usize,
                                 hPrev: usize, B: i32, H: i32): void {
  const hb = <usize>H << 2;
  for (let row = 0; row < B; row++) {
    const g = <usize>row * hb * 3;
    const s = <usize>row * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      afterBackward4(dXw + g + o, dHw + g + o, dhPrev + s + o, dh + s + o, gates + g + o, hn + s + o,
                     hPrev + s + o, hb, 4);
    }
    if (j < H) {
      const o = <usize>j << 2;
      afterBackward4(dXw + g + o, dHw + g + o, dhPrev + s + o, dh + s + o, gates + g + o, hn + s + o,
                     hPrev + s + o, hb, H - j);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// reset before the recurrent product, first half:  r, z;  rh = r ⊙ h_prev
// @ts-ignore: decorator
@inline function beforeGates4(g: usize, hw: usize, b: usize, hp: usize, rh: usize, hb: usize, n: i32): void {
  const r = sigmoidv(f32x4.add(f32x4.add(ldv(g, n), ldv(hw, n)), ldvOr0(b, n)));
  const z = sigmoidv(f32x4.add(f32x4.add(ldv(g + hb, n), ldv(hw + hb, n)), ldvOr0(b ? b + hb : 0, n)));
  stv(g, r, n);
  stv(g + hb, z, n);
  stv(rh, f32x4.mul(r, ldv(hp, n)), n);
}

export function gruBeforeGates(gates: usize, hwRz: usize, bHh: usize, hPrev: usize, rh: usize, B: i32, H: i32): void {
  const hb = <usize>H << 2;
  for (let row = 0; row < B; row++) {
    const g = gates + <usize>row * hb * 3;
    const w = hwRz + <usize>row * hb * 2;
    const s = <usize>row * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      beforeGates4(g + o, w + o, bHh ? bHh + o : 0, hPrev + s + o, rh + s + o, hb, 4);
    }
    if (j < H) {
      const o = <usize>j << 2;
      beforeGates4(g + o, w + o, bHh ? bHh + o : 0, hPrev + s + o, rh + s + o, hb, H - j);
    }
  }
}

// second half:  n = tanh(xn + hwN + b_hn),  h = (1 − z) ⊙ n + z ⊙ h_prev
// @ts-ignore: decorator
@inline function beforeOutput4(g: usize, hwN: usize, b: usize, hp: usize, h: usize, hb: usize, n: i32): void {
  const z = ldv(g + hb, n);
  const nn = tanhv(f32x4.add(f32x4.add(ldv(g + 2 * hb, n), ldv(hwN, n)), ldvOr0(b ? b + 2 * hb : 0, n)));
  stv(g + 2 * hb, nn, n);
  stv(h, madd(z, f32x4.sub(ldv(hp, n), nn), nn), n);
}

export function gruBeforeOutput(gates: usize, hwN: usize, bHh: usize, hPrev: usize, h: usize, B: i32, H: i32): void {
  const hb = <usize>H << 2;
  for (let row = 0; row < B; row++) {
    const g = gates + <usize>row * hb * 3;
    const s = <usize>row * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      beforeOutput4(g + o, hwN + s + o, bHh ? bHh + o : 0, hPrev + s + o, h + s + o, hb, 4);
    }
    if (j < H) {
      const o = <usize>j << 2;
      beforeOutput4(g + o, hwN + s + o, bHh ? bHh + o : 0, hPrev + s + o, h + s + o, hb, H - j);
    }
  }
}

//   dpre_n = dH ⊙ (1 − Z) ⊙ (1 − H̃²);   dZ = dH ⊙ (H_{t−1} − H̃);   dH_{t−1} = dH ⊙ Z
// @ts-ignore: decorator
@inline function beforeOutputBackward4(dg: usize, dhwN: usize, dhp: usize, dh: usize, g: usize, hp: usize,
                                       hb: usize, n: i32): void {
  const one = f32x4.splat(1.0);
  const z = ldv(g + hb, n);
  const nn = ldv(g + 2 * hb, n);
  const dht = ldv(dh, n);
  const dnPre = f32x4.mul(f32x4.mul(dht, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(nn, nn)));
  stv(dg + 2 * hb, dnPre, n);
  stv(dhwN, dnPre, n);
  stv(dg + hb, f32x4.mul(dht, f32x4.sub(ldv(hp, n), nn)), n);
  stv(dhp, f32x4.mul(dht, z), n);
}

export function gruBeforeOutputBackward(dGates: usize, dHwN: usize, dhPrev: usize, dh: usize, gates: usize,
                                        hPrev: usize, B: i32, H: i32): void {
  const hb = <usize>H << 2;
  for (let row = 0; row < B; row++) {
    const g = <usize>row * hb * 3;
    const s = <usize>row * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      beforeOutputBackward4(dGates + g + o, dHwN + s + o, dhPrev + s + o, dh + s + o, gates + g + o,
                            hPrev + s + o, hb, 4);
    }
    if (j < H) {
      const o = <usize>j << 2;
      beforeOutputBackward4(dGates + g + o, dHwN + s + o, dhPrev + s + o, dh + s + o, gates + g + o,
                            hPrev + s + o, hb, H - j);
    }
  }
}

//   dpre_r = dRh ⊙ H_{t−1} ⊙ R(1 − R);   dpre_z = dZ ⊙ Z(1 − Z);   dH_{t−1} += dRh ⊙ R
// @ts-ignore: decorator
@inline function beforeGatesBackward4(dg: usize, dhw: usize, dhp: usize, drh: usize, g: usize, hp: usize,
                                      hb: usize, n: i32): void {
  const one = f32x4.splat(1.0);
  const r = ldv(g, n);
  const z = ldv(g + hb, n);
  const d = ldv(drh, n);
  const drPre = f32x4.mul(f32x4.mul(d, ldv(hp, n)), f32x4.mul(r, f32x4.sub(one, r)));
  const dzPre = f32x4.mul(ldv(dg + hb, n), f32x4.mul(z, f32x4.sub(one, z)));
  stv(dg, drPre, n);
  stv(dg + hb, dzPre, n);
  stv(dhw, drPre, n);
  stv(dhw + hb, dzPre, n);
  stv(dhp, madd(d, r, ldv(dhp, n)), n);
}

export function gruBeforeGatesBackward(dGates: usize, dHwRz: usize, dhPrev: usize, dRh: usize, gates: usize,
                                       hPrev: usize, B: i32, H: i32): void {
  const hb = <usize>H << 2;
  for (let row = 0; row < B; row++) {
    const g = <usize>row * hb * 3;
    const w = dHwRz + <usize>row * hb * 2;
    const s = <usize>row * hb;
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const o = <usize>j << 2;
      beforeGatesBackward4(dGates + g + o, w + o, dhPrev + s + o, dRh + s + o, gates + g + o, hPrev + s + o, hb, 4);
    }
    if (j < H) {
      const o = <usize>j << 2;
      beforeGatesBackward4(dGates + g + o, w + o, dhPrev + s + o, dRh + s + o, gates + g + o, hPrev + s + o,
                           hb, H - j);
    }
  }
}
