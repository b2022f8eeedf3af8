/**
 * @module nn/embedding
 * nn.Embedding: a lookup table of token vectors, weight (V,E), init N(0, 1).
 *
 *   x_t = E[w_t]            tokens (T,B) → (T,B,E)
 *   ∂L/∂E[v] = Σ_{t,b : w_t,b = v} ∂L/∂x_t,b
 */
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import { checkIndices, embeddingBackward, embeddingForward, initEmbedding } from '../layers/embedding.js';
import type { Param, ParamSet, ParamSpec } from '../layers/params.js';
import type { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import { Workspace } from './buffers.js';
import { nameOf } from './check.js';
import type { EmbeddingLayerConfig } from './config.js';
import { isTokens, type ForwardContext, type Layer, type LayerInput, type Tensor } from './types.js';

/** nn.Embedding as a layer (built from an `embedding({...})` config). */
export class Embedding implements Layer {
  readonly config: EmbeddingLayerConfig;
  private k!: Kernels;
  private w!: Param;
  private params!: ParamSet;
  private prefix = '';
  private readonly ws = new Workspace(() => this.k);
  private last: { tokens: Int32Array; R: number } | undefined;

  constructor(config: EmbeddingLayerConfig) {
    this.config = { type: 'embedding', ...nameOf(config.name, 'embedding'), numEmbeddings: config.numEmbeddings, embeddingDim: config.embeddingDim };
  }

  get outputSize(): number { return this.config.embeddingDim; }

  paramSpecs(): ParamSpec[] {
    return [{ name: 'weight', shape: [this.config.numEmbeddings, this.config.embeddingDim] }];
  }

  bind(params: ParamSet, prefix: string, k: Kernels): void {
    this.k = k;
    this.params = params;
    this.prefix = prefix;
    this.w = params.get(`${prefix}weight`);
  }

  init(rng: Rng): void {
    initEmbedding(this.params, this.prefix, rng);
  }

  /** the token vectors (T,B,E); a reused buffer. */
  forward(x: LayerInput, _ctx: ForwardContext): Tensor {
    if (!isTokens(x)) throw new RecurError(`embedding: expected token ids (an Int32Array of shape (T, B)), got floats of shape (${x.shape.join(', ')})`);
    const { numEmbeddings: V, embeddingDim: E } = this.config;
    checkIndices(x.tokens, V, 'embedding');
    const R = x.tokens.length;
    const [out] = this.ws.get(`${R}`, [R * E]) as [FloatArray];
    embeddingForward(out, x.tokens, this.w.data, R, E);
    this.last = { tokens: x.tokens, R };
    return { data: out, shape: [...x.shape, E], lengths: x.lengths };
  }

  backward(dy: FloatArray, _inputGrad: boolean): undefined {
    if (!this.last) throw new Error('Embedding.backward called before forward');
    embeddingBackward(this.w.grad, dy, this.last.tokens, this.last.R, this.config.embeddingDim);
    return undefined;
  }
}
