/**
 * @module nn/model
 * A model: a root layer (often a Sequential), its parameters in one flat ParamSet, its own Rng for
 * initialisation and dropout, and train/eval mode. `fit`, `evaluate`, `predict` and `saveModel`
 * take a Model.
 *
 *   const model = sequential([recurrent({ cell: 'gru', hiddenSize: 64, output: 'final' }),
 *                             linear({ outputSize: 3 })], { inputSize: 8, kernels });
 *   model.zeroGrad(); const y = model.forward(x); ...; model.backward(dy);
 */
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import { ParamSet, type Param } from '../layers/params.js';
import { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import { buildLayer } from './build.js';
import type { LayerConfig } from './config.js';
import { swapLeadingAxes } from './layout.js';
import { isTokens, type Layer, type LayerInput, type Tensor } from './types.js';

/** How a model is made: the kernels it runs on and the seed of its initialisation and dropout. */
export interface ModelOptions {
  /** The backend every computation runs on: `await loadKernels()` or `jsKernels('float64')`. */
  kernels: Kernels;
  /** Seeds the model's Rng (initialisation, then dropout masks); default 0. */
  seed?: number;
}

/** Layout of a value at the model's edge: `batchFirst` means (B,T,…) in and out, as PyTorch's `batch_first`. */
export interface LayoutOptions {
  batchFirst?: boolean;
}

/** A model: a root layer and its parameters in one flat buffer, its Rng, and train/eval mode.
 *  `In` is what it reads (floats or token ids, or your own type for a custom root layer). */
export class Model<In = LayerInput> {
  readonly root: Layer<In>;
  /** Every parameter, one flat buffer; `params.grad` mirrors it. */
  readonly params: ParamSet;
  readonly kernels: Kernels;
  /** Initialisation, then dropout masks. */
  readonly rng: Rng;
  private isTraining = true;
  // batch-first values at the edge: the time-major copies and their buffers
  private edge: { swapped: boolean; T: number; B: number; x: LayerInput | undefined; xs: FloatArray | undefined;
                  dy: FloatArray | undefined; y: FloatArray | undefined; dx: FloatArray | undefined } =
    { swapped: false, T: 0, B: 0, x: undefined, xs: undefined, dy: undefined, y: undefined, dx: undefined };

  /** A model around `root`, with freshly initialised parameters (PyTorch's default initialisation). */
  constructor(root: Layer<In>, options: ModelOptions) {
    this.root = root;
    this.kernels = options.kernels;
    this.rng = new Rng(options.seed ?? 0);
    this.params = new ParamSet(options.kernels, root.paramSpecs());
    root.bind(this.params, '', options.kernels, this.rng);
    root.init(this.rng);
  }

  /** The root layer's config: what a model file stores. */
  get config(): LayerConfig { return this.root.config; }
  /** Feature size of the output. */
  get outputSize(): number { return this.root.outputSize; }
  /** Whether dropout is active (PyTorch's `module.training`); a new model is in training mode. */
  get training(): boolean { return this.isTraining; }

  /** Training mode (dropout on). */
  train(on = true): this { this.isTraining = on; return this; }
  /** Evaluation mode (dropout off). */
  eval(): this { return this.train(false); }
  /** Zero every parameter's gradient (backward accumulates). */
  zeroGrad(): void { this.params.zeroGrad(); }
  /** Parameters by name, in file order. */
  get parameters(): readonly Param[] { return this.params.list; }

  /**
   * The output for x. Time-major by default: a sequence is (T,B,F), token ids (T,B); with
   * `batchFirst` (B,T,F) and (B,T), and a sequence output comes back (B,T,·) too.
   * The returned array is reused by the next forward of the same shape: copy what you keep.
   */
  forward(x: In, opt: LayoutOptions = {}): Tensor {
    this.edge.x = undefined;
    const input = opt.batchFirst ? this.toTimeMajor(x as LayerInput) as In : x;
    const y = this.root.forward(input, { training: this.isTraining });
    this.edge.swapped = opt.batchFirst === true && y.shape.length === 3;
    if (!this.edge.swapped) return y;
    const [T, B, F] = y.shape as [number, number, number];
    this.edge.y = this.buffer(this.edge.y, y.data.length);
    return { data: swapLeadingAxes(this.edge.y, y.data, T, B, F), shape: [B, T, F], lengths: y.lengths, batchFirst: true };
  }

  /** ∂L/∂x from ∂L/∂y (laid out as the last forward's output); gradients accumulate into
   *  `params.grad`. `inputGrad: false` skips ∂L/∂x (returns undefined). */
  backward(dy: FloatArray, opt: { inputGrad?: boolean } = {}): FloatArray | undefined {
    let g = dy;
    if (this.edge.swapped) {
      const { T, B } = this.edge;
      this.edge.dy = this.buffer(this.edge.dy, dy.length);
      g = swapLeadingAxes(this.edge.dy, dy, B, T, dy.length / (T * B));
    }
    const dx = this.root.backward(g, opt.inputGrad ?? true);
    if (!dx || !this.edge.x || isTokens(this.edge.x)) return dx;
    const [T, B] = this.edge.x.shape as [number, number];
    this.edge.dx = this.buffer(this.edge.dx, dx.length);
    return swapLeadingAxes(this.edge.dx, dx, T, B, dx.length / (T * B));
  }

  /** (B,T,…) → (T,B,…), remembered for backward. */
  private toTimeMajor(x: LayerInput): LayerInput {
    if (x.shape.length < 2) throw new RecurError(`batchFirst: expected a sequence (B, T, …), got shape (${x.shape.join(', ')})`);
    const [B, T] = x.shape as [number, number];
    this.edge.T = T;
    this.edge.B = B;
    const F = x.shape.length === 3 ? x.shape[2]! : 1;
    if (isTokens(x)) {
      const tokens = swapLeadingAxes(new Int32Array(x.tokens.length), x.tokens, B, T, 1);
      this.edge.x = { tokens, shape: [T, B], lengths: x.lengths };
    } else {
      this.edge.xs = this.buffer(this.edge.xs, x.data.length);
      const data = swapLeadingAxes(this.edge.xs, x.data, B, T, F);
      this.edge.x = { data, shape: [T, B, ...x.shape.slice(2)], lengths: x.lengths };
    }
    return this.edge.x;
  }

  private buffer(a: FloatArray | undefined, n: number): FloatArray {
    if (a && a.length === n) return a;
    if (a) this.kernels.free(a);
    return this.kernels.alloc(n);
  }
}

/**
 * A model of layers applied in order; sizes left out are taken from the layer before, the first
 * layer's from `inputSize` (not needed after an embedding or with a layer that states it).
 *
 * @example A GRU classifier over sequences of different lengths (examples/gru-classifier.ts; the
 * other examples: bilstm-tagger.ts, airline-forecaster.ts, char-lm.ts, custom-model.ts)
 * ```ts
 * const kernels = await loadKernels();
 * const model = sequential([
 *   recurrent({ cell: 'gru', hiddenSize: 32, numLayers: 2, resetAfter: true, output: 'final' }),
 *   linear({ outputSize: 3 }),
 * ], { inputSize: 1, kernels, seed: 1 });
 * const train = new SequenceData(trainX, trainY, { batchSize: 32 });  // number[][] of any lengths
 * const test = new SequenceData(testX, testY, { shuffle: false });
 * await fit(model, train, { loss: 'crossEntropy', lr: 0.01, clip: 1, epochs: 12, validation: test });
 * const { accuracy } = evaluate(model, test, { metrics: ['accuracy'] });
 * writeFileSync('model.safetensors', saveModel(model));
 * ```
 */
export function sequential(layers: readonly LayerConfig[], options: ModelOptions & { inputSize?: number }): Model {
  const root = buildLayer({ type: 'sequential', layers, ...(options.inputSize === undefined ? {} : { inputSize: options.inputSize }) },
                          options.inputSize, 'sequential') as Layer;
  return new Model(root, options);
}
