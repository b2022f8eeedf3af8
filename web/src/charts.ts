// Line charts with uPlot: a fixed x series and named y series, appended to as training goes, with a
// log or linear y axis. Long runs are thinned (every other point) to keep redraws cheap.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#9c755f'];

export interface SeriesSpec { label: string; color?: string; dash?: number[]; points?: boolean; width?: number }

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

/** Log-axis ticks: 1, 2, 5 per decade over a short range; whole decades (every k-th) over a long one. */
function logSplits(_u: uPlot, _axis: number, min: number, max: number): number[] {
  if (!(min > 0 && max > min)) return [];
  const lo = Math.floor(Math.log10(min)), hi = Math.ceil(Math.log10(max));
  const mantissas = hi - lo <= 2 ? [1, 2, 5] : [1];
  const every = Math.max(1, Math.ceil((hi - lo) / 8));
  const out: number[] = [];
  for (let e = lo; e <= hi; e += every) for (const m of mantissas) { const v = m * 10 ** e; if (v >= min * 0.999 && v <= max * 1.001) out.push(v); }
  return out;
}
const tick = (v: number) => (v >= 0.01 && v < 1e5 ? String(+v.toPrecision(3)) : v.toExponential(0).replace('e+', 'e'));

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
      title: spec.title, width, height: spec.height ?? 220, legend: { live: false },
      scales: { x: { time: false }, y: spec.yLog ? { distr: 3, log: 10 } : {} },
      axes: [{ label: spec.xLabel }, { label: spec.yLabel, size: 60, ...(spec.yLog ? { splits: logSplits, values: (_u: uPlot, v: (number | null)[]) => v.map((x) => (x === null ? null : tick(x))) } : {}) }],
      series: [
        { label: spec.xLabel },
        ...spec.series.map((s, i) => ({
          label: s.label, stroke: s.color ?? COLORS[i % COLORS.length], width: s.width ?? 1.5, spanGaps: true,
          ...(s.dash ? { dash: s.dash } : {}), points: { show: s.points ?? false, size: 6 },
        })),
      ],
    }, this.data as uPlot.AlignedData, el);
    this.resize = new ResizeObserver(() => {
      const w = el.clientWidth;
      if (w > 0 && Math.abs(w - this.plot.width) > 2) this.plot.setSize({ width: w, height: spec.height ?? 220 });
    });
    this.resize.observe(el);
  }

  destroy(): void {
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
