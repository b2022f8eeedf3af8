/**
 * @module timeseries/tdnn
 * The time-delay neural network of the notes: a layer sees its input at the present step and K
 * steps back,
 *
 *   h_t^(l) = f(W^(l) [h_t^(l−1); h_{t−1}^(l−1); …; h_{t−K}^(l−1)] + b^(l))
 *
 * and layers stack, so that the receptive field is 1 + Σ_l K_l steps. It is causal: a step before
 * the sequence's start reads zeros. (It is a causal Conv1d with kernel size K+1; W (O, K+1, I) here
 * multiplies x_{t−k} with [:, k, :], which is PyTorch's weight flipped along the kernel axis.)
 *
 * x (T,B,I) time-major as the recurrent stack; weight `<prefix>{l}.weight` (O, (K+1)·I), bias (O).
 * Forward unfolds each layer's input into U (T·B, (K+1)·I), one row per (t,b) holding the K+1
 * delayed vectors, so that the layer is one GEMM; backward folds ∂L/∂U back onto the steps.
 */
import { RecurError } from '../errors.js';
import type { Activation, Kernels } from '../kernels/types.js';
import { initLinear, linearBackward, linearForward } from '../layers/linear.js';
import { ParamSet, type ParamSpec } from '../layers/params.js';
import type { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';

/** One time-delay layer: its outputs and how many earlier steps it reads. */
export interface TdnnLayerConfig {
  size: number;     // O, this layer's outputs
  delays: number;   // K: the layer reads its input at t, t−1, …, t−K
}

/** A time-delay neural network: its input size, layers and activation. */
export interface TdnnConfig {
  inputSize: number;
  layers: TdnnLayerConfig[];
  activation: Activation; // f of every layer (tanh by default)
}

export function tdnnSpecs(c: TdnnConfig, prefix = ''): ParamSpec[] {
  let I = c.inputSize;
  const specs: ParamSpec[] = [];
  c.layers.forEach((l, i) => {
    specs.push({ name: `${prefix}${i}.weight`, shape: [l.size, (l.delays + 1) * I] }, { name: `${prefix}${i}.bias`, shape: [l.size] });
    I = l.size;
  });
  return specs;
}

/** U(−1/√fan_in, 1/√fan_in) as nn.Linear and nn.Conv1d. */
export function initTdnn(params: ParamSet, c: TdnnConfig, rng: Rng, prefix = ''): void {
  let I = c.inputSize;
  c.layers.forEach((l, i) => { initLinear(params, `${prefix}${i}.`, (l.delays + 1) * I, rng); I = l.size; });
}

export const receptiveField = (c: TdnnConfig): number => 1 + c.layers.reduce((s, l) => s + l.delays, 0);

export function checkTdnnConfig(c: TdnnConfig, what = 'TDNN'): void {
  if (!Number.isSafeInteger(c.inputSize) || c.inputSize < 1) throw new RecurError(`${what}: inputSize must be a positive integer, got ${c.inputSize}`);
  if (c.layers.length === 0) throw new RecurError(`${what}: expected at least one layer`);
  c.layers.forEach((l, i) => {
    if (!Number.isSafeInteger(l.size) || l.size < 1) throw new RecurError(`${what}: layer ${i} size must be a positive integer, got ${l.size}`);
    if (!Number.isSafeInteger(l.delays) || l.delays < 0) throw new RecurError(`${what}: layer ${i} delays must be an integer ≥ 0, got ${l.delays}`);
  });
}

interface LayerBuffers {
  u: FloatArray;   // (T·B, (K+1)·I) unfolded input
  y: FloatArray;   // (T·B, O) output after f
  du: FloatArray;  // ∂L/∂U
  dz: FloatArray;  // ∂L/∂(pre-activation)
  dIn: FloatArray; // (T·B, I) ∂L/∂input
}

/**
 * A stack of time-delay layers (1-D causal convolutions) over (T,B,I) sequences, with forward and
 * backward.
 */
export class TdnnStack {
  readonly config: TdnnConfig;
  readonly params: ParamSet;
  private readonly k: Kernels;
  private readonly views: { w: FloatArray; b: FloatArray; dw: FloatArray; db: FloatArray }[];
  private T = -1;
  private B = -1;
  private bufs: LayerBuffers[] = [];
  private input: FloatArray | undefined;

  constructor(config: TdnnConfig, k: Kernels, rng: Rng, params?: ParamSet, prefix = '') {
    checkTdnnConfig(config);
    this.config = config;
    this.k = k;
    if (params) this.params = params;
    else {
      this.params = new ParamSet(k, tdnnSpecs(config));
      initTdnn(this.params, config, rng);
    }
    this.views = config.layers.map((_, i) => {
      const w = this.params.get(`${prefix}${i}.weight`), b = this.params.get(`${prefix}${i}.bias`);
      return { w: w.data, b: b.data, dw: w.grad, db: b.grad };
    });
  }

  /** The last layer's outputs. */
  get outputSize(): number { return this.config.layers[this.config.layers.length - 1]!.size; }

  /** y (T,B,O_last) for x (T,B,I); the returned array is overwritten by the next call. */
  forward(x: FloatArray, T: number, B: number): FloatArray {
    if (x.length !== T * B * this.config.inputSize) {
      throw new RecurError(`TDNN: x: expected ${T * B * this.config.inputSize} values for shape (${T}, ${B}, ${this.config.inputSize}), got ${x.length}`);
    }
    this.ensure(T, B);
    this.input = x;
    let input = x;
    let I = this.config.inputSize;
    this.config.layers.forEach((l, i) => {
      const b = this.bufs[i]!;
      const K1 = l.delays + 1;
      // U[(t,b), k·I:(k+1)·I] = input[t−k, b, :], zero before the start
      for (let t = 0; t < T; t++) {
        for (let r = 0; r < B; r++) {
          const row = (t * B + r) * K1 * I;
          for (let kk = 0; kk < K1; kk++) {
            const dst = row + kk * I;
            if (t - kk < 0) { b.u.fill(0, dst, dst + I); continue; }
            const src = ((t - kk) * B + r) * I;
            for (let j = 0; j < I; j++) b.u[dst + j] = input[src + j]!;
          }
        }
      }
      const { w, b: bias } = this.views[i]!;
      linearForward(this.k, b.y, b.u, w, bias, T * B, K1 * I, l.size);
      this.k.activationForward(this.config.activation, b.y, undefined, T * B, l.size);
      input = b.y;
      I = l.size;
    });
    return input;
  }

  /** Accumulate ∂L/∂θ from dy (T,B,O_last); returns ∂L/∂x (T,B,I). */
  backward(dy: ArrayLike<number>): FloatArray {
    if (!this.input) throw new Error('TdnnStack.backward called before forward');
    const { T, B } = this;
    const L = this.config.layers.length;
    let dOut: ArrayLike<number> = dy;
    for (let i = L - 1; i >= 0; i--) {
      const l = this.config.layers[i]!;
      const b = this.bufs[i]!;
      const I = i === 0 ? this.config.inputSize : this.config.layers[i - 1]!.size;
      const K1 = l.delays + 1;
      // in the forward pass this was y = f(U Wᵀ + b), so dz = dy ⊙ f'(y); dW += dzᵀ U; dU = dz W
      for (let j = 0; j < T * B * l.size; j++) b.dz[j] = dOut[j]!;
      this.k.activationBackward(this.config.activation, b.dz, b.dz, b.y, T * B * l.size);
      const { w, dw, db } = this.views[i]!;
      b.du.fill(0);
      linearBackward(this.k, b.du, dw, db, b.dz, b.u, w, T * B, K1 * I, l.size);
      // fold: input[t−k, b, :] was copied into U[(t,b), k]: its gradient is the sum of those blocks
      b.dIn.fill(0);
      for (let t = 0; t < T; t++) {
        for (let r = 0; r < B; r++) {
          const row = (t * B + r) * K1 * I;
          for (let kk = 0; kk < K1 && t - kk >= 0; kk++) {
            const src = row + kk * I;
            const dst = ((t - kk) * B + r) * I;
            for (let j = 0; j < I; j++) b.dIn[dst + j]! += b.du[src + j]!;
          }
        }
      }
      dOut = b.dIn;
    }
    return this.bufs[0]!.dIn;
  }

  private ensure(T: number, B: number): void {
    if (T === this.T && B === this.B) return;
    for (const b of this.bufs) for (const a of Object.values(b)) this.k.free(a as FloatArray);
    let I = this.config.inputSize;
    this.bufs = this.config.layers.map((l) => {
      const R = T * B;
      const b: LayerBuffers = {
        u: this.k.alloc(R * (l.delays + 1) * I), y: this.k.alloc(R * l.size), du: this.k.alloc(R * (l.delays + 1) * I),
        dz: this.k.alloc(R * l.size), dIn: this.k.alloc(R * I),
      };
      I = l.size;
      return b;
    });
    this.T = T;
    this.B = B;
  }
}
