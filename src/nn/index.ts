/**
 * @module nn
 * Models you compose: layers with explicit forward and backward, a Sequential container, the
 * Model that owns their parameters, and one model file format.
 */
export type {
  LayerConfig, RecurrentLayerConfig, RnnLayerConfig, GruLayerConfig, LstmLayerConfig, ResidualLayerConfig,
  EmbeddingLayerConfig, LinearLayerConfig, LinearActivation, DropoutLayerConfig, ReduceLayerConfig,
  SequentialLayerConfig, CustomLayerConfig, Named,
} from './config.js';
export type { Layer, LayerInput, Tensor, Tokens, ForwardContext } from './types.js';
export { isTokens } from './types.js';
export { recurrent, embedding, linear, dropout, reduce } from './factories.js';
export type { Options as LayerOptions, RecurrentLayerOptions } from './factories.js';
export { buildLayer, registerLayer } from './build.js';
export type { LayerFactory } from './build.js';
export { Composite, Sequential } from './composite.js';
export { Recurrent } from './recurrent.js';
export type { ResolvedRecurrentConfig } from './recurrent.js';
export { Linear } from './linear.js';
export type { LinearConfig } from './linear.js';
export { Embedding } from './embedding.js';
export { Dropout } from './dropout.js';
export { Reduce } from './reduce.js';
export { Model, sequential } from './model.js';
export type { ModelOptions, LayoutOptions } from './model.js';
export { saveModel, loadModel, LAYERS_MODEL } from './model-file.js';
export type { LoadModelOptions } from './model-file.js';
