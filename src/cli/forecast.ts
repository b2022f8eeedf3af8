/**
 * @module cli/forecast
 * `recur forecast`: fit a time-series model (AR, NARX, TDNN, RNN/GRU/LSTM) on a series, score it on
 * the held-out end in open and closed loop beside the naive and seasonal-naive baselines, forecast
 * past the end, and optionally plot, save, or run d2l's k-step experiment. Airline passengers by
 * default.
 */
import { existsSync } from 'node:fs';
import { RecurError } from '../errors.js';
import { serializeSafetensors } from '../format/safetensors.js';
import type { Kernels } from '../kernels/types.js';
import type { InformationCriterion, Trend } from '../timeseries/ar.js';
import { extendDates, parseCsv, seriesFromTable } from '../timeseries/csv.js';
import { chronologicalSplit, sizeOf } from '../timeseries/data.js';
import { GENERATORS, type GeneratorName } from '../timeseries/generators.js';
import { dominantPeriod } from '../timeseries/metrics.js';
import { FORECAST_KINDS, type ForecastKind } from '../timeseries/model.js';
import { loadForecaster, forecasterFile } from '../timeseries/model-file.js';
import { evaluate, forecastAfter, runForecast, type ForecastRun, type ModelOptions, type SeriesInput } from '../timeseries/pipeline.js';
import { kStepExperiment } from '../timeseries/kstep.js';
import { DEFAULT_FIT } from '../timeseries/trainer.js';
import { parseOptions, UsageError } from './args.js';
import { BACKEND_OPTIONS, backendFromOptions } from './backend.js';
import { DATA_DIR } from './datasets.js';
import { checkOutputFile, MAX_TEXT, readBytes, readSafetensors, writeAll, writeAtomic } from './files.js';
import { checkSize, choiceOption, intOption, numberOption } from './numbers.js';
import { forecastChart, forecastJson, forecastText, kstepChart, kstepJson, kstepText, type DataInfo } from './forecast-output.js';

export const FORECAST_USAGE = `usage: recur forecast [options]

data      --data airline|sunspots|sine|mackey-glass|narma10|narendra-li|FILE.csv (default airline)
          --column C (default: the last column)  --exog C1,C2 (exogenous inputs; narma10, narendra-li: u)
          --date C (default: a first column named like a date, or not numeric)  --interpolate (fill
          missing or non-numeric values linearly instead of failing)  --length N  --seed S (generated series)
split     --test N|FRACTION (airline 24, else 0.2)  --val N|FRACTION (neural models, early stopping;
          airline 12, else 0.1; AR fits on train + val)   chronological: train | val | test
model     --model ar|narx|tdnn|rnn|gru|lstm (default ar)  --log (model log y: multiplicative seasonality)
  ar      --lags P | L1,L2,... (P = lags 1..P; a list uses only those lags; the coefficients are the
          intercept first, then one per lag in the order given)  --trend c|n (intercept or not; c)
          --ic aic|bic|hqic --max-lags M (choose P in 0..M on the part before the test; the default
          when --lags is absent)
  narx    --input-delays K | D1,D2,... (K = 0..K; default 2)  --feedback-delays K | D1,... (K = 1..K;
          default S+1 for a seasonal period S <= 52, else 4; --lags is an alias)  --hidden H[,H2...] (10)
  rnn gru lstm tdnn   --hidden H (32)  --layers L (rnn 1, tdnn 2)  --window W (steps per sample; 2S or 16)
          --mode seq2seq|seq2one  --burn-in N (seq2seq steps without loss; W/4)  --delays K (tdnn, per layer)
training  --epochs N (200)  --batch B (32)  --lr X (0.01, cosine to X/10)  --clip X (1)  --weight-decay X
          --patience N (30 epochs without a better validation error; 0 = off)  --seed S (0)
output    --horizon N (steps forecast past the end, closed loop; default the test size, 0 with --exog)
          --loop open|closed (which predictions of the test part 'metrics' reports; closed = a free run
          from the test's start, open = one step ahead from true values; both are always computed)
          --seasonal-period S (the seasonal-naive baseline; airline 12, sunspots 11, sine 628, else detected)
          --kstep K1,K2,... (d2l's k-step experiment on the test part: closed-loop iterated vs open-loop
          direct models; ar and narx)  --json  --plot out.svg (history, fit, test part, forecast)  --plot-last N
          (draw the last N values only)  --save model.safetensors  --load model.safetensors (score and
          forecast with a saved model; no training)
kernels   --backend auto|native|wasm-relaxed-simd|wasm-simd|js (neural models; AR is float64 least squares)`;

