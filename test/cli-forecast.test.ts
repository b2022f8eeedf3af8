// recur forecast as a user runs it: the JSON object's keys, AR coefficients equal to statsmodels'
// AutoReg through the command line (sunspots, and a series that is not in the repository), save and
// load, plots, the k-step experiment, and bad input: one line on stderr and exit 1.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ROOT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'recur-forecast-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function recur(...args: string[]) {
  const r = spawnSync(process.execPath, [`${ROOT}bin/recur.js`, 'forecast', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
// the JSON is checked key by key below, so it is read loosely here
type Json = Record<string, any>;
function json(...args: string[]): Json {
  const r = recur(...args, '--json');
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as Json;
}
const fixture = JSON.parse(readFileSync(`${ROOT}src/timeseries/testdata/ar-statsmodels.json`, 'utf8')) as {
  sunspots: { lags: number[]; trend: string; params: number[] }[]; synthetic: { values: number[]; fits: { lags: number[]; trend: string; params: number[] }[] };
};
const close = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) <= 1e-8 * Math.abs(b[i]!));

test('default run: airline passengers, AR; the JSON object has model, metrics, baselines, forecast and coefficients', () => {
  const j = json('--log', '--lags', '13');
  for (const key of ['model', 'metrics', 'baselines', 'forecast', 'coefficients', 'byLoop', 'test', 'split']) assert.ok(key in j, key);
  assert.equal(j.model, 'ar');
  assert.equal(j.data, 'airline');
  assert.deepEqual(j.split, { train: 108, val: 12, test: 24 });
  assert.equal(j.coefficients.length, 14);
  assert.deepEqual(j.coefficientNames.slice(0, 2), ['intercept', 'lag 1']);
  for (const key of ['rmse', 'mae', 'mape', 'smape']) assert.equal(typeof j.metrics[key], 'number');
  assert.ok(j.metrics.rmse < j.baselines.seasonalNaive.rmse, 'AR(13) on log values beats seasonal naive on the last 24 months');
  assert.equal(j.forecast.length, 24);
  assert.deepEqual(j.forecast[0].date, '1961-01');
  assert.equal(j.test.length, 24);
  assert.equal(j.test[0].date, '1959-01');
});

test('AR through the CLI equals AutoReg: sunspots by file path, p = 1…12, trend c and n, and a lag list', () => {
  for (const f of fixture.sunspots) {
    const lags = f.lags.length === Math.max(...f.lags) ? String(f.lags.length) : f.lags.join(',');
    if (![1, 7, 12].includes(f.lags.length) && lags.includes(',') === false) continue; // a few orders keep the test fast
    const j = json('--model', 'ar', '--data', join(ROOT, 'data', 'sunspots.csv'), '--column', 'SUNACTIVITY', '--lags', lags, '--trend', f.trend);
    assert.ok(close(j.coefficients, f.params), `lags ${lags} trend ${f.trend}: ${j.coefficients} vs ${f.params}`);
  }
});

test('AR through the CLI on a CSV that is not in the repository (no header, no date column)', () => {
  const file = join(dir, 'synthetic.csv');
  writeFileSync(file, `${fixture.synthetic.values.map((v) => v.toPrecision(17)).join('\n')}\n`);
  for (const f of fixture.synthetic.fits) {
    const j = json('--model', 'ar', '--data', file, '--column', '1', '--lags', '5', '--trend', f.trend);
    assert.ok(close(j.coefficients, f.params), `trend ${f.trend}`);
  }
});

test('bad input: one line on stderr and exit 1 (missing value, short series, unknown file); a bad option exits 2', () => {
  const file = join(dir, 'gap.csv');
  writeFileSync(file, 'date,value\n2020-01-01,1\n2020-01-02,2\n2020-01-03,NA\n2020-01-04,4\n');
  const one = (r: ReturnType<typeof recur>, re: RegExp) => {
    assert.equal(r.code, 1, r.err);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err, re);
    assert.equal(r.out, '');
  };
  one(recur('--data', file), /missing value in column "value" at row 3 \(line 4, date 2020-01-03\)/);
  const short = join(dir, 'short.csv');
  writeFileSync(short, 'y\n1\n2\n4\n3\n5\n6\n');
  one(recur('--data', short, '--lags', '3', '--test', '1'), /too short/);
  one(recur('--data', join(dir, 'nope.csv')), /no such file/);
  one(recur('--data', 'narma10', '--model', 'narx', '--horizon', '5', '--epochs', '1'), /exogenous inputs.*future values/);
  const usage = recur('--model', 'arima');
  assert.equal(usage.code, 2);
  assert.match(usage.err, /--model: expected one of ar, narx, tdnn, rnn, gru, lstm, got "arima"/);
});

test('--interpolate fills the gap and says so; --save and --load give the same scores; --plot writes an SVG', () => {
  const file = join(dir, 'gap2.csv');
  const rows = Array.from({ length: 60 }, (_, t) => `${2000 + t},${t === 30 ? '' : (10 + Math.sin(t / 3) * 5 + t * 0.1).toFixed(3)}`);
  writeFileSync(file, `year,value\n${rows.join('\n')}\n`);
  const save = join(dir, 'm.safetensors'), plot = join(dir, 'p.svg');
  const a = json('--data', file, '--interpolate', '--model', 'narx', '--lags', '3', '--hidden', '4', '--epochs', '20', '--test', '10', '--val', '5', '--save', save, '--plot', plot);
  assert.deepEqual(a.interpolated, [{ column: 'value', row: 31 }]);
  assert.equal(a.forecast[0].date, '2060');
  const b = json('--data', file, '--interpolate', '--load', save, '--test', '10', '--val', '5');
  assert.deepEqual(b.metrics, a.metrics);
  assert.deepEqual(b.forecast, a.forecast);
  const svg = readFileSync(plot, 'utf8');
  assert.ok(svg.startsWith('<svg') && svg.includes('held out (test)') && svg.trim().endsWith('</svg>'));
});

test('--loop chooses which predictions metrics reports; both loops are always in byLoop; exogenous inputs work', () => {
  const args = ['--data', 'narma10', '--length', '600', '--model', 'narx', '--input-delays', '10', '--feedback-delays', '10', '--hidden', '8', '--epochs', '5'];
  const open = json(...args, '--loop', 'open');
  const closed = json(...args);
  assert.deepEqual(open.exog, ['u']);
  assert.deepEqual(open.metrics, open.byLoop.open.model);
  assert.deepEqual(closed.metrics, closed.byLoop.closed.model);
  assert.deepEqual(open.byLoop, closed.byLoop);
  assert.deepEqual(open.forecast, []);
});

test('--kstep: the k-step table for closed (iterated) and open (direct) loops', () => {
  const j = json('--data', 'sine', '--model', 'ar', '--lags', '4', '--test', '400', '--val', '100', '--kstep', '1,4,16');
  assert.deepEqual(j.kstep.map((r: { k: number }) => r.k), [1, 4, 16]);
  assert.deepEqual(j.kstep[2].openDelays, [16, 17, 18, 19]);
  assert.equal(j.kstep[0].closed.rmse, j.kstep[0].open.rmse); // k = 1: the same model, one step
  assert.ok(j.kstep[2].closed.rmse > j.kstep[0].closed.rmse);
});
