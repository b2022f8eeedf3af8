// AR against statsmodels' AutoReg (tools/timeseries/make_ar_fixtures.py writes the fixture):
// coefficients, σ², llf, AIC/BIC/HQIC on sunspots p = 1…12 with and without an intercept, a lag
// list, a seeded synthetic series, fitted values and a dynamic forecast of log airline passengers,
// and ar_select_order's choices and criteria (AR(0) included). Then the errors: singular designs and series too short.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ROOT } from '../../test/helpers.js';
import { RecurError } from '../errors.js';
import { ArModel, fitAr, selectArOrder, type Trend } from './ar.js';
import { parseCsv, seriesFromTable } from './csv.js';
import { closedLoop } from './loops.js';

interface FitFixture { lags: number[]; trend: Trend; params: number[]; sigma2: number; llf: number; aic: number; bic: number; hqic: number; nobs: number }
const fx = JSON.parse(readFileSync(`${ROOT}src/timeseries/testdata/ar-statsmodels.json`, 'utf8')) as {
  sunspots: FitFixture[]; synthetic: { values: number[]; fits: FitFixture[] };
  airlineLog: FitFixture & { fitted: number[]; forecast: number[] };
  selectOrder: { series: string; trend: Trend; ic: 'aic' | 'bic' | 'hqic'; maxLag: number; order: number;
                 table: { order: number; aic: number; bic: number; hqic: number }[] }[];
};

const column = (file: string, name: string) => seriesFromTable(parseCsv(readFileSync(`${ROOT}data/${file}`, 'utf8'), file), { column: name }, file).y;
const sunspots = column('sunspots.csv', 'SUNACTIVITY');
const airlineLog = column('airline-passengers.csv', 'Passengers').map(Math.log);

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

function check(y: ArrayLike<number>, f: FitFixture, label: string): void {
  const fit = fitAr(y, { lags: f.lags, trend: f.trend });
  assert.equal(fit.nobs, f.nobs, label);
  assert.equal(fit.params.length, f.params.length, label);
  f.params.forEach((p, i) => assert.ok(rel(fit.params[i]!, p) < 1e-8, `${label} param ${i}: ${fit.params[i]} vs ${p}`));
  for (const key of ['sigma2', 'llf', 'aic', 'bic', 'hqic'] as const) assert.ok(rel(fit[key], f[key]) < 1e-9, `${label} ${key}: ${fit[key]} vs ${f[key]}`);
}

test('AR(p), p = 1…12 and the lag list [1, 2, 9], with and without an intercept, equal AutoReg on sunspots', () => {
  assert.equal(fx.sunspots.length, 26);
  for (const f of fx.sunspots) check(sunspots, f, `sunspots lags ${f.lags.join(',')} trend ${f.trend}`);
});

test('AR on a seeded synthetic AR(3) series (not in the repository) equals AutoReg', () => {
  for (const f of fx.synthetic.fits) check(fx.synthetic.values, f, `synthetic trend ${f.trend}`);
});

test('AR(13) on log airline passengers: fitted values and a 24-step dynamic forecast equal AutoReg', () => {
  const f = fx.airlineLog;
  check(airlineLog, f, 'airline');
  const { model, fit } = ArModel.fit(airlineLog, { lags: f.lags, trend: 'c' });
  f.fitted.forEach((v, i) => assert.ok(rel(fit.fitted[i]!, v) < 1e-10, `fitted ${i}`));
  const forecast = closedLoop(model, airlineLog, undefined, airlineLog.length, 24);
  f.forecast.forEach((v, i) => assert.ok(rel(forecast[i]!, v) < 1e-9, `forecast ${i}: ${forecast[i]} vs ${v}`));
});

test('order selection by AIC, BIC and HQIC chooses what ar_select_order chooses', () => {
  const series: Record<string, ArrayLike<number>> = { sunspots, synthetic: fx.synthetic.values, airlineLog };
  for (const s of fx.selectOrder) {
    const sel = selectArOrder(series[s.series]!, s.maxLag, s.ic, s.trend);
    assert.equal(sel.order, s.order, `${s.series} ${s.trend} ${s.ic}`);
    assert.equal(sel.table.length, s.maxLag + 1);
  }
});

test('order selection: every row of the table, AR(0) included, equals ar_select_order\'s criteria', () => {
  // The chosen orders above never fall on AR(0), so a wrong AR(0) row (no intercept fitted, the
  // wrong rows, σ² not counted) would only show in the criteria themselves.
  // ar_select_order counts a candidate's parameters as OLS's df_model + 1, and df_model leaves the
  // constant out; recur counts the intercept, as AutoReg(...).fit().aic does (the fits above). With
  // trend 'c' every criterion is therefore one parameter's penalty higher: 2, log n', 2 log log n'
  // (n' = n − maxLag rows), the same for every order, so the choice is the same.
  const series: Record<string, ArrayLike<number>> = { sunspots, synthetic: fx.synthetic.values, airlineLog };
  for (const s of fx.selectOrder) {
    const y = series[s.series]!;
    const sel = selectArOrder(y, s.maxLag, s.ic, s.trend);
    assert.deepEqual(sel.table.map((r) => r.order), s.table.map((r) => r.order), `${s.series} ${s.trend}: orders`);
    const rows = y.length - s.maxLag;
    const one = s.trend === 'c' ? { aic: 2, bic: Math.log(rows), hqic: 2 * Math.log(Math.log(rows)) } : { aic: 0, bic: 0, hqic: 0 };
    s.table.forEach((want, i) => {
      for (const key of ['aic', 'bic', 'hqic'] as const) {
        const got = sel.table[i]![key];
        const expected = want[key] + one[key];
        assert.ok(rel(got, expected) < 1e-9, `${s.series} trend ${s.trend} AR(${want.order}) ${key}: ${got} vs statsmodels ${want[key]} + ${one[key]}`);
      }
    });
  }
});

test('a lag list keeps its order: coefficients come in the order the lags were given', () => {
  const a = fitAr(sunspots, { lags: [9, 1, 2], trend: 'c' });
  const b = fitAr(sunspots, { lags: [1, 2, 9], trend: 'c' });
  assert.ok(rel(a.params[0]!, b.params[0]!) < 1e-10);
  assert.ok(rel(a.params[1]!, b.params[3]!) < 1e-10);
  assert.ok(rel(a.params[2]!, b.params[1]!) < 1e-10);
});

test('errors: a constant series is a singular design, a short series says how long it must be, lags are checked', () => {
  const flat = new Float64Array(50).fill(3);
  assert.throws(() => fitAr(flat, { lags: [1, 2], trend: 'c' }), (e: Error) => e instanceof RecurError && /singular.*lag 1/.test(e.message));
  assert.throws(() => fitAr(Float64Array.from({ length: 10 }, (_, i) => i * i), { lags: [1, 2, 3, 4, 5, 6], trend: 'c' }),
    (e: Error) => e instanceof RecurError && /too short \(need at least 13 values\)/.test(e.message));
  assert.throws(() => fitAr(sunspots, { lags: [1, 1], trend: 'c' }), /listed twice/);
  assert.throws(() => fitAr(sunspots, { lags: [0], trend: 'c' }), /positive integer/);
  assert.throws(() => fitAr(sunspots, { lags: [], trend: 'n' }), /no coefficients/);
  assert.throws(() => fitAr([1, 2, NaN, 4, 5, 6], { lags: [1], trend: 'c' }), /non-finite value \(NaN\) at index 2/);
});
