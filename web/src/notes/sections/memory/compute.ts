// The memory section's numbers: `recur forecast` on airline passengers, sunspots or NARMA10 with an
// AR, NARX or TDNN model, scored on the held-out end one step ahead (open loop: true past values in
// the inputs) and as a free run from the test's start (closed loop: the model's own outputs fed
// back), beside the naive and seasonal-naive baselines. The same options as the CLI's defaults, made
// explicit in the command; pure, so test/web/memory-cli.test.ts compares it with the CLI's JSON.
import { jsKernels, RecurError } from '../../../../../src/index.js';
import {
  chronologicalSplit, DEFAULT_FIT, dominantPeriod, narma10, parseCsv, runForecast, seriesFromTable, sizeOf, type ModelOptions, type SeriesInput,
} from '../../../../../src/timeseries/index.js';
import { integerIn } from '../../check.js';

export type MemoryData = 'airline' | 'sunspots' | 'narma10';
export type MemoryModel = 'ar' | 'narx' | 'tdnn';

/** The figure's settings. */
export interface MemoryParams {
  [key: string]: number | string | boolean;
  data: MemoryData;
  model: MemoryModel;
  /** Model log y (multiplicative seasonality, as airline passengers). */
  log: boolean;
  /** Training epochs (NARX, TDNN). */
  epochs: number;
  seed: number;
}

/** The shipped CSV series as text (the worker fetches them; the tests read them from data/). */
export interface MemoryTexts { airline: string; sunspots: string }

/** As `recur forecast`: the CSV file, its columns, seasonal period, test and validation sizes. */
const SHIPPED = {
  airline: { file: 'airline-passengers.csv', column: 'Passengers', date: 'Month', period: 12, test: 24, val: 12 },
  sunspots: { file: 'sunspots.csv', column: 'SUNACTIVITY', date: 'YEAR', period: 11, test: 0.2, val: 0.1 },
} as const;

/** What the figure draws. */
export interface MemoryResult {
  seasonalPeriod: number;
  split: { train: number; val: number; test: number };
  /** The last values before the test part (for context), then the test part. */
  history: { from: number; values: number[] };
  test: { from: number; actual: number[]; open: number[]; closed: number[]; naive: number[]; seasonalNaive: number[]; naiveOpen: number[]; seasonalNaiveOpen: number[] };
  rmse: { open: number; closed: number; naiveOpen: number; seasonalNaiveOpen: number; naiveClosed: number; seasonalNaiveClosed: number };
  /** Running RMSE over steps 1…h from the test's start, h = 1 … test size. */
  running: { closed: number[]; open: number[]; naive: number[]; seasonalNaive: number[] };
  /** The horizon where the closed loop falls apart: the first h at which its running RMSE is more
   *  than twice the open loop's over the same steps — feeding back its own outputs has doubled the
   *  error. null: it never is, over the test part. */
  breakdown: number | null;
  description: string;
  training: { epochs: number; bestEpoch: number } | null;
}

/** The series and its split, as the CLI reads them. */
export function memorySeries(p: MemoryParams, texts: MemoryTexts): { series: SeriesInput; test: number; val: number; period: number | undefined } {
  if (p.data === 'narma10') {
    const g = narma10(undefined, p.seed);
    const y = g.columns[g.target]!;
    const exogNames = p.model === 'ar' ? [] : g.exog; // neural models read u, as the CLI's default
    const exog = exogNames.length ? Float64Array.from(g.columns[exogNames[0]!]!) : undefined;
    return { series: { target: g.target, y, exogNames, exog }, test: sizeOf(0.2, y.length), val: sizeOf(0.1, y.length), period: undefined };
  }
  const s = SHIPPED[p.data];
  if (!s) throw new RecurError(`data: expected airline, sunspots or narma10, got ${String(p.data)}`);
  const table = parseCsv(texts[p.data], p.data);
  const col = seriesFromTable(table, { column: s.column, exog: undefined, date: s.date, interpolate: false }, p.data);
  const n = col.y.length;
  return { series: { target: col.column, y: col.y, exogNames: [], exog: undefined }, test: sizeOf(s.test, n), val: sizeOf(s.val, n), period: s.period };
}

