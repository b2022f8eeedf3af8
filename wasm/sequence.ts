/**
 * @module wasm/sequence
 * Whole recurrences in one call: the T-step loops of cells/rnn, cells/lstm and cells/residual (both
 * forms), forward and backward, over a block of B batch rows (the GRU's are in wasm/sequence-gru).
 * The step path of those cells makes one kernel call per product and per pointwise step; this makes
 * one call per sequence, so the calling thread and a worker can each run the whole loop on their
 * own rows, with no fork/join per step (rows never meet inside a recurrence). Each step calls the
 * same gemm and step kernels, in the same order, as the step path: the results are the same bits.
 *
 * Layout, as cells/sequence keeps it: per-step arrays are (T, ldB, W) and states (T+1, ldB, H), ldB
 * being the whole batch; a call gets the first of its B rows (pointers moved by row), so one step's
 * rows are B·W contiguous floats and slots are ldB·W floats apart. Forward: h0 in slot 0, h_t in slot
 * t+1; reverse: steps T−1..0, h_t in slot t, h0 in slot T. `work` is blocks of (ldB, H), ldB·H floats
 * apart: block 0 is dh (in: ∂L/∂h_T from later; out: ∂L/∂h0), LSTM block 1 dc likewise, the rest
 * scratch. dY (T, ldB, H) is ∂L/∂h_t from above (the layer's output gradient, 0 at padded steps).
 * `lens` (B int32 or 0): per-row lengths, see wasm/sequence-steps; a row inactive at step t carries
 * its state forward, and backward gets zero gate gradients and passes its state gradient through.
 */
import { activationBackward, activationForward, add } from './activation';
import { isActive, prevSlot, runEnd, stateSlot, stepGemm, stepOf } from './sequence-steps';
import { lstmBackward, lstmForward } from './lstm';

/** Simple RNN forward. a (T,ldB,H): in, the input projections W_ih x_t + b_ih; out, h_t = f(z_t). */
export function rnnSequenceForward(f: i32, a: usize, hs: usize, wHh: usize, bHh: usize, B: i32, H: i32, T: i32,
                                   ldB: i32, reverse: i32, scratch: usize, lens: usize): void {
  const s = <usize>(ldB * H) << 2, rb = <usize>H << 2;
  for (let i = 0; i < T; i++) {
    const t = stepOf(i, T, reverse);
    const at = a + <usize>t * s, hp = hs + prevSlot(t, reverse) * s, ht = hs + stateSlot(t, reverse) * s;
    for (let r = 0; r < B;) {
      const on = isActive(lens, r, t), e = runEnd(lens, r, B, t, on);
      const o = <usize>r * rb, n = e - r;
      if (on) {
        // z_t += W_hh h_{t−1};  h_t = f(z_t + b_hh)
        stepGemm(0, 1, n, H, H, hp + o, H, wHh, H, at + o, H, 1, scratch, ldB);
        activationForward(f, at + o, bHh, n, H);
        memory.copy(ht + o, at + o, <usize>n * rb);
      } else memory.copy(ht + o, hp + o, <usize>n * rb); // h_t = h_{t−1}
      r = e;
    }
  }
}

