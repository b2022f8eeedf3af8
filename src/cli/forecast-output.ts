/**
 * @module cli/forecast-output
 * What `recur forecast` prints (a table, or one JSON object with --json) and draws (--plot).
 *
 * JSON keys: model (the kind), description, data, column, exog, n, split {train, val, test},
 * seasonalPeriod, loop, log, metrics {rmse, mae, mape, smape, nrmse} (test part, --loop's
 * predictions), baselines {naive, seasonalNaive} (the same, in the same loop), byLoop {open,
 * closed} (both, each {model, naive, seasonalNaive}), test [{date, actual, predicted, open,
 * closed, naive, seasonalNaive}], forecast [{date, value}] (past the end); for AR: coefficients
 * (the final model on the whole series: intercept first, then one per lag in --lags' order),
 * coefficientNames, lags, trend, nobs, sigma2, llf, aic, bic, hqic, scored {coefficients, …} (the
 * fit before the test part, which the metrics score), orderSelection; for neural models: training
 * {epochs, bestEpoch, trainLoss, valLoss}, parameters, backend.
 */
import { dateTicks, lineChart, stackVertically, type Series } from '../charts/index.js';
import { arColumnNames, type ArFit } from '../timeseries/ar.js';
import { splitSizes, type Split } from '../timeseries/data.js';
import type { KStepResult } from '../timeseries/kstep.js';
import type { Metrics } from '../timeseries/metrics.js';
import type { ForecastKind, TrainableModel } from '../timeseries/model.js';
import type { ForecastRun, LoopScores, ModelOptions } from '../timeseries/pipeline.js';
import type { Forecaster } from '../timeseries/forecaster.js';
import { cell } from './numbers.js';

export interface DataInfo {
  name: string;
  generated: boolean;
  dates: string[] | undefined;
  dateColumn: string | undefined;
  filled: { column: string; row: number }[];
}

export interface ForecastReport {
  info: DataInfo & { series: { target: string; y: Float64Array; exogNames: string[] } };
  kind: ForecastKind;
  loop: 'open' | 'closed';
  run: ForecastRun;
  futureDates: string[];
  backend: string;
  loaded: string | undefined;
  saved: string | undefined;
  plot: string | undefined;
  plotLast?: number | undefined; // draw only the last N values of the data (and the forecast)
}

const label = (info: DataInfo, i: number): string => info.dates?.[i] ?? String(i);

/** "AR(13) with an intercept", "NARX 13→10→1", "LSTM H=32", … */
export function describe(f: Forecaster): string {
  const c = f.config;
  const log = c.normalization.log ? ', on log values' : '';
  if (c.ar) {
    const lags = c.ar.lags;
    const consecutive = lags.every((l, i) => l === i + 1);
    return `AR(${consecutive ? lags.length : `lags ${lags.join(',')}`}) ${c.ar.trend === 'c' ? 'with an intercept' : 'without an intercept'}${log}`;
  }
  if (c.narx) {
    const n = c.narx;
    const inputs = n.exogSize > 0 ? `, input delays ${ranges(n.inputDelays)} of ${c.exog.join(', ')}` : '';
    return `NARX: MLP ${[n.exogSize * (n.exogSize > 0 ? n.inputDelays.length : 0) + n.feedbackDelays.length, ...n.hidden, 1].join('→')} (tanh), feedback delays ${ranges(n.feedbackDelays)}${inputs}${log}`;
  }
  const s = c.seq!;
  const body = s.kind === 'tdnn'
    ? `TDNN ${s.layers}×${s.hidden} (delays ${s.delays} per layer, receptive field ${1 + s.layers * s.delays})`
    : `${s.kind.toUpperCase()} ${s.layers > 1 ? `${s.layers}×` : ''}H=${s.hidden}`;
  return `${body} + linear head, window ${s.window}, ${s.mode}${s.mode === 'seq2seq' && s.burnIn > 0 ? ` (burn-in ${s.burnIn})` : ''}${c.exog.length ? `, inputs ${c.exog.join(', ')}` : ''}${log}`;
}

function ranges(d: readonly number[]): string {
  const consecutive = d.every((v, i) => i === 0 || v === d[i - 1]! + 1);
  return consecutive && d.length > 2 ? `${d[0]}..${d[d.length - 1]}` : d.join(',');
}

const round = (v: number | null, digits = 6): number | null => (v === null || !Number.isFinite(v) ? null : Number(v.toPrecision(digits)));
const metricsJson = (m: Metrics) => ({ rmse: round(m.rmse), mae: round(m.mae), mape: round(m.mape), smape: round(m.smape), nrmse: round(m.nrmse) });
const loopJson = (s: LoopScores) => ({ model: metricsJson(s.model), naive: metricsJson(s.naive), seasonalNaive: metricsJson(s.seasonalNaive) });