/** The model options `recur forecast` takes for this data and model (its defaults, spelled out). */
export function memoryOptions(p: MemoryParams, S: number): ModelOptions {
  const seasonal = S > 1 && S <= 52;
  const delays = seasonal ? Math.ceil(S / 2) : 4;
  const layers = p.model === 'tdnn' ? 2 : 1;
  const field = p.model === 'tdnn' ? 1 + layers * delays : 0;
  const window = Math.max(seasonal ? 2 * S : 16, field + 4);
  const feedback = seasonal ? S + 1 : 4;
  return {
    kind: p.model, log: p.log, lags: 0, trend: 'c', ic: p.model === 'ar' ? 'aic' : undefined, maxLag: seasonal ? 2 * S : 12,
    inputDelays: [0, 1, 2], // --input-delays 2 (used only with exogenous inputs: NARMA10's u)
    feedbackDelays: Array.from({ length: feedback }, (_, i) => i + 1), hiddenLayers: [10],
    hidden: 32, layers, window, delays, burnIn: p.model === 'tdnn' ? Math.min(window - 1, field - 1) : Math.floor(window / 4), mode: 'seq2seq',
    fit: { ...DEFAULT_FIT, epochs: p.epochs, seed: p.seed },
  };
}

/** The seasonal period: the shipped series' own, else the dominant one before the test part. */
function period(series: SeriesInput, valEnd: number, shipped: number | undefined): number {
  return shipped ?? dominantPeriod(series.y.subarray(0, valEnd), Math.min(400, Math.floor(valEnd / 2)));
}

/** The closed loop "falls apart" where its error is this many times the open loop's. */
export const BREAKDOWN = 2;

const rmse = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s / a.length);
};
/** √(mean of (a − b)² over the first h), for h = 1 … n. */
const runningRmse = (a: ArrayLike<number>, b: ArrayLike<number>): number[] => {
  let s = 0;
  return Array.from({ length: a.length }, (_, i) => { s += (a[i]! - b[i]!) ** 2; return Math.sqrt(s / (i + 1)); });
};

/** Check the settings a page (or a hand-edited URL) may send. */
function check(p: MemoryParams): void {
  if (!['airline', 'sunspots', 'narma10'].includes(p.data)) throw new RecurError(`data: expected airline, sunspots or narma10, got ${String(p.data)}`);
  if (!['ar', 'narx', 'tdnn'].includes(p.model)) throw new RecurError(`model: expected ar, narx or tdnn, got ${String(p.model)}`);
  integerIn(p.epochs, 'epochs', 1, 500);
  integerIn(p.seed, 'seed', 0);
}

/** Fit and score as `recur forecast … --backend js` does, and measure the closed loop's horizon. */
export function computeMemory(p: MemoryParams, texts: MemoryTexts): MemoryResult {
  check(p);
  const { series, test, val, period: shipped } = memorySeries(p, texts);
  const split = chronologicalSplit(series.y.length, test, val);
  const S = period(series, split.valEnd, shipped);
  const run = runForecast(series, memoryOptions(p, S), split, S, 0, jsKernels('float32'));
  const T = run.test;
  const actual = Array.from(T.actual), open = Array.from(T.open), closed = Array.from(T.closed);
  const b = T.baselines;
  const running = {
    closed: runningRmse(actual, closed), open: runningRmse(actual, open),
    naive: runningRmse(actual, b.closed.naive), seasonalNaive: runningRmse(actual, b.closed.seasonalNaive),
  };
  const at = running.closed.findIndex((v, h) => v > BREAKDOWN * running.open[h]!);
  const from = Math.max(0, split.valEnd - 3 * Math.max(S, 12));
  const f = run.forecaster;
  return {
    seasonalPeriod: S, split: { train: split.trainEnd, val: split.valEnd - split.trainEnd, test: split.n - split.valEnd },
    history: { from, values: Array.from(series.y.subarray(from, split.valEnd)) },
    test: {
      from: split.valEnd, actual, open, closed,
      naive: Array.from(b.closed.naive), seasonalNaive: Array.from(b.closed.seasonalNaive),
      naiveOpen: Array.from(b.open.naive), seasonalNaiveOpen: Array.from(b.open.seasonalNaive),
    },
    rmse: {
      open: rmse(actual, open), closed: rmse(actual, closed), naiveOpen: rmse(actual, b.open.naive), seasonalNaiveOpen: rmse(actual, b.open.seasonalNaive),
      naiveClosed: rmse(actual, b.closed.naive), seasonalNaiveClosed: rmse(actual, b.closed.seasonalNaive),
    },
    running, breakdown: at < 0 ? null : at + 1,
    description: f.config.ar ? `AR(${f.config.ar.lags.length ? Math.max(...f.config.ar.lags) : 0})` : f.config.kind.toUpperCase(),
    training: run.training ? { epochs: run.training.epochs, bestEpoch: run.training.bestEpoch } : null,
  };
}

/** The command line printing the same numbers. */
export function memoryCommand(p: MemoryParams): string {
  const neural = p.model !== 'ar';
  return ['recur forecast', `--data ${p.data}`, `--model ${p.model}`, p.log ? '--log' : '', p.data === 'narma10' || neural ? `--seed ${p.seed}` : '',
    neural ? `--epochs ${p.epochs} --backend js` : '', '--json'].filter(Boolean).join(' ');
}
