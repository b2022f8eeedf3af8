/**
 * @module wasm/sequence-gru
 * The GRU's whole recurrences, both forms (cells/gru), forward and backward, over a block of B batch
 * rows: layout, threads and per-row lengths as in wasm/sequence and wasm/sequence-steps.
 */
import { add } from './activation';
import {
  gruAfterBackward, gruAfterForward, gruBeforeGates, gruBeforeGatesBackward, gruBeforeOutput, gruBeforeOutputBackward,
} from './gru';
import { isActive, prevSlot, runEnd, stateSlot, stepGemm, stepOf } from './sequence-steps';

/** GRU (reset after) forward. gates (T,ldB,3H): in, W_i· x_t + b_i·; out, r,z,n. hw (ldB,3H) scratch;
 *  hn (T,ldB,H) out: W_hn h_{t−1} + b_hn. */
export function gruAfterSequenceForward(gates: usize, hw: usize, hn: usize, hs: usize, wHh: usize, bHh: usize,
                                        B: i32, H: i32, T: i32, ldB: i32, reverse: i32, scratch: usize,
                                        lens: usize): void {
  const s = <usize>(ldB * H) << 2, rb = <usize>H << 2;
  for (let i = 0; i < T; i++) {
    const t = stepOf(i, T, reverse);
    const hp = hs + prevSlot(t, reverse) * s, ht = hs + stateSlot(t, reverse) * s;
    const gt = gates + <usize>t * 3 * s, hnt = hn + <usize>t * s;
    for (let r = 0; r < B;) {
      const on = isActive(lens, r, t), e = runEnd(lens, r, B, t, on);
      const o = <usize>r * rb, o3 = o * 3, n = e - r;
      if (on) {
        // hw = W_hh h_{t−1} (all gates), then r, z, n and h_t
        stepGemm(0, 1, n, 3 * H, H, hp + o, H, wHh, H, hw + o3, 3 * H, 0, scratch, ldB);
        gruAfterForward(gt + o3, hw + o3, bHh, hp + o, ht + o, hnt + o, n, H);
      } else memory.copy(ht + o, hp + o, <usize>n * rb); // h_t = h_{t−1}
      r = e;
    }
  }
}

/** GRU (reset after) backward: dXw, dHw (T,ldB,3H) out; work: dh, then two scratch blocks. */
export function gruAfterSequenceBackward(dXw: usize, dHw: usize, gates: usize, hn: usize, hs: usize, dY: usize,
                                         work: usize, wHh: usize, B: i32, H: i32, T: i32, ldB: i32, reverse: i32,
                                         scratch: usize, lens: usize): void {
  const s = <usize>(ldB * H) << 2, rb = <usize>H << 2;
  let dh = work, dhPrev = work + s;
  const dhTotal = work + 2 * s;
  for (let i = T - 1; i >= 0; i--) {
    const t = stepOf(i, T, reverse);
    const dXwt = dXw + <usize>t * 3 * s, dHwt = dHw + <usize>t * 3 * s, gt = gates + <usize>t * 3 * s;
    const hnt = hn + <usize>t * s, hp = hs + prevSlot(t, reverse) * s;
    add(dhTotal, dY + <usize>t * s, dh, B * H);
    for (let r = 0; r < B;) {
      const on = isActive(lens, r, t), e = runEnd(lens, r, B, t, on);
      const o = <usize>r * rb, o3 = o * 3, n = e - r;
      if (on) {
        gruAfterBackward(dXwt + o3, dHwt + o3, dhPrev + o, dhTotal + o, gt + o3, hnt + o, hp + o, n, H);
        // dh_{t−1} += dHw · W_hh
        stepGemm(0, 0, n, H, 3 * H, dHwt + o3, 3 * H, wHh, H, dhPrev + o, H, 1, scratch, ldB);
      } else {
        memory.fill(dXwt + o3, 0, <usize>n * rb * 3);
        memory.fill(dHwt + o3, 0, <usize>n * rb * 3);
        memory.copy(dhPrev + o, dhTotal + o, <usize>n * rb);
      }
      r = e;
    }
    const x = dh; dh = dhPrev; dhPrev = x;
  }
  if (dh != work) memory.copy(work, dh, <usize>(B * H) << 2);
}

/** GRU (reset before) forward. gates (T,ldB,3H): in, W_i· x_t + b_i·; out, r,z,n. hwRz (ldB,2H) and
 *  hwN (ldB,H) scratch; rh (T,ldB,H) out: r_t ⊙ h_{t−1} (0 on inactive rows, whose gradient is 0).
 *  wHh's rows: r and z (2H,H), then n (H,H). */
