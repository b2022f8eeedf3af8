/**
 * @module nn/dropout
 * Inverted dropout: while training each value is kept with probability 1 − p and scaled by
 * 1/(1 − p), so that its expectation is unchanged; in evaluation it is the identity.
 *
 *   y = x ⊙ m,   m_i = 0 with probability p, else 1/(1 − p);    ∂L/∂x = ∂L/∂y ⊙ m
 */
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import type { ParamSet, ParamSpec } from '../layers/params.js';
import type { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import { Workspace } from './buffers.js';
import { nameOf } from './check.js';
import type { DropoutLayerConfig } from './config.js';
import { isTokens, type ForwardContext, type Layer, type LayerInput, type Tensor } from './types.js';

/** Inverted dropout as a layer (built from `dropout(p)`). */
export class Dropout implements Layer {
  readonly config: DropoutLayerConfig;
  readonly outputSize: number;
  private k!: Kernels;
  private rng!: Rng;
  private readonly ws = new Workspace(() => this.k);
  private last: { mask: FloatArray | undefined; dx: FloatArray } | undefined;

  constructor(config: DropoutLayerConfig, inputSize: number) {
    if (!(config.p >= 0 && config.p < 1)) throw new RecurError(`dropout: expected p in [0, 1), got ${config.p}`);
    this.config = { type: 'dropout', ...nameOf(config.name, 'dropout'), p: config.p };
    this.outputSize = inputSize;
  }

  paramSpecs(): ParamSpec[] { return []; }
  bind(_params: ParamSet, _prefix: string, k: Kernels, rng: Rng): void { this.k = k; this.rng = rng; }
  init(): void {}

  /** x ⊙ mask in training, x itself in evaluation; a reused buffer. */
  forward(x: LayerInput, ctx: ForwardContext): Tensor {
    if (isTokens(x)) throw new RecurError('dropout: expected floats, got token ids');
    const n = x.data.length;
    const [y, mask, dx] = this.ws.get(`${n}`, [n, n, n]) as [FloatArray, FloatArray, FloatArray];
    if (!ctx.training || this.config.p === 0) {
      this.last = { mask: undefined, dx };
      return x;
    }
    const keep = 1 / (1 - this.config.p);
    for (let i = 0; i < n; i++) {
      mask[i] = this.rng.uniform() < this.config.p ? 0 : keep;
      y[i] = x.data[i]! * mask[i]!;
    }
    this.last = { mask, dx };
    return { data: y, shape: x.shape, lengths: x.lengths };
  }

  backward(dy: FloatArray, inputGrad: boolean): FloatArray | undefined {
    if (!this.last) throw new Error('Dropout.backward called before forward');
    if (!inputGrad) return undefined;
    const { mask, dx } = this.last;
    if (!mask) return dy;
    for (let i = 0; i < dx.length; i++) dx[i] = dy[i]! * mask[i]!;
    return dx;
  }
}
