/**
 * @module cells/rnn
 * The simple RNN of the lecture notes:
 *
 *   z_t = U h_{t-1} + W x_t + b          (PyTorch: W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
 *   h_t = f(z_t),  f ∈ {tanh, relu, identity}
 *
 * and its backpropagation through time (NNDL's δ_{t,k} = diag(f'(z_k)) Uᵀ δ_{t,k+1}):
 *
 *   dz_t     = (dy_t + dh_t) ⊙ f'(z_t)
 *   dh_{t-1} = Uᵀ dz_t                    (row-major: dz_t · W_hh)
 *   dW = Σ_t dz_t x_tᵀ,  dU = Σ_t dz_t h_{t-1}ᵀ,  db = Σ_t dz_t
 *
 * T time, B batch, I input, H hidden.
 */
import type { Activation, Kernels } from '../kernels/types.js';
import type { FloatArray } from '../tensor/types.js';
import {
  copyInactiveRows, fusedLengths, fusedLoop, inputGradients, initialSlot, prevSlot, prevStates, projectInputs,
  stateSlot, stateGradient, stepAt, StepGrads, zeroInactiveRows,
} from './sequence.js';
import { StepViews, type Cell, type CellCache, type CellWeights, type SeqDims } from './types.js';

export interface RnnCache extends CellCache {
  readonly a: StepViews;  // (T,B,H) f(z_t), unmasked
  readonly dz: StepViews; // (T,B,H)
  readonly g: StepGrads;
  readonly work: FloatArray; // (3,B,H) for the backend's fused loop (dh, scratch), else empty
}

export function rnnCell(k: Kernels, f: Activation): Cell<RnnCache> {
  return {
    gates: 1,
    hasRecurrentWeight: true,
    hasCellState: false,
    createCache: (alloc, T, B, _I, H) => ({
      T, B, hs: new StepViews(alloc, T + 1, B * H), cs: undefined,
      a: new StepViews(alloc, T, B * H), dz: new StepViews(alloc, T, B * H), g: new StepGrads(alloc, B, H),
      work: alloc(k.sequence ? 3 * B * H : 0),
    }),

    forward(c, x, h0, _c0, w, d) {
      const { T, B, I, H } = d;
      c.hs.at[initialSlot(d)]!.set(h0);
      // z = W_ih x + b_ih for all steps at once                            (T,B,H)
      projectInputs(k, c.a.all, x, w.wIh, w.bIh, T * B, H, I, d);
      const fused = fusedLoop(k, d);
      const lens = fusedLengths(d); // per-row lengths, for the fused loop
      // the loop below, in one call (kernels/types SequenceKernels)
      if (fused) return fused.rnnForward(f, c.a.all, c.hs.all, w.wHh!, w.bHh, T, B, H, d.reverse, lens);
      for (let i = 0; i < T; i++) {
        const t = stepAt(i, d);
        const hPrev = c.hs.at[prevSlot(t, d)]!; // (B,H)
        const ht = c.hs.at[stateSlot(t, d)]!;   // (B,H)
        const at = c.a.at[t]!;                  // (B,H)
        // z_t += W_hh h_{t-1};  h_t = f(z_t + b_hh)
        k.gemm(false, true, B, H, H, hPrev, w.wHh!, at, true);
        k.activationForward(f, at, w.bHh, B, H);
        ht.set(at);
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
        fused.rnnBackward(f, c.dz.all, c.a.all, dY, c.work, w.wHh!, T, B, H, d.reverse, lens);
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
          // dh_{t-1} = dz_t · W_hh
          k.gemm(false, false, B, H, H, dzt, w.wHh!, g.dhPrev, false);
          copyInactiveRows(g.dhPrev, g.dhTotal, d, t, H);
          g.swap();
        }
        dh0.set(g.dh);
      }
      // dW_hh += Σ_t dz_tᵀ h_{t-1};  db_hh += Σ_t dz_t
      k.gemm(true, false, H, H, T * B, c.dz.all, prevStates(c, d), dw.wHh!, true);
      if (dw.bHh) k.addRowSums(dw.bHh, c.dz.all, T * B, H);
      inputGradients(k, dw, dx, c.dz.all, x, w, T * B, H, I, d);
    },
  };
}

export type { CellWeights, SeqDims, FloatArray };