export function gruBeforeSequenceForward(gates: usize, hwRz: usize, hwN: usize, rh: usize, hs: usize, wHh: usize,
                                         bHh: usize, B: i32, H: i32, T: i32, ldB: i32, reverse: i32,
                                         scratch: usize, lens: usize): void {
  const s = <usize>(ldB * H) << 2, rb = <usize>H << 2;
  const wHn = wHh + (<usize>(2 * H * H) << 2);
  for (let i = 0; i < T; i++) {
    const t = stepOf(i, T, reverse);
    const hp = hs + prevSlot(t, reverse) * s, ht = hs + stateSlot(t, reverse) * s;
    const gt = gates + <usize>t * 3 * s, rht = rh + <usize>t * s;
    for (let r = 0; r < B;) {
      const on = isActive(lens, r, t), e = runEnd(lens, r, B, t, on);
      const o = <usize>r * rb, n = e - r;
      if (on) {
        // R_t, Z_t from H_{t−1} W_h{r,z}; then H̃_t from (R_t ⊙ H_{t−1}) W_hh
        stepGemm(0, 1, n, 2 * H, H, hp + o, H, wHh, H, hwRz + o * 2, 2 * H, 0, scratch, ldB);
        gruBeforeGates(gt + o * 3, hwRz + o * 2, bHh, hp + o, rht + o, n, H);
        stepGemm(0, 1, n, H, H, rht + o, H, wHn, H, hwN + o, H, 0, scratch, ldB);
        gruBeforeOutput(gt + o * 3, hwN + o, bHh, hp + o, ht + o, n, H);
      } else {
        memory.copy(ht + o, hp + o, <usize>n * rb);
        memory.fill(rht + o, 0, <usize>n * rb);
      }
      r = e;
    }
  }
}

/** GRU (reset before) backward: dXw (T,ldB,3H), dHw (T,ldB,2H), dHwN (T,ldB,H) out; work: dh, then
 *  three scratch blocks. */
export function gruBeforeSequenceBackward(dXw: usize, dHw: usize, dHwN: usize, gates: usize, hs: usize, dY: usize,
                                          work: usize, wHh: usize, B: i32, H: i32, T: i32, ldB: i32, reverse: i32,
                                          scratch: usize, lens: usize): void {
  const s = <usize>(ldB * H) << 2, rb = <usize>H << 2;
  const wHn = wHh + (<usize>(2 * H * H) << 2);
  let dh = work, dhPrev = work + s;
  const dhTotal = work + 2 * s, dRh = work + 3 * s;
  for (let i = T - 1; i >= 0; i--) {
    const t = stepOf(i, T, reverse);
    const hp = hs + prevSlot(t, reverse) * s, gt = gates + <usize>t * 3 * s;
    const dXwt = dXw + <usize>t * 3 * s, dHwt = dHw + <usize>t * 2 * s, dHwNt = dHwN + <usize>t * s;
    add(dhTotal, dY + <usize>t * s, dh, B * H);
    for (let r = 0; r < B;) {
      const on = isActive(lens, r, t), e = runEnd(lens, r, B, t, on);
      const o = <usize>r * rb, o2 = o * 2, o3 = o * 3, n = e - r;
      if (on) {
        gruBeforeOutputBackward(dXwt + o3, dHwNt + o, dhPrev + o, dhTotal + o, gt + o3, hp + o, n, H);
        // d(R_t ⊙ H_{t−1}) = dH̃_pre · W_hh
        stepGemm(0, 0, n, H, H, dHwNt + o, H, wHn, H, dRh + o, H, 0, scratch, ldB);
        gruBeforeGatesBackward(dXwt + o3, dHwt + o2, dhPrev + o, dRh + o, gt + o3, hp + o, n, H);
        // dH_{t−1} += d[R,Z]_pre · W_h{r,z}
        stepGemm(0, 0, n, H, 2 * H, dHwt + o2, 2 * H, wHh, H, dhPrev + o, H, 1, scratch, ldB);
      } else {
        memory.fill(dXwt + o3, 0, <usize>n * rb * 3);
        memory.fill(dHwt + o2, 0, <usize>n * rb * 2);
        memory.fill(dHwNt + o, 0, <usize>n * rb);
        memory.copy(dhPrev + o, dhTotal + o, <usize>n * rb);
      }
      r = e;
    }
    const x = dh; dh = dhPrev; dhPrev = x;
  }
  if (dh != work) memory.copy(work, dh, <usize>(B * H) << 2);
}