/** Simple RNN backward: dz (T,ldB,H) out; work: dh, then two scratch blocks. */
export function rnnSequenceBackward(f: i32, dz: usize, a: usize, dY: usize, work: usize, wHh: usize, B: i32, H: i32,
                                    T: i32, ldB: i32, reverse: i32, scratch: usize, lens: usize): void {
  const s = <usize>(ldB * H) << 2, rb = <usize>H << 2;
  let dh = work, dhPrev = work + s;
  const dhTotal = work + 2 * s;
  for (let i = T - 1; i >= 0; i--) {
    const t = stepOf(i, T, reverse);
    const dzt = dz + <usize>t * s, at = a + <usize>t * s;
    add(dhTotal, dY + <usize>t * s, dh, B * H);
    for (let r = 0; r < B;) {
      const on = isActive(lens, r, t), e = runEnd(lens, r, B, t, on);
      const o = <usize>r * rb, n = e - r;
      if (on) {
        // dz_t = (dy_t + dh_t) ⊙ f'(z_t);  dh_{t−1} = dz_t · W_hh
        activationBackward(f, dzt + o, dhTotal + o, at + o, n * H);
        stepGemm(0, 0, n, H, H, dzt + o, H, wHh, H, dhPrev + o, H, 0, scratch, ldB);
      } else {
        memory.fill(dzt + o, 0, <usize>n * rb);
        memory.copy(dhPrev + o, dhTotal + o, <usize>n * rb);
      }
      r = e;
    }
    const x = dh; dh = dhPrev; dhPrev = x;
  }
  if (dh != work) memory.copy(work, dh, <usize>(B * H) << 2);
}

/** LSTM forward. gates (T,ldB,4H): in, X_t W_x· + b_ih; out, i,f,g,o. hs, cs (T+1,ldB,H). */
export function lstmSequenceForward(gates: usize, hs: usize, cs: usize, wHh: usize, bHh: usize, B: i32, H: i32,
                                    T: i32, ldB: i32, reverse: i32, scratch: usize, lens: usize): void {
  const s = <usize>(ldB * H) << 2, rb = <usize>H << 2;
  for (let i = 0; i < T; i++) {
    const t = stepOf(i, T, reverse);
    const prev = prevSlot(t, reverse) * s, cur = stateSlot(t, reverse) * s;
    const gt = gates + <usize>t * (s << 2);
    for (let r = 0; r < B;) {
      const on = isActive(lens, r, t), e = runEnd(lens, r, B, t, on);
      const o = <usize>r * rb, n = e - r;
      if (on) {
        // + H_{t−1} W_h·, then the gates, C_t and H_t
        stepGemm(0, 1, n, 4 * H, H, hs + prev + o, H, wHh, H, gt + (o << 2), 4 * H, 1, scratch, ldB);
        lstmForward(gt + (o << 2), bHh, cs + prev + o, cs + cur + o, hs + cur + o, n, H);
      } else {
        memory.copy(hs + cur + o, hs + prev + o, <usize>n * rb);
        memory.copy(cs + cur + o, cs + prev + o, <usize>n * rb);
      }
      r = e;
    }
  }
}

/** LSTM backward: dGates (T,ldB,4H) out; work: dh, dc, then three scratch blocks. */
export function lstmSequenceBackward(dGates: usize, gates: usize, cs: usize, dY: usize, work: usize, wHh: usize,
                                     B: i32, H: i32, T: i32, ldB: i32, reverse: i32, scratch: usize, lens: usize): void {
  const s = <usize>(ldB * H) << 2, rb = <usize>H << 2;
  let dh = work, dc = work + s, dhPrev = work + 2 * s, dcPrev = work + 3 * s;
  const dhTotal = work + 4 * s;
  for (let i = T - 1; i >= 0; i--) {
    const t = stepOf(i, T, reverse);
    const dGt = dGates + <usize>t * (s << 2), gt = gates + <usize>t * (s << 2);
    const cur = cs + stateSlot(t, reverse) * s, prev = cs + prevSlot(t, reverse) * s;
    add(dhTotal, dY + <usize>t * s, dh, B * H);
    for (let r = 0; r < B;) {
      const on = isActive(lens, r, t), e = runEnd(lens, r, B, t, on);
      const o = <usize>r * rb, n = e - r;
      if (on) {
        lstmBackward(dGt + (o << 2), dcPrev + o, dhTotal + o, dc + o, gt + (o << 2), cur + o, prev + o, n, H);
        // dH_{t−1} = dGates_t · W_hh
        stepGemm(0, 0, n, H, 4 * H, dGt + (o << 2), 4 * H, wHh, H, dhPrev + o, H, 0, scratch, ldB);
      } else {
        memory.fill(dGt + (o << 2), 0, <usize>n * (rb << 2));
        memory.copy(dcPrev + o, dc + o, <usize>n * rb);
        memory.copy(dhPrev + o, dhTotal + o, <usize>n * rb);
      }
      r = e;
    }
    let x = dh; dh = dhPrev; dhPrev = x;
    x = dc; dc = dcPrev; dcPrev = x;
  }
  if (dh != work) memory.copy(work, dh, <usize>(B * H) << 2);
  if (dc != work + s) memory.copy(work + s, dc, <usize>(B * H) << 2);
}

