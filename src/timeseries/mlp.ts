/**
 * @module timeseries/mlp
 * The feed-forward network f of the NARX model: tanh hidden layers and a linear output.
 *
 *   a⁰ = x,   aˡ = tanh(aˡ⁻¹ Wˡᵀ + bˡ)  (l = 1 … L−1),   ŷ = aᴸ⁻¹ Wᴸᵀ + bᴸ
 *
 * Parameters are named as PyTorch's nn.Sequential(Linear, Tanh, …, Linear) names them: the layer
 * at position 2l of the sequence is `<prefix>{2l}.weight` (O, I) and `<prefix>{2l}.bias` (O).
 * R rows (a minibatch), I inputs, O outputs. Buffers are sized for R and reused.
 */
import type { Kernels } from '../kernels/types.js';
import { initLinear, linearBackward, linearForward, linearSpecs } from '../layers/linear.js';
import type { ParamSet, ParamSpec } from '../layers/params.js';
import type { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';

/**
 * A multilayer perceptron's sizes: inputs, tanh hidden layers ([] for a linear model) and outputs.
 */
export interface MlpConfig {
  inputSize: number;
  hidden: number[];   // sizes of the tanh layers; [] = a linear model
  outputSize: number;
}

const sizes = (c: MlpConfig): number[] => [c.inputSize, ...c.hidden, c.outputSize];

export function mlpSpecs(c: MlpConfig, prefix: string): ParamSpec[] {
  const s = sizes(c);
  return s.slice(1).flatMap((O, l) => linearSpecs(`${prefix}${2 * l}.`, s[l]!, O));
}

export function initMlp(params: ParamSet, c: MlpConfig, prefix: string, rng: Rng): void {
  const s = sizes(c);
  for (let l = 0; l + 1 < s.length; l++) initLinear(params, `${prefix}${2 * l}.`, s[l]!, rng);
}

/**
 * A multilayer perceptron (tanh hidden layers, linear output) with forward and backward over R
 * rows: the f of the NARX model.
 */
export class Mlp {
  readonly config: MlpConfig;
  private readonly k: Kernels;
  private readonly w: { w: FloatArray; b: FloatArray; dw: FloatArray; db: FloatArray }[];
  private R = -1;
  private acts: FloatArray[] = [];   // acts[l] (R, size l); acts[0] is the input copy
  private grads: FloatArray[] = [];  // ∂L/∂ acts[l]
  private buffers: FloatArray[] = [];

  constructor(config: MlpConfig, k: Kernels, params: ParamSet, prefix: string) {
    this.config = config;
    this.k = k;
    const s = sizes(config);
    this.w = s.slice(1).map((_, l) => {
      const w = params.get(`${prefix}${2 * l}.weight`), b = params.get(`${prefix}${2 * l}.bias`);
      return { w: w.data, b: b.data, dw: w.grad, db: b.grad };
    });
  }

  /** ŷ (R, O) for x (R, I); the returned array is overwritten by the next call. */
  forward(x: ArrayLike<number>, R: number): FloatArray {
    this.ensure(R);
    const s = sizes(this.config);
    const a0 = this.acts[0]!;
    for (let i = 0; i < R * s[0]!; i++) a0[i] = x[i]!;
    const L = s.length - 1;
    for (let l = 0; l < L; l++) {
      const { w, b } = this.w[l]!;
      const out = this.acts[l + 1]!;
      linearForward(this.k, out, this.acts[l]!, w, b, R, s[l]!, s[l + 1]!);
      if (l < L - 1) this.k.activationForward('tanh', out, undefined, R, s[l + 1]!);
    }
    return this.acts[L]!;
  }

  /** Accumulate ∂L/∂θ from dy (R, O) = ∂L/∂ŷ of the last forward; returns ∂L/∂x (R, I). */
  backward(dy: ArrayLike<number>): FloatArray {
    const s = sizes(this.config);
    const R = this.R;
    const L = s.length - 1;
    const top = this.grads[L]!;
    for (let i = 0; i < R * s[L]!; i++) top[i] = dy[i]!;
    for (let l = L - 1; l >= 0; l--) {
      const { w, dw, db } = this.w[l]!;
      const dOut = this.grads[l + 1]!;
      // tanh' from the layer's output: dz = da ⊙ (1 − a²), in place
      if (l < L - 1) this.k.activationBackward('tanh', dOut, dOut, this.acts[l + 1]!, R * s[l + 1]!);
      const dIn = this.grads[l]!;
      dIn.fill(0);
      linearBackward(this.k, dIn, dw, db, dOut, this.acts[l]!, w, R, s[l]!, s[l + 1]!);
    }
    return this.grads[0]!;
  }

  private ensure(R: number): void {
    if (R === this.R) return;
    for (const a of this.buffers) this.k.free(a);
    const s = sizes(this.config);
    this.acts = s.map((n) => this.k.alloc(R * n));
    this.grads = s.map((n) => this.k.alloc(R * n));
    this.buffers = [...this.acts, ...this.grads];
    this.R = R;
  }
}