const OPTIONS = {
  data: { type: 'string' }, column: { type: 'string' }, exog: { type: 'string' }, date: { type: 'string' },
  interpolate: { type: 'boolean' }, length: { type: 'string' }, seed: { type: 'string' },
  test: { type: 'string' }, val: { type: 'string' },
  model: { type: 'string' }, log: { type: 'boolean' },
  lags: { type: 'string' }, trend: { type: 'string' }, ic: { type: 'string' }, 'max-lags': { type: 'string' },
  'input-delays': { type: 'string' }, 'feedback-delays': { type: 'string' }, hidden: { type: 'string' },
  layers: { type: 'string' }, window: { type: 'string' }, mode: { type: 'string' }, 'burn-in': { type: 'string' }, delays: { type: 'string' },
  epochs: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' }, clip: { type: 'string' },
  'weight-decay': { type: 'string' }, patience: { type: 'string' },
  horizon: { type: 'string' }, loop: { type: 'string' }, 'seasonal-period': { type: 'string' }, kstep: { type: 'string' },
  json: { type: 'boolean' }, plot: { type: 'string' }, 'plot-last': { type: 'string' }, save: { type: 'string' }, load: { type: 'string' },
  ...BACKEND_OPTIONS,
} as const;

type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>;

/** Shipped series: file, target, date column, seasonal period, test and validation sizes. */
const SHIPPED: Record<string, { file: string; column: string; date: string; period: number; test: number; val: number }> = {
  airline: { file: 'airline-passengers.csv', column: 'Passengers', date: 'Month', period: 12, test: 24, val: 12 },
  sunspots: { file: 'sunspots.csv', column: 'SUNACTIVITY', date: 'YEAR', period: 11, test: 0.2, val: 0.1 },
};
const GENERATED_PERIOD: Partial<Record<GeneratorName, number>> = { sine: 628 };