/** Residual forward: h_t = h_{t−1} + g_t. Form "x" (xh = 0): a (T,ldB,H) holds g_t = f(W_ih x_t + b_ih)
 *  already. Form "xh" (xh = 1): a holds W_ih x_t + b_ih; out, g_t = f(a_t + W_hh h_{t−1} + b_hh). */
export function residualSequenceForward(f: i32, xh: i32, a: usize, hs: usize, wHh: usize, bHh: usize, B: i32, H: i32,
                                        T: i32, ldB: i32, reverse: i32, scratch: usize, lens: usize): void {
  const s = <usize>(ldB * H) << 2, rb = <usize>H << 2;
  for (let i = 0; i < T; i++) {
    const t = stepOf(i, T, reverse);
    const hp = hs + prevSlot(t, reverse) * s, ht = hs + stateSlot(t, reverse) * s, at = a + <usize>t * s;
    for (let r = 0; r < B;) {
      const on = isActive(lens, r, t), e = runEnd(lens, r, B, t, on);
      const o = <usize>r * rb, n = e - r;
      if (on) {
        if (xh) {
          // g_t = f(z_t + W_hh h_{t−1} + b_hh)
          stepGemm(0, 1, n, H, H, hp + o, H, wHh, H, at + o, H, 1, scratch, ldB);
          activationForward(f, at + o, bHh, n, H);
        }
        // h_t = h_{t−1} + g_t
        add(ht + o, hp + o, at + o, n * H);
      } else memory.copy(ht + o, hp + o, <usize>n * rb);
      r = e;
    }
  }
}

/** Residual backward: dz (T,ldB,H) out; work: dh, then two scratch blocks. */
export function residualSequenceBackward(f: i32, xh: i32, dz: usize, a: usize, dY: usize, work: usize, wHh: usize,
                                         B: i32, H: i32, T: i32, ldB: i32, reverse: i32, scratch: usize,
                                         lens: usize): void {
  const s = <usize>(ldB * H) << 2, rb = <usize>H << 2;
  let dh = work, dhPrev = work + s;
  const dhTotal = work + 2 * s;
  for (let i = T - 1; i >= 0; i--) {
    const t = stepOf(i, T, reverse);
    const dzt = dz + <usize>t * s, at = a + <usize>t * s;
    add(dhTotal, dY + <usize>t * s, dh, B * H);
    for (let r = 0; r < B;) {
      const on = isActive(lens, r, t), e = runEnd(lens, r, B, t, on);
      const o = <usize>r * rb, n = e - r;
      // dh_{t−1} = dy_t + dh_t (the identity path), + dz_t · W_hh on active rows ("xh")
      memory.copy(dhPrev + o, dhTotal + o, <usize>n * rb);
      if (on) {
        // dz_t = (dy_t + dh_t) ⊙ f'(z_t)
        activationBackward(f, dzt + o, dhTotal + o, at + o, n * H);
        if (xh) stepGemm(0, 0, n, H, H, dzt + o, H, wHh, H, dhPrev + o, H, 1, scratch, ldB);
      } else memory.fill(dzt + o, 0, <usize>n * rb);
      r = e;
    }
    const x = dh; dh = dhPrev; dhPrev = x;
  }
  if (dh != work) memory.copy(work, dh, <usize>(B * H) << 2);
}
