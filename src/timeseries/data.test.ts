// CSV loading (headers, quoting, missing values named by row and column, interpolation), the
// chronological split and normalization, and the metrics and baselines checked by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecurError } from '../errors.js';
import { extendDates, interpolateGaps, parseCsv, seriesFromTable } from './csv.js';
import { chronologicalSplit, denormalizeTarget, fitNormalization, normalizeTarget } from './data.js';
import { mackeyGlass, narendraLi, narma10, sine } from './generators.js';
import { dominantPeriod, metrics, oneStepBaselines, originBaselines } from './metrics.js';

const load = (text: string, o: Parameters<typeof seriesFromTable>[1] = {}) => seriesFromTable(parseCsv(text, 'f.csv'), o, 'f.csv');

test('CSV: header, date column kept, target by name or position, quoted fields, CRLF, BOM', () => {
  const s = load('\ufeffMonth,"Sales, units",Price\r\n2020-01,10,1.5\r\n2020-02,"12",1.25\r\n\r\n2020-03,15,1\r\n', { column: 'Sales, units', exog: ['Price'] });
  assert.deepEqual(Array.from(s.y), [10, 12, 15]);
  assert.deepEqual(Array.from(s.exog!), [1.5, 1.25, 1]);
  assert.deepEqual(s.dates, ['2020-01', '2020-02', '2020-03']);
  assert.equal(s.dateColumn, 'Month');
  assert.equal(load('a,b\n1,2\n3,4\n').column, 'b');                         // default: the last column
  assert.deepEqual(Array.from(load('a,b\n1,2\n3,4\n', { column: '1' }).y), [1, 3]); // 1-based position
  const pandas = load(',value\n0,1.5\n1,2.5\n', { column: 'value' }); // pandas' to_csv with its index
  assert.deepEqual(Array.from(pandas.y), [1.5, 2.5]);
  const headerless = load('1,2\n3,4\n');
  assert.deepEqual(Array.from(headerless.y), [2, 4]);
  assert.equal(headerless.dates, undefined);
});

test('CSV: a missing or non-numeric value is an error naming its row, column and line; --interpolate fills it', () => {
  const text = 'Month,Passengers\n1949-01,112\n1949-02,\n1949-03,132\n1949-04,abc\n1949-05,121\n';
  assert.throws(() => load(text), (e: Error) => e instanceof RecurError &&
    e.message === 'f.csv: missing value in column "Passengers" at row 2 (line 3, Month 1949-02); fix the file or pass --interpolate to fill gaps linearly');
  assert.throws(() => load('a,b\n1,2\n3,x7\n'), /non-numeric value "x7" in column "b" at row 2 \(line 3\)/);
  const s = load(text, { interpolate: true });
  assert.deepEqual(Array.from(s.y), [112, 122, 132, 126.5, 121]);
  assert.deepEqual(s.filled, [{ column: 'Passengers', row: 2 }, { column: 'Passengers', row: 4 }]);
  const v = Float64Array.from([NaN, 1, NaN, NaN, 4, NaN]);
  interpolateGaps(v);
  assert.deepEqual(Array.from(v), [1, 1, 2, 3, 4, 4]); // ends take the nearest value
});

test('CSV: structural errors are one clear line', () => {
  assert.throws(() => load(''), /the file is empty/);
  assert.throws(() => load('a,b\n'), /header but no data rows/);
  assert.throws(() => load('a,b\n1,2\n3\n'), /line 3 has 1 field, expected 2 \(a, b\)/);
  assert.throws(() => load('a,a\n1,2\n'), /names column "a" twice/);
  assert.throws(() => load('a,b\n1,2\n', { column: 'c' }), /--column "c": no such column; the columns are "a", "b"/);
  assert.throws(() => load('a,b\n1,"2\n'), /never closed/);
  assert.throws(() => load('a,b\n1,2\n', { column: 'b', exog: ['b'] }), /target column itself/);
});

test('dates past the end: months, years, days, plain steps', () => {
  assert.deepEqual(extendDates(['1960-11', '1960-12'], 3), ['1961-01', '1961-02', '1961-03']);
  assert.deepEqual(extendDates(['2007', '2008'], 2), ['2009', '2010']);
  assert.deepEqual(extendDates(['2024-02-27', '2024-02-28'], 2), ['2024-02-29', '2024-03-01']);
  assert.deepEqual(extendDates(undefined, 2), ['+1', '+2']);
});

