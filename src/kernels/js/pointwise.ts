/**
 * @module kernels/js/pointwise
 * The fused element-wise math of one time step of each cell, forward and backward side by side.
 * Pre-activations arrive with the input projection x·W_ihᵀ + b_ih and the recurrent product h·W_hhᵀ
 * already computed by gemm; these loops add b_hh, apply the gates, and write what backward needs.
 * Backward reads activations' outputs only: σ' = σ(1−σ), tanh' = 1−tanh².
 * B batch rows, H hidden units. Gate blocks within a row follow PyTorch: LSTM i,f,g,o; GRU r,z,n.
 */
import type { FloatArray } from '../../tensor/types.js';
import type { Activation } from '../types.js';

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

// ---------------------------------------------------------------------------------------------
// Simple RNN and the residual cells' g:  h = f(z),  z = W_ih x + b_ih + W_hh h_{t-1} + b_hh
export function activationForward(f: Activation, z: FloatArray, b: FloatArray | undefined,
                                  B: number, H: number): void {
  for (let r = 0; r < B; r++) {
    const o = r * H;
    for (let j = 0; j < H; j++) {
      const v = z[o + j]! + (b ? b[j]! : 0);
      z[o + j] = f === 'tanh' ? Math.tanh(v) : f === 'relu' ? (v > 0 ? v : 0) : v;
    }
  }
}

// dz = dh ⊙ f'(z), with f' read off the output a = f(z): tanh' = 1 − a², relu' = [a > 0], identity' = 1
export function activationBackward(f: Activation, dz: FloatArray, dh: FloatArray, a: FloatArray,
                                   n: number): void {
  for (let i = 0; i < n; i++) {
    const ai = a[i]!;
    dz[i] = f === 'tanh' ? dh[i]! * (1 - ai * ai) : f === 'relu' ? (ai > 0 ? dh[i]! : 0) : dh[i]!;
  }
}

// ---------------------------------------------------------------------------------------------
// LSTM
//   i = σ(z_i)  f = σ(z_f)  g = tanh(z_g)  o = σ(z_o)      z = W_ih x + b_ih + W_hh h_{t-1} + b_hh
//   c_t = f ⊙ c_{t-1} + i ⊙ g
//   h_t = o ⊙ tanh(c_t)
export function lstmForward(gates: FloatArray, bHh: FloatArray | undefined, cPrev: FloatArray,
                            c: FloatArray, h: FloatArray, B: number, H: number): void {
  const G = 4 * H;
  for (let r = 0; r < B; r++) {
    const gr = r * G;
    const hr = r * H;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(gates[gr + j]! + (bHh ? bHh[j]! : 0));
      const f = sigmoid(gates[gr + H + j]! + (bHh ? bHh[H + j]! : 0));
      const g = Math.tanh(gates[gr + 2 * H + j]! + (bHh ? bHh[2 * H + j]! : 0));
      const o = sigmoid(gates[gr + 3 * H + j]! + (bHh ? bHh[3 * H + j]! : 0));
      gates[gr + j] = i;
      gates[gr + H + j] = f;
      gates[gr + 2 * H + j] = g;
      gates[gr + 3 * H + j] = o;
      const ct = f * cPrev[hr + j]! + i * g;
      c[hr + j] = ct;
      h[hr + j] = o * Math.tanh(ct);
    }
  }
}

