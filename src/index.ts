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
export type { Activation, Kernels, SequenceKernels } from './kernels/types.js';
export { jsKernels } from './kernels/js/index.js';

// cells (one layer-direction over a sequence; most users want RecurrentStack)
export { createCell, gateCount } from './cells/index.js';
export type { Alloc, Cell, CellCache, CellChoice, CellKind, CellWeights, ResidualForm, SeqDims, StepViews } from './cells/index.js';

// layers
export { recurrentConfig } from './layers/config.js';
export type { RecurrentConfig, RecurrentOptions } from './layers/config.js';
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
export type { SafeDType, SafeTensor, SafetensorsFile, TensorData, TensorToWrite } from './format/safetensors.js';
export { CONFIG_KEY, loadStack, readStackConfig, runStack, stackTensors } from './models/stack-file.js';
export type { RunFiles } from './models/stack-file.js';

// kernels: the fast backends and the chooser
export { chooseKernels, loadKernels, loadNativeKernels, loadWasmKernels, NativeKernels } from './kernels/index.js';
export type {
  CreateWorker, KernelChoice, KernelSelection, KernelWorker, LoadKernelsOptions, NativeIsa, NativeKernelOptions, WasmFlavor,
  WasmKernelOptions, WasmKernels,
} from './kernels/index.js';

// language models
export { Vocab, tokenize, preprocessD2l, joinTokens } from './data/text.js';
export type { Preprocess, TokenKind, TokenizerConfig } from './data/text.js';
export { epochBatches, batchesPerEpoch } from './data/batches.js';
export type { Minibatch, Sampling } from './data/batches.js';
export { LanguageModel } from './models/language-model.js';
export type { LanguageModelConfig, LmState } from './models/language-model.js';
export { LmTrainer, DEFAULT_TRAIN } from './models/lm-trainer.js';
export type { EpochReport as LmEpochReport, StepReport, TrainHooks, TrainOptions, TrainState } from './models/lm-trainer.js';
export { loadLm, lmTensors, lmConfigJson } from './models/lm-file.js';
export type { LmCheckpoint } from './models/lm-file.js';
export { evaluatePerplexity } from './models/evaluate.js';
export type { Perplexity } from './models/evaluate.js';
export { generate } from './models/generate.js';
export type { GenerateOptions } from './models/generate.js';
export { sampleToken, argmax } from './sample/sample.js';
export type { SamplingOptions } from './sample/sample.js';

// training pieces
export { Optimizer, optimizerConfig, OPTIMIZERS } from './train/optim.js';
export type { OptimizerConfig, OptimizerKind } from './train/optim.js';
export { clipByGlobalNorm, clipByValue, globalNorm } from './train/clip.js';
export { learningRate } from './train/schedule.js';
export type { Schedule, ScheduleKind } from './train/schedule.js';

// time series (the chart helpers stay internal to the CLI)
export {
  ArModel, fitAr, selectArOrder, lstsq, parseCsv, seriesFromTable, chronologicalSplit, fitNormalization, metrics,
  oneStepBaselines, originBaselines, GENERATORS, mackeyGlass, narendraLi, narma10, sine, closedLoop, kStepAhead, openLoop,
  Mlp, TdnnStack, Narx, SeqForecaster, fitOpenLoop, Forecaster, forecasterFile, loadForecaster, runForecast, kStepExperiment,
  DEFAULT_FIT,
} from './timeseries/index.js';
export type {
  ArFit, ArSpec, Trend, CsvTable, SeriesData, Normalization, Split, Metrics, ForecastKind, Loop, MlpConfig, TdnnConfig,
  NarxConfig, SeqConfig, FitOptions as ForecastFitOptions, ForecasterConfig, ForecastRun,
  InformationCriterion, OrderSelection, LeastSquares, ColumnOptions, Scale, Generated, StepModel, TrainableModel,
  TdnnLayerConfig, SeqKind, SeqMode, FitReport as ForecastFitReport, EpochReport as ForecastEpochReport, LoopScores,
  ModelOptions as ForecastModelOptions, SeriesInput, KStepResult,
} from './timeseries/index.js';

// gradient-flow analysis (recur gradients; its charts stay internal to the CLI)
export {
  gradientNorms, gradientHeatmap, weightSpectra, rnnJacobianNorms, fitLogSlope, GATE_NAMES,
} from './analysis/gradient-flow.js';
export type { FlowInput, GradientNorms, JacobianNorms, WeightSpectrum } from './analysis/gradient-flow.js';
export { CELL_NAMES, cellConfig, describeCell, randomStack, randomInput, initRecurrentWeights } from './analysis/random-model.js';
export { WHH_INITS } from './analysis/random-model.js';
export type { CellName, CellOptions, RandomModelSpec, RecurrentInit, WhhInit } from './analysis/random-model.js';
export { parameterNorms } from './analysis/param-norms.js';
export { eigenvalues, spectralRadius, maxSingularValue, singularValues } from './analysis/linalg.js';
export type { Complex } from './analysis/linalg.js';

// ── models you compose (nn/, data/sequences, train/fit) ─────────────────────────────────────────
export * from './nn/index.js';
export { padSequences, SequenceData, IGNORE_INDEX } from './data/sequences.js';
export type { Sequence, Batch, BatchSource, PadOptions, SequenceDataOptions } from './data/sequences.js';
export { fit, evaluate, predict } from './train/fit.js';
export type { FitOptions } from './train/fit.js';
export { trainLoop } from './train/loop.js';
export { initialLoopState, trainLoopSync } from './train/loop.js';
export { DivergedError } from './train/guard.js';
export type { TrainTask, LoopOptions, LoopControl, LoopState, StepLog, EpochLog, History } from './train/loop.js';
export { lossFunction } from './train/losses.js';
export type { LossName, LossFunction } from './train/losses.js';
export { createMetric, METRICS } from './train/metrics.js';
export type { Metric, MetricName } from './train/metrics.js';

// ── ONNX import (onnx/import): torch.onnx.export of RNN/GRU/LSTM models, run or converted ─────────
export { importOnnx, OnnxGraph, SUPPORTED_OPS as ONNX_IMPORT_OPS } from './onnx/import/index.js';
export type {
  ImportOnnxOptions, ImportedModel, OnnxResult, OnnxTensor, OnnxValueInfo, ToModelOptions,
} from './onnx/import/index.js';

// ── ONNX export (docs/onnx.md, "Export") ─────────────────────────────────────────────────────────
export { exportOnnx, exportOnnxFile, ONNX_OPSET, ONNX_IR_VERSION } from './onnx/export/index.js';
export type { ExportOnnxOptions, ExportOnnxFileOptions } from './onnx/export/index.js';
