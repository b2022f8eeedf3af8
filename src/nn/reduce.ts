/**
 * @module nn/reduce
 * A sequence (T,B,F) → one row per sequence (B,F), over each row's valid steps t < n_b only
 * (n_b = lengths[b], or T):
 *
 *   last:  y_b = x_{n_b − 1, b}                  ∂L/∂x_{n_b−1,b} = ∂L/∂y_b
 *   mean:  y_b = (1/n_b) Σ_{t<n_b} x_{t,b}       ∂L/∂x_{t,b} = ∂L/∂y_b / n_b
 *   max:   y_b,j = max_{t<n_b} x_{t,b,j}         the gradient goes to the (first) maximising step
 */
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import type { ParamSet, ParamSpec } from '../layers/params.js';
import type { FloatArray } from '../tensor/types.js';
import { Workspace } from './buffers.js';
import { nameOf } from './check.js';
import type { ReduceLayerConfig } from './config.js';
import { isTokens, type ForwardContext, type Layer, type LayerInput, type Tensor } from './types.js';

const MODES = ['last', 'mean', 'max'] as const;

/** A reducer over each sequence's valid steps (built from `reduce(mode)`). */
export class Reduce implements Layer {
  readonly config: ReduceLayerConfig;
  readonly outputSize: number;
  private k!: Kernels;
  private readonly ws = new Workspace(() => this.k);
  private last: { T: number; B: number; n: Int32Array; argmax: Int32Array; dx: FloatArray } | undefined;

  constructor(config: ReduceLayerConfig, inputSize: number) {
    if (!MODES.includes(config.mode)) throw new RecurError(`reduce: "mode" must be one of ${MODES.join(', ')}, got ${JSON.stringify(config.mode)}`);
    this.config = { type: 'reduce', ...nameOf(config.name, 'reduce'), mode: config.mode };
    this.outputSize = inputSize;
  }

  paramSpecs(): ParamSpec[] { return []; }
  bind(_params: ParamSet, _prefix: string, k: Kernels): void { this.k = k; }
  init(): void {}

  /** one row per sequence (B,F); a reused buffer. */
  forward(x: LayerInput, _ctx: ForwardContext): Tensor {
    if (isTokens(x) || x.shape.length !== 3) {
      throw new RecurError(`reduce: expected a sequence (T, B, F), got ${isTokens(x) ? 'token ids' : `shape (${x.shape.join(', ')})`}`);
    }
    const [T, B, F] = x.shape as [number, number, number];
    const n = x.lengths ?? new Int32Array(B).fill(T);
    const [y, dx] = this.ws.get(`${T},${B},${F}`, [B * F, T * B * F]) as [FloatArray, FloatArray];
    const argmax = new Int32Array(this.config.mode === 'max' ? B * F : 0);
    for (let b = 0; b < B; b++) {
      const nb = n[b]!;
      const at = (t: number) => (t * B + b) * F;
      for (let j = 0; j < F; j++) {
        if (this.config.mode === 'last') y[b * F + j] = x.data[at(nb - 1) + j]!;
        else if (this.config.mode === 'mean') {
          let s = 0;
          for (let t = 0; t < nb; t++) s += x.data[at(t) + j]!;
          y[b * F + j] = s / nb;
        } else {
          let best = 0;
          for (let t = 1; t < nb; t++) if (x.data[at(t) + j]! > x.data[at(best) + j]!) best = t;
          argmax[b * F + j] = best;
          y[b * F + j] = x.data[at(best) + j]!;
        }
      }
    }
    this.last = { T, B, n, argmax, dx };
    return { data: y, shape: [B, F] };
  }

  backward(dy: FloatArray, inputGrad: boolean): FloatArray | undefined {
    if (!this.last) throw new Error('Reduce.backward called before forward');
    if (!inputGrad) return undefined;
    const { B, n, argmax, dx } = this.last;
    const F = this.outputSize;
    dx.fill(0);
    for (let b = 0; b < B; b++) {
      const nb = n[b]!;
      const at = (t: number) => (t * B + b) * F;
      for (let j = 0; j < F; j++) {
        const g = dy[b * F + j]!;
        if (this.config.mode === 'last') dx[at(nb - 1) + j] = g;
        else if (this.config.mode === 'mean') for (let t = 0; t < nb; t++) dx[at(t) + j] = g / nb;
        else dx[at(argmax[b * F + j]!) + j] = g;
      }
    }
    return dx;
  }
}
