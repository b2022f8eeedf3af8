// docs/models.md, "A custom layer": the layer written there, checked as the docs promise — its
// gradients by finite differences, and a model that uses it saved and loaded back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsKernels } from '../kernels/js/index.js';
import type { Param, ParamSet, ParamSpec } from '../layers/params.js';
import type { Kernels } from '../kernels/types.js';
import type { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import { finiteDifferenceError } from '../../test/helpers.js';
import { lossFunction } from '../train/losses.js';
import { registerLayer } from './build.js';
import type { CustomLayerConfig } from './config.js';
import { linear, recurrent } from './factories.js';
import { loadModel, saveModel } from './model-file.js';
import { sequential } from './model.js';
import { isTokens, type ForwardContext, type Layer, type LayerInput, type Tensor } from './types.js';

// ---- as in docs/models.md ----
/** y = x ⊙ γ + β, one γ and β per feature (a learned affine map of each feature). */
interface AffineConfig extends CustomLayerConfig { type: 'custom:affine'; size: number }

class Affine implements Layer {
  readonly config: AffineConfig;
  private gamma!: Param;
  private beta!: Param;
  private k!: Kernels;
  private y: FloatArray = new Float64Array(0);
  private dx: FloatArray = new Float64Array(0);
  private x: Tensor | undefined;

  constructor(size: number) { this.config = { type: 'custom:affine', size }; }
  get outputSize(): number { return this.config.size; }
  paramSpecs(): ParamSpec[] { return [{ name: 'gamma', shape: [this.config.size] }, { name: 'beta', shape: [this.config.size] }]; }
  bind(params: ParamSet, prefix: string, k: Kernels, _rng: Rng): void {
    this.gamma = params.get(`${prefix}gamma`);
    this.beta = params.get(`${prefix}beta`);
    this.k = k;
  }
  init(_rng: Rng): void { this.gamma.data.fill(1); this.beta.data.fill(0); }

  forward(x: LayerInput, _ctx: ForwardContext): Tensor {
    if (isTokens(x)) throw new Error('affine: expected floats');
    const F = this.config.size;
    if (this.y.length !== x.data.length) { this.y = this.k.alloc(x.data.length); this.dx = this.k.alloc(x.data.length); }
    // y_{r,f} = x_{r,f} γ_f + β_f
    for (let i = 0; i < x.data.length; i++) this.y[i] = x.data[i]! * this.gamma.data[i % F]! + this.beta.data[i % F]!;
    this.x = x;
    return { data: this.y, shape: x.shape, lengths: x.lengths };
  }

  backward(dy: FloatArray, inputGrad: boolean): FloatArray | undefined {
    const F = this.config.size;
    const x = this.x!.data;
    for (let i = 0; i < dy.length; i++) {
      this.gamma.grad[i % F]! += dy[i]! * x[i]!; // ∂L/∂γ_f = Σ_r dy_{r,f} x_{r,f}
      this.beta.grad[i % F]! += dy[i]!;          // ∂L/∂β_f = Σ_r dy_{r,f}
      this.dx[i] = dy[i]! * this.gamma.data[i % F]!;
    }
    return inputGrad ? this.dx : undefined;
  }
}
registerLayer('custom:affine', (c, inputSize) => new Affine((c as unknown as AffineConfig).size ?? inputSize));
// ---- end ----

test('a custom layer: finite differences through it, and a model using it saved and loaded back', () => {
  const k = jsKernels('float64');
  const model = sequential([recurrent({ cell: 'gru', hiddenSize: 3, output: 'final' }), { type: 'custom:affine', size: 3 } as AffineConfig,
                            linear({ outputSize: 2 })], { inputSize: 2, kernels: k, seed: 4 });
  for (let i = 0; i < model.params.data.length; i++) model.params.data[i]! += 0.1 * Math.sin(i); // γ ≠ 1, β ≠ 0
  const x = { data: Float64Array.from({ length: 4 * 2 * 2 }, (_, i) => Math.cos(i)), shape: [4, 2, 2], lengths: Int32Array.from([4, 3]) };
  const y = Int32Array.from([1, 0]);
  const ce = lossFunction('crossEntropy');
  model.zeroGrad();
  const out = model.forward(x);
  const dOut = new Float64Array(out.data.length);
  ce(k, out, y, dOut);
  model.backward(dOut);
  const e = finiteDifferenceError(model.params.data, Float64Array.from(model.params.grad), () => ce(k, model.forward(x), y, undefined).loss);
  assert.ok(e.error < 1e-6, `parameter ${e.index}: ${e.error}`);
  assert.ok(model.parameters.some((p) => p.name === '1.gamma'));
  const loaded = loadModel(saveModel(model), k);
  assert.deepEqual(Array.from(loaded.forward(x).data), Array.from(model.forward(x).data));
});