function arJson(fit: ArFit) {
  return {
    coefficients: Array.from(fit.params), coefficientNames: arColumnNames(fit), lags: fit.lags, trend: fit.trend,
    nobs: fit.nobs, sigma2: fit.sigma2, llf: fit.llf, aic: fit.aic, bic: fit.bic, hqic: fit.hqic,
  };
}

export function forecastJson(r: ForecastReport): Record<string, unknown> {
  const { run, info } = r;
  const f = run.forecaster;
  const s = info.series;
  const sizes = splitSizes(run.split);
  const testFrom = run.test.from;
  const pred = r.loop === 'open' ? run.test.open : run.test.closed;
  const base = r.loop === 'open' ? run.test.baselines.open : run.test.baselines.closed;
  const out: Record<string, unknown> = {
    model: r.kind, description: describe(f), data: info.name, column: s.target, exog: s.exogNames, n: s.y.length,
    split: sizes, testFrom: label(info, testFrom), seasonalPeriod: run.seasonalPeriod, loop: r.loop, log: f.config.normalization.log,
    metrics: metricsJson(run.scores[r.loop].model),
    baselines: { naive: metricsJson(run.scores[r.loop].naive), seasonalNaive: metricsJson(run.scores[r.loop].seasonalNaive) },
    byLoop: { open: loopJson(run.scores.open), closed: loopJson(run.scores.closed) },
    fit: run.trainScores ? metricsJson(run.trainScores) : null,
  };
  if (run.arFit) {
    Object.assign(out, arJson(run.arFit));
    out.scored = arJson(run.arScoredFit!);
    if (run.orderSelection) out.orderSelection = { ic: run.orderSelection.ic, order: run.orderSelection.order, table: run.orderSelection.table };
  } else if (f.ar) {
    Object.assign(out, { coefficients: Array.from(f.ar.params), coefficientNames: arColumnNames(f.ar.spec), lags: f.ar.spec.lags, trend: f.ar.spec.trend });
  } else {
    out.parameters = (f.model as TrainableModel).params.data.length;
    out.config = f.config.narx ?? f.config.seq;
    if (run.training) {
      const t = run.training;
      out.training = { epochs: t.epochs, bestEpoch: t.bestEpoch, trainLoss: round(t.trainLoss), valLoss: round(t.valLoss) };
    }
  }
  out.normalization = f.config.normalization;
  out.test = Array.from(run.test.actual, (a, i) => ({
    date: label(info, testFrom + i), actual: a, predicted: round(pred[i]!, 8), open: round(run.test.open[i]!, 8), closed: round(run.test.closed[i]!, 8),
    naive: base.naive[i], seasonalNaive: base.seasonalNaive[i],
  }));
  out.forecast = Array.from(run.forecast, (v, i) => ({ date: r.futureDates[i], value: round(v, 8) }));
  out.backend = r.backend;
  if (info.filled.length) out.interpolated = info.filled;
  if (r.loaded) out.loaded = r.loaded;
  if (r.saved) out.saved = r.saved;
  if (r.plot) out.plot = r.plot;
  return out;
}

const num = (v: number | null, w = 9): string => cell(v === null || !Number.isFinite(v) ? '—' : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toPrecision(4), w);

