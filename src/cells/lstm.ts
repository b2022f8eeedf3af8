/**
 * @module cells/lstm
 * Long short-term memory (the notes; gate order i,f,g,o as PyTorch stores them):
 *
 *   I_t = σ(X_t W_xi + H_{t−1} W_hi + b_i)
 *   F_t = σ(X_t W_xf + H_{t−1} W_hf + b_f)
 *   O_t = σ(X_t W_xo + H_{t−1} W_ho + b_o)
 *   C̃_t = tanh(X_t W_xc + H_{t−1} W_hc + b_c)
 *   C_t = F_t ⊙ C_{t−1} + I_t ⊙ C̃_t
 *   H_t = O_t ⊙ tanh(C_t)
 *
 * Backward carries two gradients from step to step: dh (through W_hh) and dc (through F_t, the
 * path on which gradients survive long distances).
 * T time, B batch, I input, H hidden, gates G = 4.
 */
import type { Kernels } from '../kernels/types.js';
import {
  copyInactiveRows, fusedLengths, fusedLoop, inputGradients, initialSlot, prevSlot, prevStates, projectInputs,
  stateSlot, stateGradient, stepAt, StepGrads, zeroInactiveRows,
} from './sequence.js';
import { StepViews, type Cell, type CellCache } from './types.js';
import type { FloatArray } from '../tensor/types.js';

export interface LstmCache extends CellCache {
  readonly cs: StepViews;     // (T+1,B,H) memory cells, slots as hs
  readonly gates: StepViews;  // (T,B,4H) i,f,g,o after activation
  readonly dGates: StepViews; // (T,B,4H)
  readonly g: StepGrads;
  dc: FloatArray;             // (B,H) carried dC
  dcPrev: FloatArray;         // (B,H)
  readonly work: FloatArray;  // (5,B,H) for the backend's fused loop (dh, dc, scratch), else empty
}

export function lstmCell(k: Kernels): Cell<LstmCache> {
  return {
    gates: 4,
    hasRecurrentWeight: true,
    hasCellState: true,
    createCache: (alloc, T, B, _I, H) => ({
      T, B, hs: new StepViews(alloc, T + 1, B * H), cs: new StepViews(alloc, T + 1, B * H),
      gates: new StepViews(alloc, T, B * 4 * H), dGates: new StepViews(alloc, T, B * 4 * H),
      g: new StepGrads(alloc, B, H), dc: alloc(B * H), dcPrev: alloc(B * H), work: alloc(k.sequence ? 5 * B * H : 0),
    }),

    forward(c, x, h0, c0, w, d) {
      const { T, B, I, H } = d;
      c.hs.at[initialSlot(d)]!.set(h0);
      c.cs.at[initialSlot(d)]!.set(c0!);
      // X_t W_x· + b_ih for all steps and all four gates                   (T,B,4H)
      projectInputs(k, c.gates.all, x, w.wIh, w.bIh, T * B, 4 * H, I, d);
      const fused = fusedLoop(k, d);
      const lens = fusedLengths(d); // per-row lengths, for the fused loop
      // the loop below, in one call (kernels/types SequenceKernels)
      if (fused) return fused.lstmForward(c.gates.all, c.hs.all, c.cs.all, w.wHh!, w.bHh, T, B, H, d.reverse, lens);
      for (let i = 0; i < T; i++) {
        const t = stepAt(i, d);
        const hPrev = c.hs.at[prevSlot(t, d)]!;
        const cPrev = c.cs.at[prevSlot(t, d)]!;
        const ht = c.hs.at[stateSlot(t, d)]!;
        const ct = c.cs.at[stateSlot(t, d)]!;
        const gt = c.gates.at[t]!; // (B,4H)
        // + H_{t−1} W_h·, then the gates, C_t and H_t in one pass
        k.gemm(false, true, B, 4 * H, H, hPrev, w.wHh!, gt, true);
        k.lstmForward(gt, w.bHh, cPrev, ct, ht, B, H);
        copyInactiveRows(ht, hPrev, d, t, H);
        copyInactiveRows(ct, cPrev, d, t, H);
      }
    },

    backward(dw, dx, dh0, dc0, dY, dhN, dcN, c, x, w, d) {
      const { T, B, I, H } = d;
      const g = c.g;
      const fused = fusedLoop(k, d);
      const lens = fusedLengths(d); // per-row lengths, for the fused loop
      if (fused) {
        // the loop below, in one call; work blocks 0 and 1 carry dh and dc in and out
        c.work.set(dhN);
        c.work.set(dcN!, B * H);
        fused.lstmBackward(c.dGates.all, c.gates.all, c.cs.all, dY, c.work, w.wHh!, T, B, H, d.reverse, lens);
        dh0.set(c.work.subarray(0, B * H));
        dc0!.set(c.work.subarray(B * H, 2 * B * H));
      } else {
        g.dh.set(dhN);
        c.dc.set(dcN!);
        for (let i = T - 1; i >= 0; i--) {
          const t = stepAt(i, d);
          const dGt = c.dGates.at[t]!;
          stateGradient(k, g, dY, t, d);
          k.lstmBackward(dGt, c.dcPrev, g.dhTotal, c.dc, c.gates.at[t]!, c.cs.at[stateSlot(t, d)]!,
                         c.cs.at[prevSlot(t, d)]!, B, H);
          zeroInactiveRows(dGt, d, t, 4 * H);
          copyInactiveRows(c.dcPrev, c.dc, d, t, H);
          // dH_{t−1} = dGates_t · W_hh                                        (B,H)
          k.gemm(false, false, B, H, 4 * H, dGt, w.wHh!, g.dhPrev, false);
          copyInactiveRows(g.dhPrev, g.dhTotal, d, t, H);
          g.swap();
          const tmp = c.dc;
          c.dc = c.dcPrev;
          c.dcPrev = tmp;
        }
        dh0.set(g.dh);
        dc0!.set(c.dc);
      }
      // dW_hh += Σ_t dGates_tᵀ H_{t−1};  db_hh += Σ_t dGates_t
      k.gemm(true, false, 4 * H, H, T * B, c.dGates.all, prevStates(c, d), dw.wHh!, true);
      if (dw.bHh) k.addRowSums(dw.bHh, c.dGates.all, T * B, 4 * H);
      inputGradients(k, dw, dx, c.dGates.all, x, w, T * B, 4 * H, I, d);
    },
  };
}
