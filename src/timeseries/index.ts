/**
 * @module timeseries
 * Time-series models and the tools around them (for src/index.ts to re-export): AR by least
 * squares, NARX, TDNN, RNN forecasters, CSV series, splits, normalization, metrics and baselines,
 * the open/closed/k-step loops, synthetic generators and checkpoints (the charts are in src/charts).
 */
export { ArModel, arColumnNames, arLags, arPredictAt, criteria, fitAr, selectArOrder } from './ar.js';
export type { ArFit, ArSpec, InformationCriterion, OrderSelection, Trend } from './ar.js';
export { lstsq } from './linalg.js';
export type { LeastSquares } from './linalg.js';
export { extendDates, interpolateGaps, parseCsv, parseNumber, seriesFromTable } from './csv.js';
export type { ColumnOptions, CsvTable, SeriesData } from './csv.js';
export {
  chronologicalSplit, denormalizeTarget, fitNormalization, normalizeExog, normalizeTarget, scaleOf, sizeOf, splitSizes, transformTarget,
} from './data.js';
export type { Normalization, Scale, Split } from './data.js';
export { dominantPeriod, metrics, oneStepBaselines, originBaselines } from './metrics.js';
export type { Metrics } from './metrics.js';
export { GENERATORS, mackeyGlass, narendraLi, narma10, plant, sine } from './generators.js';
export type { GeneratorName, Generated } from './generators.js';
export { FORECAST_KINDS } from './model.js';
export type { ForecastKind, StepModel, TrainableModel } from './model.js';
export { closedLoop, kStepAhead, openLoop } from './loops.js';
export type { Loop } from './loops.js';
export { initMlp, Mlp, mlpSpecs } from './mlp.js';
export type { MlpConfig } from './mlp.js';
export { checkTdnnConfig, initTdnn, receptiveField, TdnnStack, tdnnSpecs } from './tdnn.js';
export type { TdnnConfig, TdnnLayerConfig } from './tdnn.js';
export { checkNarxConfig, delayList, Narx, regressorCount } from './narx.js';
export type { NarxConfig } from './narx.js';
export { checkSeqConfig, SeqForecaster } from './seq.js';
export type { SeqConfig, SeqKind, SeqMode } from './seq.js';
export { DEFAULT_FIT, fitOpenLoop } from './trainer.js';
export type { EpochReport, FitOptions, FitReport } from './trainer.js';
export { Forecaster } from './forecaster.js';
export type { ForecasterConfig } from './forecaster.js';
export { forecasterFile, loadForecaster } from './model-file.js';
export { evaluate, fitModels, forecastAfter, runForecast } from './pipeline.js';
export type { Evaluation, FittedModels, ForecastRun, LoopScores, ModelOptions, SeriesInput } from './pipeline.js';
export { kStepExperiment } from './kstep.js';
export type { KStepResult } from './kstep.js';
