/**
 * @module timeseries/pipeline
 * What `recur forecast` does, without files: split the series chronologically, fit a model on the
 * part before the test, score it on the test part in both loops beside the naive and seasonal-naive
 * baselines, and forecast past the end.
 *
 * AR: the scored model is fitted on train + validation (least squares needs no early stopping); the
 * final model — its coefficients, its forecast, what is saved — is refitted on the whole series, as
 * `AutoReg(y, lags).fit()` would be. An order chosen by AIC/BIC/HQIC is chosen on the part before
 * the test. Neural models: trained on train, stopped early on validation; that one model is both
 * scored and used for the forecast (conditioned on the whole series).
 */
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import { Rng } from '../tensor/rng.js';
import { ArModel, arLags, selectArOrder, type ArFit, type InformationCriterion, type OrderSelection, type Trend } from './ar.js';
import { fitNormalization, transformTarget, type Split } from './data.js';
import { Forecaster, type ForecasterConfig } from './forecaster.js';
import { metrics, oneStepBaselines, originBaselines, type Metrics } from './metrics.js';
import type { ForecastKind } from './model.js';
import type { SeqMode } from './seq.js';
import { fitOpenLoop, type EpochReport, type FitOptions, type FitReport } from './trainer.js';

/**
 * The series runForecast and kStepExperiment work on: the target y (n) and exogenous columns (n, m)
 * row-major.
 */
export interface SeriesInput {
  target: string;
  y: Float64Array;                 // (n)
  exogNames: string[];
  exog: Float64Array | undefined;  // (n, m)
}

/**
 * The model `recur forecast` fits and how: its kind, AR lags or order selection, network sizes,
 * training options.
 */
export interface ModelOptions {
  kind: ForecastKind;
  log: boolean;
  // AR
  lags: number | number[];         // a count p or a list
  trend: Trend;
  ic: InformationCriterion | undefined; // choose p in 0 … maxLag (consecutive lags) by this criterion
  maxLag: number;
  // NARX
  inputDelays: number[];
  feedbackDelays: number[];
  hiddenLayers: number[];
  // sequence forecasters
  hidden: number;
  layers: number;
  window: number;
  mode: SeqMode;
  delays: number;
  burnIn: number;
  fit: FitOptions;
}

/** Errors of the model and of the naive and seasonal-naive baselines over the same points. */
export interface LoopScores {
  model: Metrics;
  naive: Metrics;
  seasonalNaive: Metrics;
}

export interface Evaluation {
  split: Split;
  seasonalPeriod: number;
  fitted: { from: number; values: Float64Array };  // one-step in-sample predictions over [from, valEnd)
  test: { from: number; actual: Float64Array; open: Float64Array; closed: Float64Array;
          baselines: { open: { naive: Float64Array; seasonalNaive: Float64Array }; closed: { naive: Float64Array; seasonalNaive: Float64Array } } };
  scores: { open: LoopScores; closed: LoopScores };
  trainScores: Metrics | null; // the fit's one-step error before the test part
}

/**
 * What runForecast returns: the fitted models, their scores open and closed loop against the
 * baselines, and the training report.
 */
export interface ForecastRun extends Evaluation {
  forecaster: Forecaster;      // the final model
  scored: Forecaster;          // the model that was scored (AR: fitted before the test; else the same)
  arFit?: ArFit | undefined;         // AR: the final fit (whole series)
  arScoredFit?: ArFit | undefined;   // AR: the fit before the test
  orderSelection?: OrderSelection | undefined;
  training?: FitReport | undefined;
  forecast: Float64Array;      // horizon steps after the end (closed loop)
}

export type FittedModels = Pick<ForecastRun, 'forecaster' | 'scored' | 'arFit' | 'arScoredFit' | 'orderSelection' | 'training'>;

