// Axis ticks: nice linear steps, decades on a log axis with plain or power-of-ten labels, and x
// ticks at round dates.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dateTicks, linearTicks, logTicks, powerOfTen } from './ticks.js';

test('linearTicks: 1, 2, 2.5 or 5 × 10^k steps covering the range, labels with the step\'s decimals', () => {
  const t = linearTicks(0.3, 9.6, 5);
  assert.deepEqual(t.major.map((m) => m.v), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual([t.lo, t.hi], [0, 10]);
  assert.deepEqual(linearTicks(0, 1, 4).major.map((m) => m.label), ['0.00', '0.25', '0.50', '0.75', '1.00']);
  assert.deepEqual(linearTicks(-3, 3, 3).major.map((m) => m.label), ['-4', '-2', '0', '2', '4']);
  assert.equal(linearTicks(0, 4e6, 2).major[1]!.label, '2.0e6');
  const empty = linearTicks(5, 5); // an empty range is widened
  assert.ok(empty.lo <= 5 && empty.hi > 5 && empty.major.length > 1);
});

test('logTicks: decades covering the range; plain labels near 1, powers of ten beyond; minor ticks when few decades show', () => {
  const t = logTicks(0.03, 40);
  assert.deepEqual(t.major.map((m) => m.label), ['0.01', '0.1', '1', '10', '100']);
  assert.deepEqual([t.lo, t.hi], [0.01, 100]);
  assert.equal(t.minor.length, 4 * 8);
  const wide = logTicks(1e-12, 1e3);
  assert.ok(wide.major.filter((m) => m.label !== '').length <= 9, 'at most ~8 labels');
  assert.equal(wide.major[0]!.label, '10⁻¹²');
  assert.deepEqual(wide.minor, []);
  // a tick at every decade, even over 20 of them (the labels thinned, never the ticks)
  const twenty = logTicks(1e-20, 1);
  assert.deepEqual(twenty.major.map((m) => Math.round(Math.log10(m.v))), Array.from({ length: 22 }, (_, i) => i - 21));
  assert.deepEqual(twenty.major.filter((m) => m.label !== '').map((m) => m.label), ['10⁻²¹', '10⁻¹⁸', '10⁻¹⁵', '10⁻¹²', '10⁻⁹', '10⁻⁶', '10⁻³', '10⁰']);
  assert.equal(logTicks(1e-20, 1, 30).major.filter((m) => m.label !== '').length, 21, 'room for 30 labels: every decade labelled');
  assert.equal(powerOfTen(-5), '10⁻⁵');
  assert.equal(powerOfTen(12), '10¹²');
  assert.deepEqual(logTicks(0, 0).major.map((m) => m.v), [0.1, 1]); // nothing positive: a default decade
});

test('dateTicks: Januaries for monthly dates, round years for numeric ones, else every so many', () => {
  const months = Array.from({ length: 36 }, (_, i) => `${1949 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);
  assert.deepEqual(dateTicks(months), [{ v: 0, label: '1949' }, { v: 12, label: '1950' }, { v: 24, label: '1951' }]);
  assert.deepEqual(dateTicks(months, 2).map((t) => t.label), ['1949', '1951']);
  const years = Array.from({ length: 21 }, (_, i) => String(1995 + i));
  assert.deepEqual(dateTicks(years, 4), [{ v: 0, label: '1995' }, { v: 5, label: '2000' }, { v: 10, label: '2005' }, { v: 15, label: '2010' }, { v: 20, label: '2015' }]);
  assert.deepEqual(dateTicks(['a', 'b', 'c', 'd', 'e'], 2), [{ v: 0, label: 'a' }, { v: 3, label: 'd' }]);
  assert.deepEqual(dateTicks([]), []);
});

test('linearTicks: tiny (1e-298), denormal and overflowing ranges give labels, not a RangeError', () => {
  const tiny = linearTicks(0, 1e-298);
  assert.deepEqual(tiny.major.map((m) => m.label), ['0', '2.0e-299', '4.0e-299', '6.0e-299', '8.0e-299', '1.0e-298']);
  assert.deepEqual(linearTicks(-1e-300, 1e-300).major.map((m) => m.label), ['-1.0e-300', '-5.0e-301', '0', '5.0e-301', '1.0e-300']);
  // a span that underflows to 0 or overflows to Infinity: the two ends
  assert.deepEqual(linearTicks(0, 5e-324).major.map((m) => m.v), [0, 5e-324]);
  // a span that overflows, split into round steps all the same
  assert.deepEqual(linearTicks(-1e308, 1e308).major.map((m) => m.label), ['-1.0e308', '-5.0e307', '0', '5.0e307', '1.0e308']);
});

/** Ticks whose range and values are finite, with hi > lo (and lo > 0 on a log axis). */
function assertFinite(t: ReturnType<typeof linearTicks>, what: string, log = false): void {
  const where = `${what}: ${JSON.stringify(t)}`;
  assert.ok(Number.isFinite(t.lo) && Number.isFinite(t.hi) && t.hi > t.lo && (!log || t.lo > 0), where);
  assert.ok(t.major.length >= 1 && [...t.major.map((m) => m.v), ...t.minor].every((v) => Number.isFinite(v) && (!log || v > 0)), where);
  assert.ok(t.major.every((m) => !/NaN|Infinity/.test(m.label)), where);
}

test('ticks at the ends of what a double holds: finite ranges and ticks, never 10^309 = Infinity or 10^-324 = 0', () => {
  // 1e308 + 1 is 1e308: an empty range is widened by a fraction of the value instead
  for (const v of [1e308, -1e308, Number.MAX_VALUE, -Number.MAX_VALUE, 1e17]) assertFinite(linearTicks(v, v), `linearTicks(${v}, ${v})`);
  assert.ok(linearTicks(Number.MAX_VALUE, Number.MAX_VALUE).lo < Number.MAX_VALUE);
  // steps of 5e307: the third one is 1.5e308, 3 × 5e307 is fine but 2 × 1e308 is not
  assertFinite(linearTicks(-1.04e308, 1.04e308), 'linearTicks(±1.04e308)');
  assertFinite(linearTicks(-Number.MAX_VALUE, Number.MAX_VALUE), 'linearTicks(±MAX_VALUE)');
  assertFinite(linearTicks(0, 3e-324), 'linearTicks(0, 3e-324)');
  assertFinite(linearTicks(1e-320, 4e-320), 'linearTicks(1e-320, 4e-320)');
  // log: 10^309 overflows, 10^-324 underflows; equal huge values have a decade below them
  assertFinite(logTicks(1, 1.7e308), 'logTicks(1, 1.7e308)', true);
  assertFinite(logTicks(5e-324, 1e-300), 'logTicks(5e-324, 1e-300)', true);
  assertFinite(logTicks(5e-324, 1.7e308), 'logTicks(5e-324, 1.7e308)', true);
  assertFinite(logTicks(1e308, 1e308), 'logTicks(1e308, 1e308)', true);
  assertFinite(logTicks(Number.MAX_VALUE, 0), 'logTicks(MAX_VALUE, 0)', true);
  assert.deepEqual(logTicks(1e308, 1e308).major.map((m) => m.label), ['10³⁰⁷', '10³⁰⁸']);
  assert.equal(logTicks(5e-324, 1e-300).lo, 10 ** -323);
});
