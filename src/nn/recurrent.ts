/**
 * @module nn/recurrent
 * The recurrent stack as a layer: any cell and form, L layers, one or two directions, dropout
 * between layers, per-row lengths (PyTorch's packed sequences). See layers/recurrent for the maths.
 *
 *   x (T,B,I) or token ids (T,B) (one-hot input of size I, never built)
 *   output 'sequence': y (T,B,D·H), zero at padded steps
 *   output 'final':    [h→_n ; h←_n] of the top layer (B,D·H), each row at its own last step
 */
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import { parseRecurrentConfig, type RecurrentConfig } from '../layers/config.js';
import type { ParamSet, ParamSpec } from '../layers/params.js';
import { initRecurrent, recurrentParamSpecs, RecurrentStack } from '../layers/recurrent.js';
import type { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import { Workspace } from './buffers.js';
import { nameOf } from './check.js';
import type { RecurrentLayerConfig } from './config.js';
import { isTokens, type ForwardContext, type Layer, type LayerInput, type Tensor } from './types.js';

/** A recurrent layer's config with every field resolved, as stored in a model file. */
export type ResolvedRecurrentConfig = RecurrentConfig & { readonly type: 'recurrent'; readonly name?: string; readonly output: 'sequence' | 'final' };

/** The recurrent stack as a layer (built from a `recurrent({...})` config). */
export class Recurrent implements Layer {
  readonly config: ResolvedRecurrentConfig;
  private k!: Kernels;
  private params!: ParamSet;
  private prefix = '';
  private stack!: RecurrentStack;
  private readonly finalWs = new Workspace(() => this.k);
  private readonly backWs = new Workspace(() => this.k);
  private last: { T: number; B: number; tokens: boolean } | undefined;

  constructor(config: RecurrentLayerConfig, inputSize: number, what = 'recurrent') {
    const { type: _type, output, name, ...rest } = config;
    const rnn = parseRecurrentConfig({ ...rest, inputSize }, what); // the rest may come from a file
    if (output !== undefined && output !== 'sequence' && output !== 'final') {
      throw new RecurError(`${what}: "output" must be "sequence" or "final", got ${JSON.stringify(output)}`);
    }
    this.config = { type: 'recurrent', ...nameOf(name, what), ...rnn, output: output ?? 'sequence' };
  }

  /** D·H */
  get outputSize(): number { return (this.config.bidirectional ? 2 : 1) * this.config.hiddenSize; }

  /** The stack itself: h_n, c_n of the last forward, state gradients, the step-by-step API. */
  get recurrentStack(): RecurrentStack { return this.stack; }

  paramSpecs(): ParamSpec[] { return recurrentParamSpecs(this.config); }

  bind(params: ParamSet, prefix: string, k: Kernels, rng: Rng): void {
    this.k = k;
    this.params = params;
    this.prefix = prefix;
    this.stack = new RecurrentStack(this.config, k, rng, params, prefix);
  }

  init(rng: Rng): void { initRecurrent(this.params, this.config, rng, this.prefix); }

  /** y (T,B,D·H) or the final states (B,D·H); a reused buffer. */
  forward(x: LayerInput, ctx: ForwardContext): Tensor {
    const I = this.config.inputSize;
    const [T, B] = x.shape as [number, number];
    if (x.shape.length !== (isTokens(x) ? 2 : 3)) {
      throw new RecurError(`recurrent: expected a sequence (T, B, ${I}) or token ids (T, B), got shape (${x.shape.join(', ')})`);
    }
    if (!isTokens(x) && x.shape[2] !== I) throw new RecurError(`recurrent: expected inputs of ${I} features, got shape (${x.shape.join(', ')})`);
    const run = { lengths: x.lengths, training: ctx.training };
    const out = isTokens(x) ? this.stack.forwardTokens(x.tokens, T, B, run) : this.stack.forward(x.data, T, B, run);
    this.last = { T, B, tokens: isTokens(x) };
    if (this.config.output === 'sequence') return { data: out.y, shape: [T, B, this.outputSize], lengths: x.lengths };
    // [h→_n ; h←_n] of the top layer: h_n's slots (L−1)·D + dir                 (B,D·H)
    const { hiddenSize: H, numLayers: L } = this.config;
    const D = this.config.bidirectional ? 2 : 1;
    const [final] = this.finalWs.get(`${B}`, [B * D * H]) as [FloatArray];
    for (let dir = 0; dir < D; dir++) {
      const s = (L - 1) * D + dir;
      for (let b = 0; b < B; b++) final.set(out.hN.subarray((s * B + b) * H, (s * B + b + 1) * H), (b * D + dir) * H);
    }
    return { data: final, shape: [B, D * H] };
  }

  backward(dy: FloatArray, inputGrad: boolean): FloatArray | undefined {
    if (!this.last) throw new Error('Recurrent.backward called before forward');
    const { T, B, tokens } = this.last;
    const opt = { inputGrad: inputGrad && !tokens };
    if (this.config.output === 'sequence') return this.stack.backward(dy, undefined, undefined, opt).dx;
    // 'final': the gradient enters through h_n of the top layer only; y gets none
    const { hiddenSize: H, numLayers: L } = this.config;
    const D = this.config.bidirectional ? 2 : 1;
    const [zeroDy, dhN] = this.backWs.get(`${T},${B}`, [T * B * D * H, L * D * B * H]) as [FloatArray, FloatArray];
    for (let dir = 0; dir < D; dir++) {
      const s = (L - 1) * D + dir;
      for (let b = 0; b < B; b++) dhN.set(dy.subarray((b * D + dir) * H, (b * D + dir + 1) * H), (s * B + b) * H);
    }
    return this.stack.backward(zeroDy, dhN, undefined, opt).dx;
  }
}
