// Line charts with uPlot: a fixed x series and named y series, appended to as training goes, with a
// log or linear y axis. Long runs are thinned (every other point) to keep redraws cheap.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { logTicks } from '../../src/charts/ticks.js';
import { has, onLangChange, t } from './i18n';

export const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#9c755f'];

export interface SeriesSpec { label: string; color?: string; dash?: number[]; points?: boolean; width?: number }

/** Title and axis labels are dictionary keys; a series label is one if the dictionary has it, else shown as is. */
export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: SeriesSpec[];
  yLog?: boolean;
  height?: number;
  /** Series drawn as isolated points (e.g. validation): never thinned away. */
  sparse?: number[];
}

const MAX_POINTS = 4000;
const label = (s: string): string => (has(s) ? t(s) : s);

/** Log-axis ticks: recur's logTicks (src/charts), a tick at every decade (labels thinned to ~6);
 *  1, 2, 5 per decade over a range of two decades or less. */
function logSplits(_u: uPlot, _axis: number, min: number, max: number): number[] {
  if (!(min > 0 && max > min)) return [];
  const inside = (v: number) => v >= min * 0.999 && v <= max * 1.001;
  const t = logTicks(min, max, 6);
  if (Math.log10(max / min) <= 2) return [...t.major.map((m) => m.v), ...t.minor.filter((v) => /^[25]/.test(String(v)))].filter(inside).sort((a, b) => a - b);
  return t.major.map((m) => m.v).filter(inside);
}
/** The labels of logSplits: every decade's label unless more than ~6 show (then every k-th). uPlot
 *  passes null for a split it has dropped. */
function logValues(_u: uPlot, splits: (number | null)[]): (string | null)[] {
  const decades = splits.filter((v): v is number => v !== null && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-6);
  const every = Math.max(1, Math.ceil(decades.length / 6));
  return splits.map((v) => {
    if (v === null) return null;
    const k = Math.round(Math.log10(v));
    const decade = Math.abs(Math.log10(v) - k) < 1e-6;
    if (decade && k % every !== 0) return '';
    return tick(v);
  });
}
const tick = (v: number) => (v >= 0.01 && v < 1e5 ? String(+v.toPrecision(3)) : v.toExponential(0).replace('e+', 'e'));

/** A y axis as wide as its longest tick label (uPlot draws the axis label in its own strip beside
 *  it): the label never overlaps the ticks, as "12,345" ran into "tokens/s" at a fixed width. */
function axisSize(_u: uPlot, values: string[] | null): number {
  const longest = Math.max(1, ...(values ?? []).map((v) => String(v ?? '').length));
  return Math.ceil(longest * 7.2 + 22); // 12px digits are ~6.7px wide; 10px tick + gap
}

export class LineChart {
  readonly plot: uPlot;
  private data: (number | null)[][];
  private readonly spec: ChartSpec;
  private pending = false;
  private readonly resize: ResizeObserver;

  constructor(el: HTMLElement, spec: ChartSpec) {
    this.spec = spec;
    this.data = [[], ...spec.series.map(() => [])];
    const width = Math.max(280, el.clientWidth || 400);
    this.plot = new uPlot({
      title: t(spec.title), width, height: spec.height ?? 220, legend: { live: false },
      scales: { x: { time: false }, y: spec.yLog ? { distr: 3, log: 10 } : {} },
      axes: [{ label: t(spec.xLabel) }, { label: t(spec.yLabel), size: axisSize, labelGap: 4, ...(spec.yLog ? { splits: logSplits, values: logValues, filter: (_u: uPlot, s: number[]) => s } : {}) }],
      series: [
        { label: t(spec.xLabel) },
        ...spec.series.map((s, i) => ({
          label: label(s.label), stroke: s.color ?? COLORS[i % COLORS.length], width: s.width ?? 1.5, spanGaps: true,
          ...(s.dash ? { dash: s.dash } : {}), points: { show: s.points ?? false, size: 6 },
        })),
      ],
    }, this.data as uPlot.AlignedData, el);
    this.resize = new ResizeObserver(() => {
      const w = el.clientWidth;
      if (w > 0 && Math.abs(w - this.plot.width) > 2) this.plot.setSize({ width: w, height: spec.height ?? 220 });
    });
    this.resize.observe(el);
    this.unlisten = onLangChange(() => this.relabel());
  }

  private readonly unlisten: () => void;

  /** The labels again, in the language now chosen (uPlot draws axis labels on its canvas). */
  private relabel(): void {
    const root = this.plot.root;
    const title = root.querySelector('.u-title');
    if (title) title.textContent = t(this.spec.title);
    this.plot.axes[0]!.label = t(this.spec.xLabel);
    this.plot.axes[1]!.label = t(this.spec.yLabel);
    const names = [t(this.spec.xLabel), ...this.spec.series.map((s) => label(s.label))];
    root.querySelectorAll('.u-legend .u-series').forEach((row, i) => { const l = row.querySelector('.u-label'); if (l && names[i] !== undefined) l.textContent = names[i]!; });
    this.plot.redraw(false, true);
  }

  destroy(): void {
    this.unlisten();
    this.resize.disconnect();
    this.plot.destroy();
  }

  /** Append a point: x and one value per series (null: none at this x; ≤ 0 on a log axis: none). */
  push(x: number, ys: (number | null)[]): void {
    this.data[0]!.push(x);
    ys.forEach((y, i) => this.data[i + 1]!.push(this.clean(y)));
    if (this.data[0]!.length > MAX_POINTS) this.thin();
    this.redraw();
  }

  /** Set series i's value at the last x equal to `x` (a late value, e.g. validation). */
  setAt(x: number, i: number, y: number): void {
    const xs = this.data[0]!;
    for (let j = xs.length - 1; j >= 0; j--) {
      if (xs[j] === x) { this.data[i + 1]![j] = this.clean(y); this.redraw(); return; }
      if (xs[j]! < x) break;
    }
    this.push(x, this.spec.series.map((_, k) => (k === i ? y : null)));
  }

  /** Replace everything: xs and one array per series. */
  set(xs: number[], ys: (number | null)[][]): void {
    this.data = [xs, ...ys.map((s) => s.map((y) => this.clean(y)))];
    this.plot.setData(this.data as uPlot.AlignedData);
  }

  clear(): void { this.set([], this.spec.series.map(() => [])); }

  get length(): number { return this.data[0]!.length; }

  private clean(y: number | null): number | null {
    return y === null || !Number.isFinite(y) || (this.spec.yLog && y <= 0) ? null : y;
  }

  private thin(): void {
    const keep = (j: number) => j % 2 === 0 || j === this.data[0]!.length - 1 || (this.spec.sparse ?? []).some((i) => this.data[i + 1]![j] !== null);
    this.data = this.data.map((s) => s.filter((_, j) => keep(j)));
  }

  /** At most one redraw per animation frame. */
  private redraw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.plot.setData(this.data as uPlot.AlignedData); });
  }
}