export function forecastText(r: ForecastReport): string {
  const { run, info } = r;
  const f = run.forecaster;
  const s = info.series;
  const n = s.y.length;
  const z = splitSizes(run.split);
  const lines: string[] = [];
  const span = info.dates ? ` (${info.dates[0]} … ${info.dates[n - 1]})` : '';
  lines.push(`data      ${info.name}: "${s.target}"${s.exogNames.length ? ` with inputs ${s.exogNames.join(', ')}` : ''}, ${n} values${span}${info.filled.length ? `; ${info.filled.length} value(s) filled by interpolation` : ''}`);
  lines.push(`model     ${describe(f)}${r.loaded ? ` (loaded from ${r.loaded})` : ''}`);
  lines.push(`split     train ${z.train} · validation ${z.val} · test ${z.test} (${label(info, run.test.from)} … ${label(info, n - 1)})${f.ar ? '; AR fits on train + validation' : ''}`);
  if (run.arFit) {
    const names = arColumnNames(run.arFit);
    lines.push(`fit       least squares in float64 on the whole series: ${run.arFit.nobs} rows, σ² ${num(run.arFit.sigma2, 0)}, AIC ${run.arFit.aic.toFixed(2)}, BIC ${run.arFit.bic.toFixed(2)}`);
    lines.push(`          ${names.map((c, i) => `${c} ${run.arFit!.params[i]!.toPrecision(6)}`).join(', ')}`);
    if (run.orderSelection) lines.push(`order     ${run.orderSelection.ic.toUpperCase()} chose p = ${run.orderSelection.order} of 0..${run.orderSelection.table[run.orderSelection.table.length - 1]!.order} (on the part before the test)`);
  } else if (run.training) {
    const t = run.training;
    lines.push(`training  ${t.epochs} epochs in open loop (teacher forcing), kept epoch ${t.bestEpoch}: train MSE ${num(t.trainLoss, 0).trim()}, validation one-step MSE ${num(t.valLoss, 0).trim()} (normalized); ${(f.model as TrainableModel).params.data.length} parameters, ${r.backend}`);
  }
  lines.push('');
  lines.push(`test part (${z.test} values)      closed loop: free run from ${label(info, run.test.from)}          open loop: one step ahead`);
  const head = ['RMSE', 'MAE', 'MAPE %', 'sMAPE %'].map((h) => h.padStart(9)).join('');
  lines.push(`${''.padEnd(24)}${head}    ${head}`);
  const row = (name: string, a: Metrics, b: Metrics) => `${name.padEnd(24)}${[a.rmse, a.mae, a.mape, a.smape].map((v) => num(v)).join('')}    ${[b.rmse, b.mae, b.mape, b.smape].map((v) => num(v)).join('')}`;
  lines.push(row(r.kind === 'ar' ? 'AR' : r.kind.toUpperCase(), run.scores.closed.model, run.scores.open.model));
  lines.push(row('naive', run.scores.closed.naive, run.scores.open.naive));
  lines.push(row(`seasonal naive (S=${run.seasonalPeriod})`, run.scores.closed.seasonalNaive, run.scores.open.seasonalNaive));
  const best = run.scores[r.loop];
  const beats = best.model.rmse < Math.min(best.naive.rmse, best.seasonalNaive.rmse);
  lines.push(`${r.loop} loop: RMSE ${num(best.model.rmse, 0).trim()} against naive ${num(best.naive.rmse, 0).trim()} and seasonal naive ${num(best.seasonalNaive.rmse, 0).trim()}${beats ? ': beats both' : ''}`);
  if (run.forecast.length) {
    lines.push('');
    lines.push(`forecast  ${run.forecast.length} steps past the end (closed loop): ${r.futureDates[0]} … ${r.futureDates[run.forecast.length - 1]}`);
    for (let i = 0; i < run.forecast.length; i += 6) {
      lines.push(`          ${Array.from(run.forecast.subarray(i, i + 6), (v, j) => `${r.futureDates[i + j]} ${num(v, 0).trim()}`).join('   ')}`);
    }
  }
  if (r.saved) lines.push(`saved     ${r.saved}`);
  if (r.plot) lines.push(`plot      ${r.plot}`);
  return `${lines.join('\n')}\n`;
}

export function forecastChart(r: ForecastReport): string {
  const { run, info } = r;
  const s = info.series;
  const n = s.y.length;
  const idx = (from: number, len: number) => Array.from({ length: len }, (_, i) => from + i);
  const pred = r.loop === 'open' ? run.test.open : run.test.closed;
  const base = r.loop === 'open' ? run.test.baselines.open : run.test.baselines.closed;
  const name = r.kind === 'ar' ? 'AR' : r.kind.toUpperCase();
  const other = r.loop === 'open' ? run.test.closed : run.test.open;
  const otherLoop = r.loop === 'open' ? 'closed' : 'open';
  const start = Math.max(0, n - (r.plotLast ?? n));
  const part = (from: number, v: ArrayLike<number>) => {
    const skip = Math.max(0, start - from);
    return { x: idx(from + skip, Math.max(0, v.length - skip)), y: Array.prototype.slice.call(v, skip) as number[] };
  };
  const series: Series[] = [
    { label: `${s.target} (actual)`, ...part(0, s.y), color: '#333333', width: 1.5 },
    { label: `${name} fit (one step, in sample)`, ...part(run.fitted.from, run.fitted.values), color: '#76b7b2', width: 1.3 },
    { label: `${name} on the test part (${otherLoop} loop)`, ...part(run.test.from, other), color: '#f28e2b', width: 1.3 },
    { label: `${name} on the test part (${r.loop} loop)`, ...part(run.test.from, pred), color: '#e15759', width: 2.2 },
    { label: `seasonal naive (S=${run.seasonalPeriod}, ${r.loop})`, ...part(run.test.from, base.seasonalNaive), color: '#9c755f', dashed: true },
  ];
  if (run.forecast.length) {
    series.push({ label: `${name} forecast (closed loop)`, x: idx(n - 1, run.forecast.length + 1), y: [s.y[n - 1]!, ...run.forecast], color: '#4e79a7', width: 2.2 });
  }
  const allDates = info.dates ? [...info.dates, ...r.futureDates] : undefined;
  const shade = [{ from: Math.max(start, run.test.from) - 0.5, to: n - 0.5, label: 'held out (test)', color: '#fdebd3' }];
  const sizes = splitSizes(run.split);
  if (sizes.val > 0 && !run.forecaster.ar && run.test.from > start) {
    shade.unshift({ from: Math.max(start, run.split.trainEnd) - 0.5, to: run.test.from - 0.5, label: 'validation', color: '#eef3f8' });
  }
  const m = run.scores[r.loop];
  return lineChart({
    title: `${info.name}: ${describe(run.forecaster)}`,
    subtitle: `test RMSE ${m.model.rmse.toPrecision(4)} (${r.loop} loop) · naive ${m.naive.rmse.toPrecision(4)} · seasonal naive ${m.seasonalNaive.rmse.toPrecision(4)}`,
    xLabel: info.dateColumn ?? 't', yLabel: s.target, series, shade,
    xTicks: allDates ? dateTicks(allDates, 12).filter((t) => t.v >= start) : undefined,
    width: 980, height: 460,
  });
}

