/**
 * @module nn/factories
 * Layer configs with their `type` filled in, for `sequential([...])`:
 *
 * ```ts
 * sequential([
 *   recurrent({ cell: 'gru', hiddenSize: 64, numLayers: 2, output: 'final' }),
 *   linear({ outputSize: 3 }),
 * ], { inputSize: 8, kernels });
 * ```
 */
import type {
  DropoutLayerConfig, EmbeddingLayerConfig, LinearLayerConfig, RecurrentLayerConfig, ReduceLayerConfig,
} from './config.js';

/** A layer config without its `type`: what each factory takes. */
export type Options<C> = Omit<C, 'type'>;

/** A recurrent layer's options: its config without `type`, one shape per cell. */
export type RecurrentLayerOptions = RecurrentLayerConfig extends infer C ? C extends RecurrentLayerConfig ? Omit<C, 'type'> : never : never;

/** A recurrent stack (any cell: `cell: 'rnn' | 'gru' | 'lstm' | 'residual'`), PyTorch's nn.RNN/GRU/LSTM. */
export function recurrent(c: RecurrentLayerOptions): RecurrentLayerConfig {
  return { type: 'recurrent', ...c } as RecurrentLayerConfig;
}

/** nn.Embedding: token ids → vectors of `embeddingDim`. */
export function embedding(c: Options<EmbeddingLayerConfig>): EmbeddingLayerConfig {
  return { type: 'embedding', ...c };
}

/** nn.Linear with an optional activation, on rows or on every step of a sequence. */
export function linear(c: Options<LinearLayerConfig>): LinearLayerConfig {
  return { type: 'linear', ...c };
}

/** Inverted dropout with probability p (active only in training). */
export function dropout(p: number, name?: string): DropoutLayerConfig {
  return { type: 'dropout', p, ...(name === undefined ? {} : { name }) };
}

/** A sequence → one row per sequence over its valid steps: its last step, or the mean or max. */
export function reduce(mode: ReduceLayerConfig['mode'], name?: string): ReduceLayerConfig {
  return { type: 'reduce', mode, ...(name === undefined ? {} : { name }) };
}
