/**
 * @module cells/residual
 * The notes' answer to long-range dependencies: make the recurrent edge an identity.
 *
 *   form "x":   h_t = h_{t−1} + g(x_t; θ),            g(x) = f(W_ih x + b_ih)
 *   form "xh":  h_t = h_{t−1} + g(x_t, h_{t−1}; θ),   g = f(W_ih x + b_ih + W_hh h_{t−1} + b_hh)
 *
 * with f = tanh by default. Backward, the identity path hands every step's gradient on unchanged:
 *   dz_t = (dy_t + dh_t) ⊙ f'(z_t),   dh_{t−1} = dy_t + dh_t  (+ dz_t · W_hh for "xh")
 * so ∂h_t/∂h_k = I (form "x") and no product of Jacobians can make it vanish.
 * T time, B batch, I input, H hidden.
 */
import type { Activation, Kernels } from '../kernels/types.js';
import {
  copyInactiveRows, fusedLengths, fusedLoop, inputGradients, initialSlot, prevSlot, prevStates, projectInputs,
  stateSlot, stateGradient, stepAt, StepGrads, zeroInactiveRows,
} from './sequence.js';
import type { FloatArray } from '../tensor/types.js';
import { StepViews, type Cell, type CellCache } from './types.js';

/** The residual cell's form: 'x', h_t = h_{t-1} + g(x_t); 'xh', h_t = h_{t-1} + g(x_t, h_{t-1}). */
export type ResidualForm = 'x' | 'xh';

export interface ResidualCache extends CellCache {
  readonly a: StepViews;  // (T,B,H) g_t = f(z_t)
  readonly dz: StepViews; // (T,B,H)
  readonly g: StepGrads;
  readonly work: FloatArray; // (3,B,H) for the backend's fused loop (dh, scratch), else empty
}

export function residualCell(k: Kernels, f: Activation, form: ResidualForm): Cell<ResidualCache> {
  const usesState = form === 'xh';
  return {
    gates: 1,
    hasRecurrentWeight: usesState,
    hasCellState: false,
    createCache: (alloc, T, B, _I, H) => ({
      T, B, hs: new StepViews(alloc, T + 1, B * H), cs: undefined,
      a: new StepViews(alloc, T, B * H), dz: new StepViews(alloc, T, B * H), g: new StepGrads(alloc, B, H),
      work: alloc(k.sequence ? 3 * B * H : 0),
    }),

    forward(c, x, h0, _c0, w, d) {
      const { T, B, I, H } = d;
      c.hs.at[initialSlot(d)]!.set(h0);
      // z = W_ih x + b_ih for all steps                                    (T,B,H)
      projectInputs(k, c.a.all, x, w.wIh, w.bIh, T * B, H, I, d);
      // form "x": g depends on x alone, so all steps go through f at once
      if (!usesState) k.activationForward(f, c.a.all, undefined, T * B, H);
      const fused = fusedLoop(k, d);
      const lens = fusedLengths(d); // per-row lengths, for the fused loop
      // the loop below, in one call (kernels/types SequenceKernels)
      if (fused) return fused.residualForward(f, usesState, c.a.all, c.hs.all, w.wHh, w.bHh, T, B, H, d.reverse, lens);
      for (let i = 0; i < T; i++) {
        const t = stepAt(i, d);
        const hPrev = c.hs.at[prevSlot(t, d)]!;
        const ht = c.hs.at[stateSlot(t, d)]!;
        const at = c.a.at[t]!;
        if (usesState) {
          // g_t = f(z_t + W_hh h_{t−1} + b_hh)
          k.gemm(false, true, B, H, H, hPrev, w.wHh!, at, true);
          k.activationForward(f, at, w.bHh, B, H);
        }
        // h_t = h_{t−1} + g_t
        k.add(ht, hPrev, at, B * H);
        copyInactiveRows(ht, hPrev, d, t, H);
      }
    },

    backward(dw, dx, dh0, _dc0, dY, dhN, _dcN, c, x, w, d) {
      const { T, B, I, H } = d;
      const g = c.g;
      const fused = fusedLoop(k, d);
      const lens = fusedLengths(d); // per-row lengths, for the fused loop
      if (fused) {
        // the loop below, in one call; work block 0 carries dh in and out
        c.work.set(dhN);
        fused.residualBackward(f, usesState, c.dz.all, c.a.all, dY, c.work, w.wHh, T, B, H, d.reverse, lens);
        dh0.set(c.work.subarray(0, B * H));
      } else {
        g.dh.set(dhN);
        for (let i = T - 1; i >= 0; i--) {
          const t = stepAt(i, d);
          const dzt = c.dz.at[t]!;
          // dz_t = (dy_t + dh_t) ⊙ f'(z_t)
          stateGradient(k, g, dY, t, d);
          k.activationBackward(f, dzt, g.dhTotal, c.a.at[t]!, B * H);
          zeroInactiveRows(dzt, d, t, H);
          // dh_{t−1} = dy_t + dh_t  (the identity path)  + dz_t · W_hh
          g.dhPrev.set(g.dhTotal);
          if (usesState) k.gemm(false, false, B, H, H, dzt, w.wHh!, g.dhPrev, true);
          g.swap();
        }
        dh0.set(g.dh);
      }
      if (usesState) {
        k.gemm(true, false, H, H, T * B, c.dz.all, prevStates(c, d), dw.wHh!, true);
        if (dw.bHh) k.addRowSums(dw.bHh, c.dz.all, T * B, H);
      }
      inputGradients(k, dw, dx, c.dz.all, x, w, T * B, H, I, d);
    },
  };
}