export async function forecastCommand(args: string[]): Promise<number> {
  const o = parseOptions(args, OPTIONS);
  for (const [opt, path] of [['--plot', o.plot], ['--save', o.save]] as const) if (path !== undefined) checkOutputFile(path, opt); // before the work
  const loaded = o.load === undefined ? undefined : readSafetensors(o.load, '--load');
  const saved = loaded ? loadForecaster(loaded, o.load!, await backendFromOptions(o)) : undefined;
  const info = loadSeries(o, saved?.config);
  const series = info.series;
  const n = series.y.length;
  const kind: ForecastKind = saved ? saved.config.kind : choiceOption(o.model, '--model', FORECAST_KINDS, 'ar');
  if (saved && o.model !== undefined && o.model !== kind) throw new UsageError(`--model ${o.model}: the model loaded from ${o.load} is ${kind}`);
  const neural = kind !== 'ar';
  const shipped = SHIPPED[info.name];
  let test = sizeOf(numberOption(o.test, '--test', shipped?.test ?? 0.2, (v) => v > 0 && (v < 1 || Number.isSafeInteger(v)), 'a count ≥ 1 or a fraction in (0, 1)'), n);
  if (kind === 'ar' && !saved && o.test === undefined && o.lags !== undefined) {
    // a short series: hold out less by default, so that the scored fit (before the test part) has
    // as many rows as coefficients; the final fit always uses the whole series
    const lags = parseList(o.lags, '--lags', 0);
    const p = Array.isArray(lags) ? Math.max(0, ...lags) : lags ?? 0;
    const coefficients = (Array.isArray(lags) ? lags.length : p) + (o.trend === 'n' ? 0 : 1);
    test = Math.max(1, Math.min(test, n - 2 * p - coefficients));
  }
  const val = sizeOf(numberOption(o.val, '--val', shipped?.val ?? 0.1, (v) => v >= 0 && (v < 1 || Number.isSafeInteger(v)), 'a count ≥ 0 or a fraction in [0, 1)'), n);
  if (test < 1) {
    throw n < 2 ? new RecurError(`--data ${info.name}: ${n} value${n === 1 ? '' : 's'}; a forecast needs at least 2 (one to fit on, one to test)`)
      : new UsageError(`--test ${o.test ?? test}: holds out ${test} of ${n} values; hold out at least one`);
  }
  const split = chronologicalSplit(n, test, val);
  const before = series.y.subarray(0, split.valEnd);
  const S = intOption(o['seasonal-period'], '--seasonal-period', shipped?.period ?? GENERATED_PERIOD[info.name as GeneratorName] ?? dominantPeriod(before, Math.min(400, Math.floor(split.valEnd / 2))));
  const loop = choiceOption(o.loop, '--loop', ['open', 'closed'] as const, 'closed');
  const m = series.exogNames.length;
  const horizon = intOption(o.horizon, '--horizon', m > 0 ? 0 : test, 0);
  if (horizon > 0 && m > 0) throw new RecurError(`--horizon ${horizon}: a model with exogenous inputs (${series.exogNames.join(', ')}) needs their future values to forecast past the end of the data; it is scored on the held-out part instead (drop --horizon)`);
  const k: Kernels = await backendFromOptions(o);

  if (o.kstep !== undefined) {
    if (saved) throw new UsageError('--kstep trains a direct model for every k; it cannot start from --load');
    const ks = parseList(o.kstep, '--kstep', 1);
    if (!Array.isArray(ks)) throw new UsageError(`--kstep: expected a list of horizons such as 1,4,16,64, got "${o.kstep}"`);
    const options = modelOptions(o, kind, S, m);
    const r = kStepExperiment(series, options, split, ks, k);
    const out = { info, options, split, result: r, backend: k.name };
    if (o.plot !== undefined) writeAtomic(o.plot, kstepChart(out), '--plot');
    process.stdout.write(o.json ? `${JSON.stringify(kstepJson(out, o.plot))}\n` : kstepText(out, o.plot));
    return 0;
  }

  let run: ForecastRun;
  if (saved) {
    const evaluation = evaluate(saved, series, split, S);
    run = { forecaster: saved, scored: saved, ...evaluation, forecast: horizon > 0 ? forecastAfter(saved, series, horizon) : new Float64Array(0) };
  } else {
    run = runForecast(series, modelOptions(o, kind, S, m), split, S, horizon, k);
  }
  const futureDates = extendDates(info.dates, horizon);
  const report = { info, kind, loop, run, futureDates, backend: neural ? k.name : 'float64 least squares', loaded: o.load, saved: o.save, plot: o.plot,
                   plotLast: o['plot-last'] === undefined ? undefined : intOption(o['plot-last'], '--plot-last', n) };
  // the model and the plot rendered first, then written all or nothing: a failed plot leaves no model behind
  const files: { path: string; data: Uint8Array | string; option: string }[] = [];
  if (o.save !== undefined) {
    const { tensors, metadata } = forecasterFile(run.forecaster, {
      'recur.data': JSON.stringify({ data: info.name, column: series.target, exog: series.exogNames, split, seasonalPeriod: S }),
    });
    files.push({ path: o.save, data: serializeSafetensors(tensors, metadata), option: '--save' });
  }
  if (o.plot !== undefined) files.push({ path: o.plot, data: forecastChart(report), option: '--plot' });
  writeAll(files);
  process.stdout.write(o.json ? `${JSON.stringify(forecastJson(report))}\n` : forecastText(report));
  return 0;
}