// ------------------------------------------------------------------------------------------------
// the k-step experiment

export interface KStepReport {
  info: DataInfo & { series: { target: string; y: Float64Array } };
  options: ModelOptions;
  split: Split;
  result: KStepResult;
  backend: string;
}

export function kstepJson(r: KStepReport, plot: string | undefined): Record<string, unknown> {
  const k = r.result;
  return {
    model: r.options.kind, data: r.info.name, column: r.info.series.target, split: splitSizes(r.split), testFrom: k.from,
    kstep: k.ks.map((h, i) => ({
      k: h, closed: metricsJson(k.closed[i]!.metrics), open: metricsJson(k.open[i]!.metrics), openDelays: k.open[i]!.delays, naive: metricsJson(k.naive[i]!),
    })),
    metrics: metricsJson(k.closed[0]!.metrics),
    baselines: { naive: metricsJson(k.naive[0]!) },
    forecast: [],
    backend: r.options.kind === 'ar' ? 'float64 least squares' : r.backend,
    ...(plot ? { plot } : {}),
  };
}

export function kstepText(r: KStepReport, plot: string | undefined): string {
  const k = r.result;
  const z = splitSizes(r.split);
  const lines = [
    `data      ${r.info.name}: "${r.info.series.target}", ${r.info.series.y.length} values; train ${z.train} · validation ${z.val} · test ${z.test}`,
    `model     ${r.options.kind === 'ar' ? `AR lags ${JSON.stringify(r.options.lags)}` : `NARX feedback delays ${ranges(r.options.feedbackDelays)}, hidden ${r.options.hiddenLayers.join(',')}`}`,
    `k-step-ahead RMSE on the test part (${k.actual.length} targets):`,
    `${'k'.padStart(5)}${'closed loop (iterated)'.padStart(26)}${'open loop (direct)'.padStart(22)}${'naive y(t-k)'.padStart(16)}`,
    ...k.ks.map((h, i) => `${String(h).padStart(5)}${num(k.closed[i]!.metrics.rmse, 26)}${num(k.open[i]!.metrics.rmse, 22)}${num(k.naive[i]!.rmse, 16)}`),
  ];
  if (plot) lines.push(`plot      ${plot}`);
  return `${lines.join('\n')}\n`;
}

export function kstepChart(r: KStepReport): string {
  const k = r.result;
  const errors = lineChart({
    title: `${r.info.name}: error against horizon k`,
    subtitle: `RMSE over the ${k.actual.length} test values; the closed loop iterates one one-step model, the open loop trains a direct model per k`,
    xLabel: 'k, steps ahead', yLabel: 'RMSE', xLog: true,
    xTicks: k.ks.map((h) => ({ v: h, label: String(h) })),
    series: [
      { label: 'closed loop (iterated one-step model)', x: k.ks, y: k.closed.map((c) => c.metrics.rmse), markers: true, color: '#e15759' },
      { label: 'open loop (direct k-step model)', x: k.ks, y: k.open.map((c) => c.metrics.rmse), markers: true, color: '#4e79a7' },
      { label: 'naive y(t−k)', x: k.ks, y: k.naive.map((m) => m.rmse), markers: true, dashed: true, color: '#9c755f' },
    ],
    yMin: 0, width: 900, height: 380, legendWidth: 270,
  });
  const x = Array.from({ length: k.actual.length }, (_, i) => k.from + i);
  const preds = lineChart({
    title: 'closed-loop k-step-ahead predictions (d2l §9.1)',
    xLabel: 't', yLabel: r.info.series.target,
    series: [
      { label: 'actual', x, y: k.actual, color: '#bbbbbb', width: 1.2 },
      ...k.ks.map((h, i) => ({ label: `${h}-step closed loop`, x, y: k.closed[i]!.predictions, width: 1.6, color: ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2'][i % 6] })),
    ],
    width: 900, height: 380, legendWidth: 270,
  });
  return stackVertically([errors, preds]);
}
