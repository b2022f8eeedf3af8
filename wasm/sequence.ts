/**
 * @module wasm/sequence
 * Whole recurrences in one call: the T-step loops of cells/rnn, cells/lstm, cells/gru (both forms)
 * and cells/residual (both forms), forward and backward, over a block of B batch rows. The step path of those cells makes one
 * kernel call per product and per pointwise step; this makes one call per sequence, so the calling
 * thread and a worker can each run the whole loop on their own rows, with no fork/join per step
 * (rows never meet inside a recurrence). Each step calls the same gemm and step kernels, in the same
 * order, as the step path: the results are the same bits.
 *
 * Layout, as cells/sequence keeps it: per-step arrays are (T, ldB, W) and states (T+1, ldB, H), ldB
 * being the whole batch; a call gets the first of its B rows (pointers moved by row), so one step's
 * rows are B·W contiguous floats and slots are ldB·W floats apart. Forward: h0 in slot 0, h_t in slot
 * t+1; reverse: steps T−1..0, h_t in slot t, h0 in slot T. `work` is blocks of (ldB, H), ldB·H floats
 * apart: block 0 is dh (in: ∂L/∂h_T from later; out: ∂L/∂h0), LSTM block 1 dc likewise, the rest
 * scratch. dY (T, ldB, H) is ∂L/∂h_t from above (the layer's output gradient).
 */
import { activationBackward, activationForward, add } from './activation';
import { gemm } from './gemm';
import {
  gruAfterBackward, gruAfterForward, gruBeforeGates, gruBeforeGatesBackward, gruBeforeOutput, gruBeforeOutputBackward,
} from './gru';
import { lstmBackward, lstmForward } from './lstm';

// @ts-ignore: decorator
@inline function stepOf(i: i32, T: i32, reverse: i32): i32 {
  return reverse ? T - 1 - i : i;
}
// @ts-ignore: decorator
@inline function prevSlot(t: i32, reverse: i32): usize {
  return <usize>(reverse ? t + 1 : t);
}
// @ts-ignore: decorator
@inline function stateSlot(t: i32, reverse: i32): usize {
  return <usize>(reverse ? t : t + 1);
}

/** Simple RNN forward. a (T,ldB,H): in, the input projections W_ih x_t + b_ih; out, h_t = f(z_t). */
export function rnnSequenceForward(f: i32, a: usize, hs: usize, wHh: usize, bHh: usize, B: i32, H: i32, T: i32,
                                   ldB: i32, reverse: i32, scratch: usize): void {
  const s = <usize>(ldB * H) << 2;
  const n = <usize>(B * H) << 2;
  for (let i = 0; i < T; i++) {
    const t = stepOf(i, T, reverse);
    const at = a + <usize>t * s;
    const ht = hs + stateSlot(t, reverse) * s;
    // z_t += W_hh h_{t−1};  h_t = f(z_t + b_hh)
    gemm(0, 1, B, H, H, hs + prevSlot(t, reverse) * s, H, wHh, H, at, H, 1, scratch);
    activationForward(f, at, bHh, B, H);
    memory.copy(ht, at, n);
  }
}

/** Simple RNN backward: dz (T,ldB,H) out; work: dh, then two scratch blocks. */
export function rnnSequenceBackward(f: i32, dz: usize, a: usize, dY: usize, work: usize, wHh: usize, B: i32, H: i32,
                                    T: i32, ldB: i32, reverse: i32, scratch: usize): void {
  const s = <usize>(ldB * H) << 2;
  const n = B * H;
  let dh = work, dhPrev = work + s;
  const dhTotal = work + 2 * s;
  for (let i = T - 1; i >= 0; i--) {
    const t = <usize>stepOf(i, T, reverse);
    const dzt = dz + t * s;
    // dz_t = (dy_t + dh_t) ⊙ f'(z_t);  dh_{t−1} = dz_t · W_hh
    add(dhTotal, dY + t * s, dh, n);
    activationBackward(f, dzt, dhTotal, a + t * s, n);
    gemm(0, 0, B, H, H, dzt, H, wHh, H, dhPrev, H, 0, scratch);
    const x = dh; dh = dhPrev; dhPrev = x;
  }
  if (dh != work) memory.copy(work, dh, <usize>n << 2);
}

/** LSTM forward. gates (T,ldB,4H): in, X_t W_x· + b_ih; out, i,f,g,o. hs, cs (T+1,ldB,H). */
export function lstmSequenceForward(gates: usize, hs: usize, cs: usize, wHh: usize, bHh: usize, B: i32, H: i32,
                                    T: i32, ldB: i32, reverse: i32, scratch: usize): void {
  const s = <usize>(ldB * H) << 2;
  for (let i = 0; i < T; i++) {
    const t = stepOf(i, T, reverse);
    const prev = prevSlot(t, reverse) * s, cur = stateSlot(t, reverse) * s;
    const gt = gates + <usize>t * (s << 2);
    // + H_{t−1} W_h·, then the gates, C_t and H_t
    gemm(0, 1, B, 4 * H, H, hs + prev, H, wHh, H, gt, 4 * H, 1, scratch);
    lstmForward(gt, bHh, cs + prev, cs + cur, hs + cur, B, H);
  }
}