/** The model's options from the command line, with defaults that depend on the seasonal period. */
function modelOptions(o: Values, kind: ForecastKind, S: number, m: number): ModelOptions {
  const seasonal = S > 1 && S <= 52;
  const ar = kind === 'ar', narx = kind === 'narx', tdnn = kind === 'tdnn', seq = !ar && !narx;
  const only = (option: string, ok: boolean, models: string) => {
    if (!ok && o[option as keyof Values] !== undefined) throw new UsageError(`--${option} applies to ${models}, not --model ${kind}`);
  };
  only('trend', ar, 'ar'); only('ic', ar, 'ar'); only('max-lags', ar, 'ar'); only('lags', ar || narx, 'ar and narx');
  only('input-delays', narx, 'narx'); only('feedback-delays', narx, 'narx');
  only('layers', seq, 'rnn, gru, lstm and tdnn'); only('window', seq, 'rnn, gru, lstm and tdnn'); only('mode', seq, 'rnn, gru, lstm and tdnn');
  only('burn-in', seq, 'rnn, gru, lstm and tdnn'); only('delays', tdnn, 'tdnn');
  for (const t of ['epochs', 'batch', 'lr', 'clip', 'weight-decay', 'patience', 'hidden']) only(t, !ar, 'the neural models');
  if (narx && o.lags !== undefined && o['feedback-delays'] !== undefined) throw new UsageError('--lags and --feedback-delays say the same for narx; give one');
  if (m > 0 && narx === false && ar) throw new UsageError('--exog: an AR model reads the target only; use --model narx or a sequence model');
  if (o['input-delays'] !== undefined && m === 0) throw new UsageError('--input-delays: there are no exogenous inputs (--exog) to delay');

  const lagsSpec = o.lags === undefined ? undefined : parseList(o.lags, '--lags', ar ? 0 : 1);
  const ic = o.ic === undefined ? (ar && lagsSpec === undefined ? 'aic' : undefined) : choiceOption(o.ic, '--ic', ['aic', 'bic', 'hqic'] as const, 'aic');
  if (ic && lagsSpec !== undefined) throw new UsageError('--lags and --ic: give the order, or let a criterion choose it, not both');
  const feedback = narx ? (parseList(o['feedback-delays'] ?? o.lags, '--feedback-delays', 1) ?? (seasonal ? S + 1 : 4)) : 4;
  const inputs = parseList(o['input-delays'], '--input-delays', 0) ?? 2;
  const hiddenList = parseList(o.hidden, '--hidden', 1);
  if (seq && Array.isArray(hiddenList)) throw new UsageError(`--hidden: a ${kind} model takes one size, got "${o.hidden}"`);
  const layers = intOption(o.layers, '--layers', tdnn ? 2 : 1);
  const delays = intOption(o.delays, '--delays', seasonal ? Math.ceil(S / 2) : 4, 0);
  const field = tdnn ? 1 + layers * delays : 0;
  const window = intOption(o.window, '--window', Math.max(seasonal ? 2 * S : 16, field + 4));
  const burnIn = intOption(o['burn-in'], '--burn-in', tdnn ? Math.min(window - 1, field - 1) : Math.floor(window / 4), 0);
  const H = Math.max(typeof hiddenList === 'number' ? hiddenList : 32, ...(Array.isArray(hiddenList) ? hiddenList : []));
  checkSize(4 * 4 * layers * H * (H + m + 3) + 6 * window * intOption(o.batch, '--batch', DEFAULT_FIT.batch) * H * layers, '--hidden, --layers, --window, --batch');
  return {
    kind, log: o.log === true,
    lags: lagsSpec ?? 0,
    trend: choiceOption(o.trend, '--trend', ['c', 'n'] as const, 'c') as Trend,
    ic: ic as InformationCriterion | undefined,
    maxLag: intOption(o['max-lags'], '--max-lags', seasonal ? 2 * S : 12),
    inputDelays: toDelays(inputs, 0),
    feedbackDelays: toDelays(feedback, 1),
    hiddenLayers: hiddenList === undefined ? [10] : Array.isArray(hiddenList) ? hiddenList : [hiddenList],
    hidden: typeof hiddenList === 'number' ? hiddenList : 32,
    layers, window, delays, burnIn,
    mode: choiceOption(o.mode, '--mode', ['seq2seq', 'seq2one'] as const, 'seq2seq'),
    fit: {
      epochs: intOption(o.epochs, '--epochs', DEFAULT_FIT.epochs),
      batch: intOption(o.batch, '--batch', DEFAULT_FIT.batch),
      lr: numberOption(o.lr, '--lr', DEFAULT_FIT.lr, (v) => v > 0, 'a number > 0'),
      clip: numberOption(o.clip, '--clip', DEFAULT_FIT.clip, (v) => v >= 0, 'a number ≥ 0 (0 = off)'),
      weightDecay: numberOption(o['weight-decay'], '--weight-decay', DEFAULT_FIT.weightDecay, (v) => v >= 0, 'a number ≥ 0'),
      patience: intOption(o.patience, '--patience', DEFAULT_FIT.patience, 0),
      seed: intOption(o.seed, '--seed', DEFAULT_FIT.seed, 0),
    },
  };
}

