/**
 * @module recur
 * The public surface of recur. Only what is exported here is the API; everything else may change.
 */

// errors
export { RecurError } from './errors.js';

// numbers
export { Rng } from './tensor/rng.js';
export type { DType, FloatArray } from './tensor/types.js';

// kernels
export type { Activation, Kernels } from './kernels/types.js';
export { jsKernels } from './kernels/js/index.js';

// cells (one layer-direction over a sequence; most users want RecurrentStack)
export { createCell, gateCount } from './cells/index.js';
export type { Cell, CellKind, CellWeights, ResidualForm, SeqDims } from './cells/index.js';

// layers
export { recurrentConfig } from './layers/config.js';
export type { RecurrentConfig } from './layers/config.js';
export { RecurrentStack, initRecurrent, recurrentParamSpecs } from './layers/recurrent.js';
export type { RecurrentGrads, RecurrentInput, RecurrentOutput } from './layers/recurrent.js';
export { ParamSet } from './layers/params.js';
export type { Param, ParamSpec } from './layers/params.js';
export { initLinear, linearBackward, linearForward, linearSpecs } from './layers/linear.js';
export { checkIndices, embeddingBackward, embeddingForward, embeddingSpecs, initEmbedding, oneHot } from './layers/embedding.js';
export { crossEntropy, mse } from './layers/loss.js';
export type { CrossEntropyOptions, LossValue, Reduction } from './layers/loss.js';

// files
export {
  parseSafetensors, serializeSafetensors, tensorToFloat32, tensorToFloat64, tensorToInt32,
} from './format/safetensors.js';
export type { SafeDType, SafeTensor, SafetensorsFile, TensorToWrite } from './format/safetensors.js';
export { CONFIG_KEY, loadStack, readStackConfig, runStack, stackTensors } from './models/stack-file.js';
export type { RunFiles } from './models/stack-file.js';