/** LSTM backward: dGates (T,ldB,4H) out; work: dh, dc, then three scratch blocks. */
export function lstmSequenceBackward(dGates: usize, gates: usize, cs: usize, dY: usize, work: usize, wHh: usize,
                                     B: i32, H: i32, T: i32, ldB: i32, reverse: i32, scratch: usize): void {
  const s = <usize>(ldB * H) << 2;
  const n = B * H;
  let dh = work, dc = work + s, dhPrev = work + 2 * s, dcPrev = work + 3 * s;
  const dhTotal = work + 4 * s;
  for (let i = T - 1; i >= 0; i--) {
    const t = stepOf(i, T, reverse);
    const dGt = dGates + <usize>t * (s << 2);
    add(dhTotal, dY + <usize>t * s, dh, n);
    lstmBackward(dGt, dcPrev, dhTotal, dc, gates + <usize>t * (s << 2), cs + stateSlot(t, reverse) * s,
                 cs + prevSlot(t, reverse) * s, B, H);
    // dH_{t−1} = dGates_t · W_hh
    gemm(0, 0, B, H, 4 * H, dGt, 4 * H, wHh, H, dhPrev, H, 0, scratch);
    let x = dh; dh = dhPrev; dhPrev = x;
    x = dc; dc = dcPrev; dcPrev = x;
  }
  if (dh != work) memory.copy(work, dh, <usize>n << 2);
  if (dc != work + s) memory.copy(work + s, dc, <usize>n << 2);
}

/** GRU (reset after) forward. gates (T,ldB,3H): in, W_i· x_t + b_i·; out, r,z,n. hw (ldB,3H) scratch;
 *  hn (T,ldB,H) out: W_hn h_{t−1} + b_hn. */
export function gruAfterSequenceForward(gates: usize, hw: usize, hn: usize, hs: usize, wHh: usize, bHh: usize,
                                        B: i32, H: i32, T: i32, ldB: i32, reverse: i32, scratch: usize): void {
  const s = <usize>(ldB * H) << 2;
  for (let i = 0; i < T; i++) {
    const t = stepOf(i, T, reverse);
    const hPrev = hs + prevSlot(t, reverse) * s;
    // hw = W_hh h_{t−1} (all gates), then r, z, n and h_t
    gemm(0, 1, B, 3 * H, H, hPrev, H, wHh, H, hw, 3 * H, 0, scratch);
    gruAfterForward(gates + <usize>t * 3 * s, hw, bHh, hPrev, hs + stateSlot(t, reverse) * s, hn + <usize>t * s, B, H);
  }
}

/** GRU (reset after) backward: dXw, dHw (T,ldB,3H) out; work: dh, then two scratch blocks. */
export function gruAfterSequenceBackward(dXw: usize, dHw: usize, gates: usize, hn: usize, hs: usize, dY: usize,
                                         work: usize, wHh: usize, B: i32, H: i32, T: i32, ldB: i32, reverse: i32,
                                         scratch: usize): void {
  const s = <usize>(ldB * H) << 2;
  const n = B * H;
  let dh = work, dhPrev = work + s;
  const dhTotal = work + 2 * s;
  for (let i = T - 1; i >= 0; i--) {
    const t = stepOf(i, T, reverse);
    const dHwt = dHw + <usize>t * 3 * s;
    add(dhTotal, dY + <usize>t * s, dh, n);
    gruAfterBackward(dXw + <usize>t * 3 * s, dHwt, dhPrev, dhTotal, gates + <usize>t * 3 * s, hn + <usize>t * s,
                     hs + prevSlot(t, reverse) * s, B, H);
    // dh_{t−1} += dHw · W_hh
    gemm(0, 0, B, H, 3 * H, dHwt, 3 * H, wHh, H, dhPrev, H, 1, scratch);
    const x = dh; dh = dhPrev; dhPrev = x;
  }
  if (dh != work) memory.copy(work, dh, <usize>n << 2);
}

/** GRU (reset before) forward. gates (T,ldB,3H): in, W_i· x_t + b_i·; out, r,z,n. hwRz (ldB,2H) and
 *  hwN (ldB,H) scratch; rh (T,ldB,H) out: r_t ⊙ h_{t−1}. wHh's rows: r and z (2H,H), then n (H,H). */
export function gruBeforeSequenceForward(gates: usize, hwRz: usize, hwN: usize, rh: usize, hs: usize, wHh: usize,
                                         bHh: usize, B: i32, H: i32, T: i32, ldB: i32, reverse: i32,
                                         scratch: usize): void {
  const s = <usize>(ldB * H) << 2;
  const wHn = wHh + (<usize>(2 * H * H) << 2);
  for (let i = 0; i < T; i++) {
    const t = stepOf(i, T, reverse);
    const hPrev = hs + prevSlot(t, reverse) * s;
    const gt = gates + <usize>t * 3 * s;
    const rht = rh + <usize>t * s;
    // R_t, Z_t from H_{t−1} W_h{r,z}; then H̃_t from (R_t ⊙ H_{t−1}) W_hh
    gemm(0, 1, B, 2 * H, H, hPrev, H, wHh, H, hwRz, 2 * H, 0, scratch);
    gruBeforeGates(gt, hwRz, bHh, hPrev, rht, B, H);
    gemm(0, 1, B, H, H, rht, H, wHn, H, hwN, H, 0, scratch);
    gruBeforeOutput(gt, hwN, bHh, hPrev, hs + stateSlot(t, reverse) * s, B, H);
  }
}