test('split is chronological and checked; normalization is fitted on the training part and inverts', () => {
  assert.deepEqual(chronologicalSplit(144, 24, 12), { n: 144, trainEnd: 108, valEnd: 120 });
  assert.throws(() => chronologicalSplit(10, 6, 3), /leaves 1 to train on/);
  const y = [1, 2, 3, 4, 100];
  const nz = fitNormalization(y, undefined, 0, 4, false, true, 'y');
  assert.equal(nz.target.mean, 2.5);
  assert.ok(Math.abs(nz.target.std - Math.sqrt(1.25)) < 1e-15);
  const back = denormalizeTarget(normalizeTarget(y, nz, 'y'), nz);
  y.forEach((v, i) => assert.ok(Math.abs(back[i]! - v) < 1e-12));
  const lz = fitNormalization([1, Math.E, Math.E ** 2], undefined, 0, 3, true, true, 'y');
  assert.ok(Math.abs(lz.target.mean - 1) < 1e-15);
  assert.throws(() => fitNormalization([1, 0, 2], undefined, 0, 3, true, true, 'y'), /--log needs every value > 0, got 0 at row 2/);
});

test('metrics by hand: RMSE, MAE, MAPE, sMAPE, NRMSE', () => {
  const m = metrics([2, 4, 6, 8], [3, 3, 6, 10]);      // errors 1, −1, 0, 2
  assert.ok(Math.abs(m.rmse - Math.sqrt(6 / 4)) < 1e-15);
  assert.equal(m.mae, 1);
  assert.ok(Math.abs(m.mape! - 100 * (1 / 2 + 1 / 4 + 0 + 2 / 8) / 4) < 1e-12);
  assert.ok(Math.abs(m.smape - 100 * (2 / 5 + 2 / 7 + 0 + 4 / 18) / 4) < 1e-12);
  assert.ok(Math.abs(m.nrmse - Math.sqrt(6 / 4) / Math.sqrt(5)) < 1e-12);  // std of 2,4,6,8 = √5
  assert.equal(metrics([0, 1], [0, 2]).mape, null);
  assert.equal(metrics([0, 1], [0, 2]).smape, 100 * (0 + 2 / 3) / 2);
});

test('baselines by hand: one step (y_{t−1}, y_{t−S}) and from an origin (last value, last season repeated)', () => {
  const y = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const one = oneStepBaselines(y, 6, 10, 3);
  assert.deepEqual(Array.from(one.naive), [6, 7, 8, 9]);
  assert.deepEqual(Array.from(one.seasonalNaive), [4, 5, 6, 7]);
  const h = originBaselines(y, 6, 4, 3);            // known: y[0..5] = 1..6
  assert.deepEqual(Array.from(h.naive), [6, 6, 6, 6]);
  assert.deepEqual(Array.from(h.seasonalNaive), [4, 5, 6, 4]);
  const seasonal = Array.from({ length: 120 }, (_, t) => Math.sin((2 * Math.PI * t) / 12) + 0.01 * t);
  assert.equal(dominantPeriod(seasonal, 40), 12);
});

test('generators: seeded, the right shapes and ranges', () => {
  assert.deepEqual(sine(50, 3).columns.x, sine(50, 3).columns.x);
  assert.notDeepEqual(sine(50, 3).columns.x, sine(50, 4).columns.x);
  const mg = mackeyGlass(500).columns.x;
  assert.ok(Math.min(...mg) > 0.2 && Math.max(...mg) < 1.5, 'Mackey-Glass stays in (0.2, 1.5)');
  const n = narma10(1000, 1);
  assert.equal(n.columns.y!.length, 1000);
  assert.ok(Math.max(...n.columns.u!) <= 0.5 && Math.min(...n.columns.u!) >= 0);
  assert.ok(Math.max(...n.columns.y!) < 1.5);
  // NARMA-10 holds exactly: y_{t+1} = 0.3 y_t + 0.05 y_t Σ y_{t−i} + 1.5 u_{t−9} u_t + 0.1
  const { u, y } = n.columns as { u: Float64Array; y: Float64Array };
  for (const t of [20, 500, 998]) {
    let s = 0; for (let i = 0; i < 10; i++) s += y[t - i]!;
    assert.ok(Math.abs(y[t + 1]! - (0.3 * y[t]! + 0.05 * y[t]! * s + 1.5 * u[t - 9]! * u[t]! + 0.1)) < 1e-12);
  }
  assert.ok(narendraLi(300, 2).columns.y!.every(Number.isFinite));
});
