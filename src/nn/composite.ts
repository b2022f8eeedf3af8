/**
 * @module nn/composite
 * A layer made of named child layers: its parameters are the children's, under `name.` (as a
 * PyTorch module's attributes: `rnn.weight_ih_l0`, `head.weight`). Sequential is one; a model with
 * its own forward and backward (an encoder and a head, two inputs) is another: extend Composite,
 * list the children, and write forward and backward by calling theirs (docs/models.md).
 */
import type { Kernels } from '../kernels/types.js';
import type { ParamSet, ParamSpec } from '../layers/params.js';
import type { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import type { LayerConfig } from './config.js';
import type { ForwardContext, Layer, LayerInput, Tensor } from './types.js';

/** A layer made of named child layers; extend it for a model with its own forward and backward. */
export abstract class Composite<In = LayerInput> implements Layer<In> {
  abstract readonly config: LayerConfig;
  abstract readonly outputSize: number;
  /** The children by name, in the order their parameters are laid out. */
  protected abstract children(): ReadonlyArray<readonly [string, Layer<never>]>;

  paramSpecs(): ParamSpec[] {
    return this.children().flatMap(([name, c]) => c.paramSpecs().map((s) => ({ name: `${name}.${s.name}`, shape: s.shape })));
  }

  bind(params: ParamSet, prefix: string, k: Kernels, rng: Rng): void {
    for (const [name, c] of this.children()) c.bind(params, `${prefix}${name}.`, k, rng);
  }

  init(rng: Rng): void {
    for (const [, c] of this.children()) c.init(rng);
  }

  /** The output for x: call the children's forward in your order. */
  abstract forward(x: In, ctx: ForwardContext): Tensor;
  /** ∂L/∂x from ∂L/∂y: call the children's backward in the reverse order. */
  abstract backward(dy: FloatArray, inputGrad: boolean): FloatArray | undefined;
}

/** Children of a sequential: named by their `name`, or by their index as nn.Sequential does. */
/** Layers applied in order; backward runs them in reverse. */
export class Sequential extends Composite {
  readonly config: LayerConfig;
  readonly layers: readonly Layer[];
  private readonly named: ReadonlyArray<readonly [string, Layer]>;

  constructor(layers: readonly Layer[], inputSize: number | undefined, name: string | undefined) {
    super();
    this.layers = layers;
    this.named = layers.map((l, i) => [l.config.name ?? String(i), l] as const);
    this.config = { type: 'sequential', ...(inputSize === undefined ? {} : { inputSize }),
                    ...(name === undefined ? {} : { name }), layers: layers.map((l) => l.config) };
  }

  get outputSize(): number { return this.layers[this.layers.length - 1]!.outputSize; }

  protected children() { return this.named; }

  /** The children's forward in order. */
  forward(x: LayerInput, ctx: ForwardContext): Tensor {
    let v: LayerInput = x;
    for (const l of this.layers) v = l.forward(v, ctx);
    return v as Tensor;
  }

  /** The children's backward in reverse order. */
  backward(dy: FloatArray, inputGrad: boolean): FloatArray | undefined {
    let g: FloatArray | undefined = dy;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      g = this.layers[i]!.backward(g!, i > 0 || inputGrad);
    }
    return g;
  }
}