const toDelays = (spec: number | number[], min: 0 | 1): number[] =>
  Array.isArray(spec) ? spec : Array.from({ length: min === 0 ? spec + 1 : spec }, (_, i) => i + min);

/** "12" → 12; "1,2,9" → [1, 2, 9]. */
function parseList(v: string | undefined, option: string, min: number): number | number[] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (parts.some((s) => s === '') || nums.some((x) => !Number.isSafeInteger(x) || x < min)) {
    throw new UsageError(`${option}: expected an integer ≥ ${min} or a comma-separated list of them, got "${v}"`);
  }
  return parts.length === 1 && !v.includes(',') ? nums[0]! : nums;
}

/** The series named by --data (shipped, generated or a CSV file), with its columns. */
function loadSeries(o: Values, saved?: { target: string; exog: string[] }): DataInfo & { series: SeriesInput } {
  const data = o.data ?? 'airline';
  const exogOpt = o.exog === undefined ? undefined : o.exog.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (o.exog !== undefined && exogOpt!.length === 0) throw new UsageError('--exog: expected column names separated by commas');
  const gen = GENERATORS[data as GeneratorName];
  if (gen) {
    if (o.column !== undefined || o.date !== undefined || o.interpolate) throw new UsageError(`--column, --date and --interpolate apply to CSV files; ${data} is generated`);
    const length = intOption(o.length, '--length', 0);
    const g = gen(length > 0 ? length : undefined, intOption(o.seed, '--seed', 0, 0));
    const wantsExog = saved ? saved.exog.length > 0 : o.model !== undefined && o.model !== 'ar';
    const exogNames = saved ? saved.exog : exogOpt ?? (wantsExog ? g.exog : []);
    for (const e of exogNames) if (!g.columns[e] || e === g.target) throw new RecurError(`--exog ${e}: ${data} has the columns ${Object.keys(g.columns).join(', ')} (target ${g.target})`);
    const y = g.columns[g.target]!;
    const m = exogNames.length;
    const exog = m > 0 ? new Float64Array(y.length * m) : undefined;
    exogNames.forEach((e, j) => g.columns[e]!.forEach((v, i) => { exog![i * m + j] = v; }));
    return { name: data, generated: true, dates: undefined, dateColumn: undefined, filled: [], series: { target: g.target, y, exogNames, exog } };
  }
  if (o.length !== undefined) throw new UsageError(`--length applies to generated series (${Object.keys(GENERATORS).join(', ')})`);
  const shipped = SHIPPED[data];
  const path = shipped ? `${DATA_DIR}${shipped.file}` : data;
  if (!shipped && !existsSync(path)) {
    throw new RecurError(`--data ${data}: no such file, and not a shipped or generated series (${[...Object.keys(SHIPPED), ...Object.keys(GENERATORS)].join(', ')})`);
  }
  let text: string;
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(readBytes(path, '--data', MAX_TEXT)); } catch (e) {
    if (e instanceof RecurError) throw e;
    throw new RecurError(`--data ${data}: expected UTF-8 text, got bytes that are not valid UTF-8`);
  }
  const table = parseCsv(text, shipped ? data : path);
  const s = seriesFromTable(table, {
    column: o.column ?? saved?.target ?? shipped?.column, exog: exogOpt ?? saved?.exog, date: o.date ?? shipped?.date, interpolate: o.interpolate === true,
  }, shipped ? data : path);
  if (saved && (s.column !== saved.target || s.exogNames.join(',') !== saved.exog.join(','))) {
    throw new RecurError(`--load: the model reads column "${saved.target}"${saved.exog.length ? ` with inputs ${saved.exog.join(', ')}` : ''}, but the data gives "${s.column}"${s.exogNames.length ? ` with ${s.exogNames.join(', ')}` : ''}`);
  }
  return {
    name: data, generated: false, dates: s.dates, dateColumn: s.dateColumn, filled: s.filled,
    series: { target: s.column, y: s.y, exogNames: s.exogNames, exog: s.exog },
  };
}
