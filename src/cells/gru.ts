/**
 * @module cells/gru
 * Gated recurrent unit, in both of its forms. Gate order r, z, n as PyTorch stores them.
 *
 * Reset before the recurrent product (the lecture notes, d2l; ONNX linear_before_reset=0), default:
 *   R_t = σ(X_t W_xr + H_{t−1} W_hr + b_r)
 *   Z_t = σ(X_t W_xz + H_{t−1} W_hz + b_z)
 *   H̃_t = tanh(X_t W_xh + (R_t ⊙ H_{t−1}) W_hh + b_h)
 *   H_t = Z_t ⊙ H_{t−1} + (1 − Z_t) ⊙ H̃_t
 *
 * Reset after it (PyTorch, cuDNN; ONNX linear_before_reset=1), `resetAfter: true`:
 *   n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn)),  the rest as above.
 *
 * The two are different functions of the same parameter shapes: weights do not convert between them.
 * T time, B batch, I input, H hidden, gates G = 3.
 */
import type { Kernels } from '../kernels/types.js';
import type { FloatArray } from '../tensor/types.js';
import {
  copyInactiveRows, fusedLengths, fusedLoop, inputGradients, initialSlot, prevSlot, prevStates, projectInputs,
  stateSlot, stateGradient, stepAt, StepGrads, zeroInactiveRows,
} from './sequence.js';
import { StepViews, type Alloc, type Cell, type CellCache } from './types.js';

export interface GruCache extends CellCache {
  readonly gates: StepViews; // (T,B,3H) r,z,n after activation
  readonly dXw: StepViews;   // (T,B,3H) gradient of the input side's pre-activations
  readonly g: StepGrads;
  // reset after: hn (T,B,H) = W_hn h + b_hn; hw (B,3H) scratch; dHw (T,B,3H)
  // reset before: rh (T,B,H) = r ⊙ h_{t−1}; hwRz (B,2H), hwN (B,H) scratch; dHwRz (T,B,2H), dHwN (T,B,H)
  readonly saved: StepViews;   // hn or rh
  readonly hw: FloatArray;     // (B,3H) after; (B,2H) + (B,H) before
  readonly dHw: StepViews;     // (T,B,3H) after; (T,B,2H) before
  readonly dHwN: StepViews;    // (T,B,H), before only
  readonly dRh: FloatArray;    // (B,H), before only
  readonly work: FloatArray;   // (4,B,H) for the backend's fused loop (dh, scratch), else empty
}

