/**
 * @module nn/linear
 * nn.Linear with an optional activation, on every row: the notes' output layer O_t = W_qh H_t + b_q.
 *
 *   z = x Wᵀ + b            x (R,I), W (O,I), b (O): R = B rows, or T·B steps of a sequence
 *   y = φ(z)                φ = identity | tanh | relu | σ
 *
 * On a sequence (T,B,I) it is a per-step head (T,B,O); padded steps are computed like the others and
 * ignored by the losses and metrics, which read `lengths`.
 */
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import { linearBackward, linearForward, linearSpecs } from '../layers/linear.js';
import type { Param, ParamSet, ParamSpec } from '../layers/params.js';
import type { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import { rowsOf, Workspace } from './buffers.js';
import { nameOf } from './check.js';
import type { LinearActivation, LinearLayerConfig } from './config.js';
import { isTokens, type ForwardContext, type Layer, type LayerInput, type Tensor } from './types.js';

/** The resolved config: every size known. */
export type LinearConfig = Required<Omit<LinearLayerConfig, 'name'>> & { readonly name?: string };

/** nn.Linear with an activation, as a layer (built from a `linear({...})` config). */
export class Linear implements Layer {
  readonly config: LinearConfig;
  private k!: Kernels;
  private w!: Param;
  private b: Param | undefined;
  private readonly ws = new Workspace(() => this.k);
  private last: { x: FloatArray; y: FloatArray; R: number; dz: FloatArray; dx: FloatArray } | undefined;

  constructor(config: LinearLayerConfig, inputSize: number) {
    this.config = { type: 'linear', ...nameOf(config.name, 'linear'), inputSize, outputSize: config.outputSize, bias: config.bias ?? true,
                    activation: config.activation ?? 'identity' };
  }

  get outputSize(): number { return this.config.outputSize; }

  paramSpecs(): ParamSpec[] {
    return linearSpecs('', this.config.inputSize, this.config.outputSize, this.config.bias);
  }

  bind(params: ParamSet, prefix: string, k: Kernels): void {
    this.k = k;
    this.w = params.get(`${prefix}weight`);
    this.b = this.config.bias ? params.get(`${prefix}bias`) : undefined;
  }

  init(rng: Rng): void {
    // PyTorch's default: U(−1/√I, 1/√I) for weight and bias
    const bound = 1 / Math.sqrt(this.config.inputSize);
    for (const p of [this.w, this.b]) if (p) for (let i = 0; i < p.size; i++) p.data[i] = rng.uniformIn(-bound, bound);
  }

  /** φ(x Wᵀ + b), (…,O); a reused buffer. */
  forward(x: LayerInput, _ctx: ForwardContext): Tensor {
    const { inputSize: I, outputSize: O } = this.config;
    if (isTokens(x)) throw new RecurError(`linear: expected floats (…, ${I}), got token ids; put an embedding first`);
    if (x.shape[x.shape.length - 1] !== I) {
      throw new RecurError(`linear: expected inputs of ${I} features, got shape (${x.shape.join(', ')})`);
    }
    const R = rowsOf(x.shape);
    const [y, dz, dx] = this.ws.get(`${R}`, [R * O, R * O, R * I]) as [FloatArray, FloatArray, FloatArray];
    // z = x Wᵀ + b                                                           (R,O)
    linearForward(this.k, y, x.data, this.w.data, this.b?.data, R, I, O);
    // y = φ(z), in place
    activate(this.config.activation, y, R * O);
    this.last = { x: x.data, y, R, dz, dx };
    return { data: y, shape: [...x.shape.slice(0, -1), O], lengths: x.lengths };
  }

  backward(dy: FloatArray, inputGrad: boolean): FloatArray | undefined {
    if (!this.last) throw new Error('Linear.backward called before forward');
    const { x, y, R, dz, dx } = this.last;
    const { inputSize: I, outputSize: O } = this.config;
    // dz = dy ⊙ φ'(z), from the output y (φ = identity: dz is dy)           (R,O)
    const g = this.config.activation === 'identity' ? dy : (activationGrad(this.config.activation, dz, dy, y, R * O), dz);
    // dW += dzᵀ x;  db += Σ_rows dz;  dx = dz W
    if (inputGrad) dx.fill(0);
    linearBackward(this.k, inputGrad ? dx : undefined, this.w.grad, this.b?.grad, g, x, this.w.data, R, I, O);
    return inputGrad ? dx : undefined;
  }
}

/** y ← φ(y) over n values. */
function activate(f: LinearActivation, y: FloatArray, n: number): void {
  if (f === 'identity') return;
  for (let i = 0; i < n; i++) {
    const z = y[i]!;
    y[i] = f === 'tanh' ? Math.tanh(z) : f === 'relu' ? (z > 0 ? z : 0) : 1 / (1 + Math.exp(-z));
  }
}

/** dz = dy ⊙ φ'(z), written with φ's output y: tanh' = 1 − y², relu' = [y > 0], σ' = y(1 − y). */
function activationGrad(f: LinearActivation, dz: FloatArray, dy: FloatArray, y: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) {
    const a = y[i]!;
    const d = f === 'identity' ? 1 : f === 'tanh' ? 1 - a * a : f === 'relu' ? (a > 0 ? 1 : 0) : a * (1 - a);
    dz[i] = dy[i]! * d;
  }
}