/** Fit the models of a run on the part before the test (and, for AR, the final one on everything). */
export function fitModels(series: SeriesInput, o: ModelOptions, s: Split, k: Kernels,
                          onEpoch?: (r: EpochReport) => void): FittedModels {
  const m = series.exogNames.length;
  const what = `column "${series.target}"`;
  const base = { target: series.target, exog: series.exogNames };
  if (o.kind === 'ar') {
    if (m > 0) throw new RecurError('AR: the model reads the target only; --exog needs --model narx or a sequence model');
    const g = transformTarget(series.y, o.log, what);
    const before = g.subarray(0, s.valEnd);
    let lags = arLags(o.lags);
    let selection: OrderSelection | undefined;
    if (o.ic) {
      selection = selectArOrder(before, o.maxLag, o.ic, o.trend);
      lags = arLags(selection.order);
    }
    const normalization = { log: o.log, target: { mean: 0, std: 1 }, exog: [] };
    const config: ForecasterConfig = { kind: 'ar', ...base, normalization, ar: { lags, trend: o.trend } };
    const final = ArModel.fit(g, { lags, trend: o.trend });
    const scored = s.valEnd === s.n ? final : ArModel.fit(before, { lags, trend: o.trend });
    return { forecaster: new Forecaster(config, final.model), scored: new Forecaster(config, scored.model),
             arFit: final.fit, arScoredFit: scored.fit, orderSelection: selection };
  }
  const normalization = fitNormalization(series.y, series.exog, m, s.trainEnd, o.log, true, what);
  const config: ForecasterConfig = { kind: o.kind, ...base, normalization };
  if (o.kind === 'narx') config.narx = { exogSize: m, inputDelays: m > 0 ? o.inputDelays : [], feedbackDelays: o.feedbackDelays, hidden: o.hiddenLayers };
  else config.seq = { kind: o.kind, exogSize: m, hidden: o.hidden, layers: o.layers, delays: o.delays, window: o.window, mode: o.mode, burnIn: o.burnIn };
  const f = Forecaster.createNeural(config, k, new Rng(o.fit.seed));
  const { z, xz } = f.encode(series.y, series.exog, what);
  const training = fitOpenLoop(f.model, k, z, xz, s.trainEnd, s.valEnd, o.fit, onEpoch);
  return { forecaster: f, scored: f, training };
}

/** Fit, score and forecast `horizon` steps after the end. */
export function runForecast(series: SeriesInput, o: ModelOptions, split: Split, seasonalPeriod: number,
                            horizon: number, k: Kernels, onEpoch?: (r: EpochReport) => void): ForecastRun {
  const fitted = fitModels(series, o, split, k, onEpoch);
  const evaluation = evaluate(fitted.scored, series, split, seasonalPeriod);
  const forecast = horizon > 0 ? forecastAfter(fitted.forecaster, series, horizon) : new Float64Array(0);
  return { ...fitted, ...evaluation, forecast };
}

/** Score a forecaster on the test part [valEnd, n) in both loops, with the baselines. */
export function evaluate(f: Forecaster, series: SeriesInput, split: Split, S: number): Evaluation {
  const { n, valEnd } = split;
  const testSize = n - valEnd;
  if (testSize < 1) throw new RecurError('evaluation: the test part is empty; hold out at least one value (--test)');
  if (!Number.isSafeInteger(S) || S < 1) throw new RecurError(`--seasonal-period: expected an integer ≥ 1, got ${S}`);
  if (valEnd < S) throw new RecurError(`--seasonal-period ${S}: the seasonal-naive baseline needs a full season (${S} values) before the test part, which starts at row ${valEnd + 1}`);
  const from = f.model.minHistory;
  if (valEnd < from) throw new RecurError(`evaluation: the model needs ${from} values of history before its first prediction, but only ${valEnd} come before the test part`);
  const y = series.y;
  const actual = y.slice(valEnd);
  const open = f.predictOpen(y, series.exog, valEnd, n);
  const closed = f.predictClosed(y, series.exog, valEnd, testSize);
  const b1 = oneStepBaselines(y, valEnd, n, S);
  const bh = originBaselines(y, valEnd, testSize, S);
  const fitted = from < valEnd ? f.predictOpen(y, series.exog, from, valEnd) : new Float64Array(0);
  return {
    split, seasonalPeriod: S,
    fitted: { from, values: fitted },
    test: { from: valEnd, actual, open, closed, baselines: { open: b1, closed: bh } },
    scores: {
      open: { model: metrics(actual, open), naive: metrics(actual, b1.naive), seasonalNaive: metrics(actual, b1.seasonalNaive) },
      closed: { model: metrics(actual, closed), naive: metrics(actual, bh.naive), seasonalNaive: metrics(actual, bh.seasonalNaive) },
    },
    trainScores: fitted.length > 0 ? metrics(y.subarray(from, valEnd), fitted) : null,
  };
}

/** `horizon` steps after the end of the series, closed loop. */
export function forecastAfter(f: Forecaster, series: SeriesInput, horizon: number): Float64Array {
  if (f.model.exogSize > 0) {
    throw new RecurError('--horizon: a model with exogenous inputs needs their future values to forecast past the end of the data; it is scored on the held-out part instead (use --horizon 0)');
  }
  return f.predictClosed(series.y, undefined, series.y.length, horizon);
}