// in the forward pass this was  h = o ⊙ tanh(c),  c = f ⊙ c_{t-1} + i ⊙ g,  so:
//   dc_total = dc + dh ⊙ o ⊙ (1 − tanh²c)
//   do = dh ⊙ tanh c    di = dc_total ⊙ g    dg = dc_total ⊙ i    df = dc_total ⊙ c_{t-1}
//   dc_{t-1} = dc_total ⊙ f;  each gate then through its activation's derivative
export function lstmBackward(dGates: FloatArray, dcPrev: FloatArray, dh: FloatArray, dc: FloatArray,
                             gates: FloatArray, c: FloatArray, cPrev: FloatArray, B: number, H: number): void {
  const G = 4 * H;
  for (let r = 0; r < B; r++) {
    const gr = r * G;
    const hr = r * H;
    for (let j = 0; j < H; j++) {
      const i = gates[gr + j]!;
      const f = gates[gr + H + j]!;
      const g = gates[gr + 2 * H + j]!;
      const o = gates[gr + 3 * H + j]!;
      const tc = Math.tanh(c[hr + j]!);
      const dht = dh[hr + j]!;
      const dct = dc[hr + j]! + dht * o * (1 - tc * tc);
      dGates[gr + j] = dct * g * i * (1 - i);
      dGates[gr + H + j] = dct * cPrev[hr + j]! * f * (1 - f);
      dGates[gr + 2 * H + j] = dct * i * (1 - g * g);
      dGates[gr + 3 * H + j] = dht * tc * o * (1 - o);
      dcPrev[hr + j] = dct * f;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// GRU, reset after the recurrent product (PyTorch, cuDNN, ONNX linear_before_reset=1)
//   r = σ(W_ir x + b_ir + W_hr h + b_hr)
//   z = σ(W_iz x + b_iz + W_hz h + b_hz)
//   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
//   h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}
export function gruAfterForward(gates: FloatArray, hw: FloatArray, bHh: FloatArray | undefined,
                                hPrev: FloatArray, h: FloatArray, hn: FloatArray, B: number, H: number): void {
  const G = 3 * H;
  for (let row = 0; row < B; row++) {
    const gr = row * G;
    const hr = row * H;
    for (let j = 0; j < H; j++) {
      const r = sigmoid(gates[gr + j]! + hw[gr + j]! + (bHh ? bHh[j]! : 0));
      const z = sigmoid(gates[gr + H + j]! + hw[gr + H + j]! + (bHh ? bHh[H + j]! : 0));
      const hnj = hw[gr + 2 * H + j]! + (bHh ? bHh[2 * H + j]! : 0);
      const n = Math.tanh(gates[gr + 2 * H + j]! + r * hnj);
      gates[gr + j] = r;
      gates[gr + H + j] = z;
      gates[gr + 2 * H + j] = n;
      hn[hr + j] = hnj;
      h[hr + j] = (1 - z) * n + z * hPrev[hr + j]!;
    }
  }
}

// in the forward pass this was  h = (1 − z) ⊙ n + z ⊙ h_{t-1},  n = tanh(xn + r ⊙ hn),  so:
//   dn_pre = dh ⊙ (1 − z) ⊙ (1 − n²)       (input side and, times r, the recurrent side)
//   dz_pre = dh ⊙ (h_{t-1} − n) ⊙ z(1 − z)
//   dr_pre = dn_pre ⊙ hn ⊙ r(1 − r)
//   dh_{t-1} = dh ⊙ z   (+ dHw · W_hh, added by the caller's gemm)
export function gruAfterBackward(dXw: FloatArray, dHw: FloatArray, dhPrev: FloatArray, dh: FloatArray,
                                 gates: FloatArray, hn: FloatArray, hPrev: FloatArray, B: number, H: number): void {
  const G = 3 * H;
  for (let row = 0; row < B; row++) {
    const gr = row * G;
    const hr = row * H;
    for (let j = 0; j < H; j++) {
      const r = gates[gr + j]!;
      const z = gates[gr + H + j]!;
      const n = gates[gr + 2 * H + j]!;
      const dht = dh[hr + j]!;
      const dnPre = dht * (1 - z) * (1 - n * n);
      const dzPre = dht * (hPrev[hr + j]! - n) * z * (1 - z);
      const drPre = dnPre * hn[hr + j]! * r * (1 - r);
      dXw[gr + j] = drPre;
      dXw[gr + H + j] = dzPre;
      dXw[gr + 2 * H + j] = dnPre;
      dHw[gr + j] = drPre;
      dHw[gr + H + j] = dzPre;
      dHw[gr + 2 * H + j] = dnPre * r;
      dhPrev[hr + j] = dht * z;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// GRU, reset before the recurrent product (the lecture notes, d2l, ONNX linear_before_reset=0)
//   R_t = σ(X_t W_xr + H_{t−1} W_hr + b_r)
//   Z_t = σ(X_t W_xz + H_{t−1} W_hz + b_z)
//   H̃_t = tanh(X_t W_xh + (R_t ⊙ H_{t−1}) W_hh + b_h)
//   H_t = Z_t ⊙ H_{t−1} + (1 − Z_t) ⊙ H̃_t
// Run as two halves around the product (R_t ⊙ H_{t−1}) W_hn.
export function gruBeforeGates(gates: FloatArray, hwRz: FloatArray, bHh: FloatArray | undefined,
                               hPrev: FloatArray, rh: FloatArray, B: number, H: number): void {
  const G = 3 * H;
  for (let row = 0; row < B; row++) {
    const gr = row * G;
    const wr = row * 2 * H;
    const hr = row * H;
    for (let j = 0; j < H; j++) {
      const r = sigmoid(gates[gr + j]! + hwRz[wr + j]! + (bHh ? bHh[j]! : 0));
      const z = sigmoid(gates[gr + H + j]! + hwRz[wr + H + j]! + (bHh ? bHh[H + j]! : 0));
      gates[gr + j] = r;
      gates[gr + H + j] = z;
      rh[hr + j] = r * hPrev[hr + j]!;
    }
  }
}

export function gruBeforeOutput(gates: FloatArray, hwN: FloatArray, bHh: FloatArray | undefined,
                                hPrev: FloatArray, h: FloatArray, B: number, H: number): void {
  const G = 3 * H;
  for (let row = 0; row < B; row++) {
    const gr = row * G;
    const hr = row * H;
    for (let j = 0; j < H; j++) {
      const z = gates[gr + H + j]!;
      const n = Math.tanh(gates[gr + 2 * H + j]! + hwN[hr + j]! + (bHh ? bHh[2 * H + j]! : 0));
      gates[gr + 2 * H + j] = n;
      h[hr + j] = (1 - z) * n + z * hPrev[hr + j]!;
    }
  }
}

// in the forward pass this was  H_t = Z ⊙ H_{t−1} + (1 − Z) ⊙ H̃,  H̃ = tanh(pre_n),  so:
//   dpre_n = dH ⊙ (1 − Z) ⊙ (1 − H̃²);   dZ = dH ⊙ (H_{t−1} − H̃);   dH_{t−1} = dH ⊙ Z
export function gruBeforeOutputBackward(dGates: FloatArray, dHwN: FloatArray, dhPrev: FloatArray,
                                        dh: FloatArray, gates: FloatArray, hPrev: FloatArray,
                                        B: number, H: number): void {
  const G = 3 * H;
  for (let row = 0; row < B; row++) {
    const gr = row * G;
    const hr = row * H;
    for (let j = 0; j < H; j++) {
      const z = gates[gr + H + j]!;
      const n = gates[gr + 2 * H + j]!;
      const dht = dh[hr + j]!;
      const dnPre = dht * (1 - z) * (1 - n * n);
      dGates[gr + 2 * H + j] = dnPre;
      dHwN[hr + j] = dnPre;
      dGates[gr + H + j] = dht * (hPrev[hr + j]! - n);
      dhPrev[hr + j] = dht * z;
    }
  }
}

// in the forward pass this was  rh = R ⊙ H_{t−1},  R = σ(pre_r),  Z = σ(pre_z),  so with dRh given:
//   dpre_r = dRh ⊙ H_{t−1} ⊙ R(1 − R);   dpre_z = dZ ⊙ Z(1 − Z);   dH_{t−1} += dRh ⊙ R
export function gruBeforeGatesBackward(dGates: FloatArray, dHwRz: FloatArray, dhPrev: FloatArray,
                                       dRh: FloatArray, gates: FloatArray, hPrev: FloatArray,
                                       B: number, H: number): void {
  const G = 3 * H;
  for (let row = 0; row < B; row++) {
    const gr = row * G;
    const wr = row * 2 * H;
    const hr = row * H;
    for (let j = 0; j < H; j++) {
      const r = gates[gr + j]!;
      const z = gates[gr + H + j]!;
      const drh = dRh[hr + j]!;
      const drPre = drh * hPrev[hr + j]! * r * (1 - r);
      const dzPre = dGates[gr + H + j]! * z * (1 - z);
      dGates[gr + j] = drPre;
      dGates[gr + H + j] = dzPre;
      dHwRz[wr + j] = drPre;
      dHwRz[wr + H + j] = dzPre;
      dhPrev[hr + j]! += drh * r;
    }
  }
}