/** GRU (reset before) backward: dXw (T,ldB,3H), dHw (T,ldB,2H), dHwN (T,ldB,H) out; work: dh, then
 *  three scratch blocks. */
export function gruBeforeSequenceBackward(dXw: usize, dHw: usize, dHwN: usize, gates: usize, hs: usize, dY: usize,
                                          work: usize, wHh: usize, B: i32, H: i32, T: i32, ldB: i32, reverse: i32,
                                          scratch: usize): void {
  const s = <usize>(ldB * H) << 2;
  const n = B * H;
  const wHn = wHh + (<usize>(2 * H * H) << 2);
  let dh = work, dhPrev = work + s;
  const dhTotal = work + 2 * s, dRh = work + 3 * s;
  for (let i = T - 1; i >= 0; i--) {
    const t = stepOf(i, T, reverse);
    const hPrev = hs + prevSlot(t, reverse) * s;
    const gt = gates + <usize>t * 3 * s;
    const dXwt = dXw + <usize>t * 3 * s, dHwt = dHw + <usize>t * 2 * s, dHwNt = dHwN + <usize>t * s;
    add(dhTotal, dY + <usize>t * s, dh, n);
    gruBeforeOutputBackward(dXwt, dHwNt, dhPrev, dhTotal, gt, hPrev, B, H);
    // d(R_t ⊙ H_{t−1}) = dH̃_pre · W_hh
    gemm(0, 0, B, H, H, dHwNt, H, wHn, H, dRh, H, 0, scratch);
    gruBeforeGatesBackward(dXwt, dHwt, dhPrev, dRh, gt, hPrev, B, H);
    // dH_{t−1} += d[R,Z]_pre · W_h{r,z}
    gemm(0, 0, B, H, 2 * H, dHwt, 2 * H, wHh, H, dhPrev, H, 1, scratch);
    const x = dh; dh = dhPrev; dhPrev = x;
  }
  if (dh != work) memory.copy(work, dh, <usize>n << 2);
}

/** Residual forward: h_t = h_{t−1} + g_t. Form "x" (xh = 0): a (T,ldB,H) holds g_t = f(W_ih x_t + b_ih)
 *  already. Form "xh" (xh = 1): a holds W_ih x_t + b_ih; out, g_t = f(a_t + W_hh h_{t−1} + b_hh). */
export function residualSequenceForward(f: i32, xh: i32, a: usize, hs: usize, wHh: usize, bHh: usize, B: i32, H: i32,
                                        T: i32, ldB: i32, reverse: i32, scratch: usize): void {
  const s = <usize>(ldB * H) << 2;
  for (let i = 0; i < T; i++) {
    const t = stepOf(i, T, reverse);
    const hPrev = hs + prevSlot(t, reverse) * s;
    const at = a + <usize>t * s;
    if (xh) {
      // g_t = f(z_t + W_hh h_{t−1} + b_hh)
      gemm(0, 1, B, H, H, hPrev, H, wHh, H, at, H, 1, scratch);
      activationForward(f, at, bHh, B, H);
    }
    // h_t = h_{t−1} + g_t
    add(hs + stateSlot(t, reverse) * s, hPrev, at, B * H);
  }
}

/** Residual backward: dz (T,ldB,H) out; work: dh, then two scratch blocks. */
export function residualSequenceBackward(f: i32, xh: i32, dz: usize, a: usize, dY: usize, work: usize, wHh: usize,
                                         B: i32, H: i32, T: i32, ldB: i32, reverse: i32, scratch: usize): void {
  const s = <usize>(ldB * H) << 2;
  const n = B * H;
  let dh = work, dhPrev = work + s;
  const dhTotal = work + 2 * s;
  for (let i = T - 1; i >= 0; i--) {
    const t = <usize>stepOf(i, T, reverse);
    const dzt = dz + t * s;
    // dz_t = (dy_t + dh_t) ⊙ f'(z_t);  dh_{t−1} = dy_t + dh_t (the identity path) + dz_t · W_hh
    add(dhTotal, dY + t * s, dh, n);
    activationBackward(f, dzt, dhTotal, a + t * s, n);
    memory.copy(dhPrev, dhTotal, <usize>n << 2);
    if (xh) gemm(0, 0, B, H, H, dzt, H, wHh, H, dhPrev, H, 1, scratch);
    const x = dh; dh = dhPrev; dhPrev = x;
  }
  if (dh != work) memory.copy(work, dh, <usize>n << 2);
}
