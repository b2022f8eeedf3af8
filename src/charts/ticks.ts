/**
 * @module charts/ticks
 * Where an axis's ticks go and what they say: "nice" linear ticks (1, 2, 2.5, 5 × 10^k), decade ticks
 * for a log axis (one every decade, some unlabelled when many show), and ticks at round dates for a time axis. Each returns the ticks and, where it
 * widens the range to whole ticks, the widened range.
 */

export interface Tick {
  v: number;
  label: string;
}

export interface Ticks {
  /** The range the ticks cover (at least the range asked for). */
  lo: number;
  hi: number;
  major: Tick[];
  /** Unlabelled grid lines between the major ticks (the 2…9 × 10^k of a log axis). */
  minor: number[];
}

/**
 * A range with hi > lo: an empty one (hi ≤ lo) becomes [lo, lo + 1], or, where 1 is below lo's
 * precision (|lo| ≥ 2^53, e.g. 1e308), lo and an eighth of |lo| beyond it, within ±Number.MAX_VALUE.
 */
export function nonEmptyRange(lo: number, hi: number): [number, number] {
  if (hi > lo) return [lo, hi];
  if (lo + 1 > lo) return [lo, lo + 1];
  const d = Math.abs(lo) / 8;
  return lo + d <= Number.MAX_VALUE ? [lo, lo + d] : [lo - d, lo];
}

/** Linear ticks: at most this many steps, else just the two ends. */
const MAX_STEPS = 1000;

/** About `count` ticks at 1, 2, 2.5 or 5 × 10^k covering [lo, hi] (finite). */
export function linearTicks(lo: number, hi: number, count = 6): Ticks {
  [lo, hi] = nonEmptyRange(lo, hi);
  const n = Math.max(1, count);
  // raw = (hi − lo) / n, as hi/n − lo/n: the span of ±1e308 overflows, its parts do not
  const raw = hi / n - lo / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  // a span of denormals (below 1e-307) has no exact round steps: just the two ends
  if (!(mag >= 1e-307 && Number.isFinite(lo) && Number.isFinite(hi))) return endTicks(lo, hi);
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw * 0.999) ?? 10 * mag;
  const k0 = Math.floor(lo / step + 1e-9), k1 = Math.ceil(hi / step - 1e-9); // ticks at k·step
  const first = k0 * step, last = k1 * step, steps = k1 - k0;
  // whole steps beyond ±1.8e308 (Infinity), or a count of steps that rounding made absurd: the two ends
  if (!(Number.isFinite(first) && Number.isFinite(last) && steps <= MAX_STEPS)) return endTicks(lo, hi);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (Math.abs(step / mag - 2.5) < 1e-9 ? 1 : 0));
  const major: Tick[] = [];
  for (let i = 0; i <= steps; i++) {
    const v = (k0 + i) * step;
    const r = Math.abs(v) < step * 1e-9 ? 0 : v;
    major.push({ v: r, label: formatTick(r, decimals) });
  }
  return { lo: first, hi: last, major, minor: [] };
}

function formatTick(v: number, decimals: number): string {
  if (v === 0) return decimals <= 20 ? v.toFixed(decimals) : '0';
  if (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-4) return v.toExponential(1).replace('e+', 'e');
  return v.toFixed(Math.min(decimals, 20)); // toFixed takes at most 100 digits; |v| ≥ 1e-4 needs few
}

/** Ticks at the two ends only, for a range too wide or too narrow for round steps. */
function endTicks(lo: number, hi: number): Ticks {
  const ends = [lo, hi].filter(Number.isFinite);
  return { lo, hi, major: ends.map((v) => ({ v, label: v === 0 ? '0' : v.toPrecision(3).replace('e+', 'e') })), minor: [] };
}

/** The decades a double holds: 10^-323 (a denormal; 10^-324 is 0) to 10^308 (10^309 is Infinity). */
const MIN_DECADE = -323, MAX_DECADE = 308;

/** Above this many decades a tick goes at every few decades instead of every one. */
const MAX_DECADE_TICKS = 60;

/**
 * Decade ticks 10^k covering [lo, hi] (lo > 0): a tick at every decade (up to 60 decades; beyond, at
 * whole multiples of a few), with at most `maxLabels` labels (the others' label is ''); minor ticks
 * 2…9 × 10^k when few decades show.
 */
export function logTicks(lo: number, hi: number, maxLabels = 8): Ticks {
  if (!(lo > 0)) lo = hi > 0 ? hi / 10 : 0.1;
  let a = Math.max(MIN_DECADE, Math.floor(Math.log10(lo) + 1e-12));
  let b = Math.min(MAX_DECADE, hi > lo ? Math.ceil(Math.log10(hi) - 1e-12) : a + 1);
  if (b <= a) [a, b] = a >= MAX_DECADE ? [MAX_DECADE - 1, MAX_DECADE] : [a, a + 1];
  const labelEvery = Math.max(1, Math.ceil((b - a) / Math.max(1, maxLabels)));
  const every = b - a > MAX_DECADE_TICKS ? labelEvery : 1;
  // the axis: whole multiples of the label step, within what a double holds; a tick every `every` decades
  a = Math.max(MIN_DECADE, Math.floor(a / labelEvery) * labelEvery);
  b = Math.min(MAX_DECADE, Math.ceil(b / labelEvery) * labelEvery);
  const plain = a >= -3 && b <= 4;
  const major: Tick[] = [];
  for (let k = Math.ceil(a / every) * every; k <= b; k += every) {
    major.push({ v: 10 ** k, label: k % labelEvery === 0 ? (plain ? plainDecade(k) : powerOfTen(k)) : '' });
  }
  const minor: number[] = [];
  if (b - a <= 6) for (let k = a; k < b; k++) for (let f = 2; f <= 9; f++) minor.push(f * 10 ** k);
  return { lo: 10 ** a, hi: 10 ** b, major, minor };
}

function plainDecade(k: number): string {
  return k >= 0 ? String(10 ** k) : (10 ** k).toFixed(-k);
}

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹',
};

/** 10^k as "10⁻⁵". */
export function powerOfTen(k: number): string {
  return `10${[...String(k)].map((c) => SUPERSCRIPT[c] ?? c).join('')}`;
}

/**
 * About `count` x ticks for a series indexed 0…n−1 with these dates: at Januaries labelled with the
 * year for monthly dates ("1949-01"), at round values for numeric ones (years), else every so many.
 */
export function dateTicks(dates: readonly string[], count = 8): Tick[] {
  const n = dates.length;
  if (n === 0) return [];
  if (dates.every((d) => /^\d{4}-\d{2}/.test(d))) {
    const januaries = dates.map((d, i) => ({ d, i })).filter(({ d }) => d.slice(5, 7) === '01');
    const every = Math.max(1, Math.ceil(januaries.length / count));
    return januaries.filter((_, j) => j % every === 0).map(({ d, i }) => ({ v: i, label: d.slice(0, 4) }));
  }
  const nums = dates.map(Number);
  const span = nums[n - 1]! - nums[0]!;
  if (nums.every(Number.isFinite) && span > 0) {
    const round = linearTicks(nums[0]!, nums[n - 1]!, count).major.filter((t) => t.v >= nums[0]! && t.v <= nums[n - 1]!);
    return round.map((t) => ({ v: ((t.v - nums[0]!) / span) * (n - 1), label: t.label }));
  }
  const step = Math.max(1, Math.ceil(n / count));
  return Array.from({ length: Math.ceil(n / step) }, (_, j) => ({ v: j * step, label: dates[j * step]! }));
}