export function gruCell(k: Kernels, resetAfter: boolean): Cell<GruCache> {
  const createCache = (alloc: Alloc, T: number, B: number, _I: number, H: number): GruCache => ({
    T, B, hs: new StepViews(alloc, T + 1, B * H), cs: undefined,
    gates: new StepViews(alloc, T, B * 3 * H), dXw: new StepViews(alloc, T, B * 3 * H),
    g: new StepGrads(alloc, B, H), saved: new StepViews(alloc, T, B * H), hw: alloc(B * 3 * H),
    dHw: new StepViews(alloc, T, B * (resetAfter ? 3 : 2) * H),
    dHwN: new StepViews(alloc, resetAfter ? 0 : T, B * H), dRh: alloc(resetAfter ? 0 : B * H),
    work: alloc(k.sequence ? 4 * B * H : 0),
  });
  return {
    gates: 3,
    hasRecurrentWeight: true,
    hasCellState: false,
    createCache,

    forward(c, x, h0, _c0, w, d) {
      const { T, B, I, H } = d;
      const wHh = w.wHh!;
      const wHrz = wHh.subarray(0, 2 * H * H); // (2H,H) rows of r and z
      const wHn = wHh.subarray(2 * H * H);     // (H,H)
      const hwRz = c.hw.subarray(0, 2 * B * H);
      const hwN = c.hw.subarray(2 * B * H);
      c.hs.at[initialSlot(d)]!.set(h0);
      // W_i· x_t + b_i· for all steps and gates                            (T,B,3H)
      projectInputs(k, c.gates.all, x, w.wIh, w.bIh, T * B, 3 * H, I, d);
      const fused = fusedLoop(k, d);
      const lens = fusedLengths(d); // per-row lengths, for the fused loop
      // the loop below, in one call (kernels/types SequenceKernels)
      if (fused && resetAfter) return fused.gruAfterForward(c.gates.all, c.hw, c.saved.all, c.hs.all, wHh, w.bHh, T, B, H, d.reverse, lens);
      if (fused) return fused.gruBeforeForward(c.gates.all, hwRz, hwN, c.saved.all, c.hs.all, wHh, w.bHh, T, B, H, d.reverse, lens);
      for (let i = 0; i < T; i++) {
        const t = stepAt(i, d);
        const hPrev = c.hs.at[prevSlot(t, d)]!;
        const ht = c.hs.at[stateSlot(t, d)]!;
        const gt = c.gates.at[t]!;
        if (resetAfter) {
          // hw = W_hh h_{t−1} (all gates), then r, z, n and h_t in one pass
          k.gemm(false, true, B, 3 * H, H, hPrev, wHh, c.hw, false);
          k.gruAfterForward(gt, c.hw, w.bHh, hPrev, ht, c.saved.at[t]!, B, H);
        } else {
          // R_t, Z_t from H_{t−1} W_h{r,z}; then H̃_t from (R_t ⊙ H_{t−1}) W_hh
          k.gemm(false, true, B, 2 * H, H, hPrev, wHrz, hwRz, false);
          k.gruBeforeGates(gt, hwRz, w.bHh, hPrev, c.saved.at[t]!, B, H);
          k.gemm(false, true, B, H, H, c.saved.at[t]!, wHn, hwN, false);
          k.gruBeforeOutput(gt, hwN, w.bHh, hPrev, ht, B, H);
        }
        copyInactiveRows(ht, hPrev, d, t, H);
      }
    },

    backward(dw, dx, dh0, _dc0, dY, dhN, _dcN, c, x, w, d) {
      const { T, B, I, H } = d;
      const g = c.g;
      const wHh = w.wHh!;
      const wHrz = wHh.subarray(0, 2 * H * H);
      const wHn = wHh.subarray(2 * H * H);
      const fused = fusedLoop(k, d);
      const lens = fusedLengths(d); // per-row lengths, for the fused loop
      if (fused) {
        // the loop below, in one call; work block 0 carries dh in and out
        c.work.set(dhN);
        if (resetAfter) fused.gruAfterBackward(c.dXw.all, c.dHw.all, c.gates.all, c.saved.all, c.hs.all, dY, c.work, wHh, T, B, H, d.reverse, lens);
        else fused.gruBeforeBackward(c.dXw.all, c.dHw.all, c.dHwN.all, c.gates.all, c.hs.all, dY, c.work, wHh, T, B, H, d.reverse, lens);
        dh0.set(c.work.subarray(0, B * H));
      } else {
        g.dh.set(dhN);
        for (let i = T - 1; i >= 0; i--) {
          const t = stepAt(i, d);
          const hPrev = c.hs.at[prevSlot(t, d)]!;
          const gt = c.gates.at[t]!;
          const dXwt = c.dXw.at[t]!;
          const dHwt = c.dHw.at[t]!;
          stateGradient(k, g, dY, t, d);
          if (resetAfter) {
            k.gruAfterBackward(dXwt, dHwt, g.dhPrev, g.dhTotal, gt, c.saved.at[t]!, hPrev, B, H);
            zeroInactiveRows(dXwt, d, t, 3 * H);
            zeroInactiveRows(dHwt, d, t, 3 * H);
            copyInactiveRows(g.dhPrev, g.dhTotal, d, t, H);
            // dh_{t−1} += dHw · W_hh
            k.gemm(false, false, B, H, 3 * H, dHwt, wHh, g.dhPrev, true);
          } else {
            const dHwNt = c.dHwN.at[t]!;
            k.gruBeforeOutputBackward(dXwt, dHwNt, g.dhPrev, g.dhTotal, gt, hPrev, B, H);
            zeroInactiveRows(dHwNt, d, t, H);
            // d(R_t ⊙ H_{t−1}) = dH̃_pre · W_hh
            k.gemm(false, false, B, H, H, dHwNt, wHn, c.dRh, false);
            k.gruBeforeGatesBackward(dXwt, dHwt, g.dhPrev, c.dRh, gt, hPrev, B, H);
            zeroInactiveRows(dXwt, d, t, 3 * H);
            zeroInactiveRows(dHwt, d, t, 2 * H);
            copyInactiveRows(g.dhPrev, g.dhTotal, d, t, H);
            // dH_{t−1} += d[R,Z]_pre · W_h{r,z}
            k.gemm(false, false, B, H, 2 * H, dHwt, wHrz, g.dhPrev, true);
          }
          g.swap();
        }
        dh0.set(g.dh);
      }
      const hPrevs = prevStates(c, d); // (T*B,H)
      if (resetAfter) {
        // dW_hh += Σ_t dHw_tᵀ h_{t−1};  db_hh += Σ_t dHw_t
        k.gemm(true, false, 3 * H, H, T * B, c.dHw.all, hPrevs, dw.wHh!, true);
        if (dw.bHh) k.addRowSums(dw.bHh, c.dHw.all, T * B, 3 * H);
      } else {
        // dW_h{r,z} += Σ_t d[R,Z]_preᵀ H_{t−1};  dW_hh(n) += Σ_t dH̃_preᵀ (R_t ⊙ H_{t−1})
        const dWhh = dw.wHh!;
        k.gemm(true, false, 2 * H, H, T * B, c.dHw.all, hPrevs, dWhh.subarray(0, 2 * H * H), true);
        k.gemm(true, false, H, H, T * B, c.dHwN.all, c.saved.all, dWhh.subarray(2 * H * H), true);
        if (dw.bHh) {
          k.addRowSums(dw.bHh.subarray(0, 2 * H), c.dHw.all, T * B, 2 * H);
          k.addRowSums(dw.bHh.subarray(2 * H), c.dHwN.all, T * B, H);
        }
      }
      inputGradients(k, dw, dx, c.dXw.all, x, w, T * B, 3 * H, I, d);
    },
  };
}
