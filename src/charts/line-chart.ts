/**
 * @module charts/line-chart
 * A line chart as standalone SVG text, with no browser, DOM or dependency: several series (solid or
 * dashed, with or without a dot at each point) on linear or log axes, a legend, horizontal and
 * vertical reference lines, shaded x spans (e.g. the held-out part of a series) and x ticks that can
 * carry labels of their own (dates). Small on purpose: axes, ticks, grid, title, labels, legend and
 * the data, nothing else.
 *
 * Non-finite values (and, on a log axis, values ≤ 0) break a line instead of bending it; values
 * outside the axis range are clipped at the plot's edge.
 */
import { CHAR_WIDTH, escapeXml, fmt, hash, paletteColor, svgOpen } from './svg.js';
import { linearTicks, logTicks, nonEmptyRange, type Tick, type Ticks } from './ticks.js';

export interface Series {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Default: the palette's colour for the series' place in the list. */
  color?: string | undefined;
  dashed?: boolean | undefined;
  /** Stroke width in pixels (default 2). */
  width?: number | undefined;
  /** A dot at every point. */
  markers?: boolean | undefined;
}

export interface LineChartOptions {
  title: string;
  subtitle?: string | undefined;
  xLabel: string;
  yLabel: string;
  series: Series[];
  xLog?: boolean | undefined;
  yLog?: boolean | undefined;
  /** Axis limits; by default the data's range. Both are then widened to whole ticks (whole decades
   *  on a log axis), except an x axis with custom ticks. */
  xMin?: number | undefined;
  xMax?: number | undefined;
  yMin?: number | undefined;
  yMax?: number | undefined;
  /** Where the x ticks go and what they say (e.g. dateTicks); default: nice numbers, or decades. */
  xTicks?: Tick[] | undefined;
  /** Where the y ticks go (the axis then spans yMin…yMax, or the data, unwidened), e.g. to give
   *  both axes of a square plot the same ticks. */
  yTicks?: Tick[] | undefined;
  /** Horizontal reference lines, e.g. a baseline loss. */
  hlines?: { y: number; label: string }[] | undefined;
  /** Vertical reference lines, e.g. the forecast origin. */
  vlines?: { x: number; label: string }[] | undefined;
  /** Shaded x spans, e.g. the held-out test part (default colour a light grey). */
  shade?: { from: number; to: number; label: string; color?: string | undefined }[] | undefined;
  width?: number | undefined;
  height?: number | undefined;
  /** Appended to the label of a log axis (default " (log scale)"; a page in another language passes its own). */
  logNote?: string | undefined;
  /** Pixels kept right of the plot for the legend; default: fitted to the labels, and none for a
   *  single series with nothing else to name. */
  legendWidth?: number | undefined;
}

interface Axis {
  lo: number;
  hi: number;
  log: boolean;
  ticks: Ticks;
}

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

const REFERENCE = 'stroke="#777" stroke-dasharray="2 4" stroke-width="1.5"';
const VERTICAL = 'stroke="#777" stroke-dasharray="3 3"';
const DASH = ' stroke-dasharray="7 4"';
const SHADE = '#eeeeee';

/** A line chart as an SVG document. */
export function lineChart(o: LineChartOptions): string {
  const width = o.width ?? 760;
  const height = o.height ?? 440;
  const legendWidth = o.legendWidth ?? fittedLegendWidth(o);
  const top = o.subtitle ? 62 : 46;
  const plotHeight = height - top - 52;
  const { x, y } = dataRange(o);
  const ya = yAxis(o, y[0], y[1], plotHeight);
  // room for the widest y tick label, then the rotated axis label: the two never overlap
  const widest = Math.max(0, ...ya.ticks.major.map((t) => t.label.length));
  const left = Math.max(74, Math.ceil(40 + CHAR_WIDTH * widest));
  const p: Box = { left, top, width: width - left - 20 - legendWidth, height: plotHeight };
  const xa = xAxis(o, x[0], x[1], p.width);
  const sx = scale(xa, p.left, p.width, false);
  const sy = scale(ya, p.top, p.height, true);

  const out = svgOpen(width, height, o.title, o.subtitle);
  out.push(`<defs><clipPath id="CLIP_ID"><rect x="${p.left}" y="${p.top}" width="${p.width}" height="${p.height}"/></clipPath></defs>`);
  for (const s of o.shade ?? []) {
    const x0 = Math.max(p.left, sx(s.from)), x1 = Math.min(p.left + p.width, sx(s.to));
    if (x1 > x0) out.push(`<rect x="${fmt(x0)}" y="${p.top}" width="${fmt(x1 - x0)}" height="${p.height}" fill="${s.color ?? SHADE}"/>`);
  }
  out.push(...axes(xa, ya, sx, sy, p));
  out.push(`<text x="${p.left + p.width / 2}" y="${height - 12}" text-anchor="middle">${escapeXml(o.xLabel)}${o.xLog ? escapeXml(o.logNote ?? ' (log scale)') : ''}</text>`);
  out.push(`<text transform="translate(18 ${p.top + p.height / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}${o.yLog ? escapeXml(o.logNote ?? ' (log scale)') : ''}</text>`);

  // reference lines and data
  out.push('<g clip-path="url(#CLIP_ID)">');
  for (const h of o.hlines ?? []) {
    if (!Number.isFinite(h.y) || (o.yLog && h.y <= 0)) continue;
    out.push(`<line x1="${p.left}" x2="${p.left + p.width}" y1="${fmt(sy(h.y))}" y2="${fmt(sy(h.y))}" ${REFERENCE}/>`);
  }
  for (const v of o.vlines ?? []) {
    if (!Number.isFinite(v.x) || (o.xLog && v.x <= 0)) continue;
    out.push(`<line x1="${fmt(sx(v.x))}" x2="${fmt(sx(v.x))}" y1="${p.top}" y2="${p.top + p.height}" ${VERTICAL}/>`);
  }
  o.series.forEach((s, i) => {
    const color = s.color ?? paletteColor(i);
    for (const run of runs(s, o)) {
      const pts = run.map(([px, py]) => [fmt(sx(px)), fmt(sy(py))] as const);
      if (pts.length > 1) {
        out.push(`<polyline points="${pts.map(([a, b]) => `${a},${b}`).join(' ')}" fill="none" stroke="${color}" stroke-width="${s.width ?? 2}" stroke-linejoin="round"${s.dashed ? DASH : ''}/>`);
      }
      if (s.markers) for (const [a, b] of pts) out.push(`<circle cx="${a}" cy="${b}" r="3" fill="${color}"/>`);
      else if (pts.length === 1) out.push(`<circle cx="${pts[0]![0]}" cy="${pts[0]![1]}" r="2.5" fill="${color}"/>`);
    }
  });
  out.push('</g>');
  if (legendWidth > 0) out.push(...legend(o, p.left + p.width + 16, p.top + 8));
  out.push('</svg>');
  // a clip-path id unique to this chart's content, so that charts inlined in one page stay apart
  const text = `${out.join('\n')}\n`;
  return text.replaceAll('CLIP_ID', `clip-${hash(text)}`);
}

/** Room for the longest legend label; none when there is one series and nothing else to name. */
function fittedLegendWidth(o: LineChartOptions): number {
  const others = [...(o.shade ?? []), ...(o.hlines ?? []), ...(o.vlines ?? [])];
  if (o.series.length <= 1 && others.length === 0) return 0;
  const longest = Math.max(0, ...[...o.series, ...others].map((e) => e.label.length));
  return Math.min(320, 34 + CHAR_WIDTH * longest);
}

/** The range of everything drawn: the drawable points, the reference lines and the shaded spans. */
function dataRange(o: LineChartOptions): { x: [number, number]; y: [number, number] } {
  const x: [number, number] = [Infinity, -Infinity], y: [number, number] = [Infinity, -Infinity];
  const add = (r: [number, number], v: number, log: boolean | undefined): void => {
    if (Number.isFinite(v) && (!log || v > 0)) { r[0] = Math.min(r[0], v); r[1] = Math.max(r[1], v); }
  };
  for (const s of o.series) for (const run of runs(s, o)) for (const [px, py] of run) { add(x, px, o.xLog); add(y, py, o.yLog); }
  for (const h of o.hlines ?? []) add(y, h.y, o.yLog);
  for (const v of o.vlines ?? []) add(x, v.x, o.xLog);
  for (const s of o.shade ?? []) { add(x, s.from, o.xLog); add(x, s.to, o.xLog); }
  return { x, y };
}

/** The x axis: the data's range, with custom ticks as given; else widened to whole decades on a log
 *  axis, or to whole nice ticks (so training steps 20…200 read from 0). */
function xAxis(o: LineChartOptions, lo: number, hi: number, length: number): Axis {
  const log = o.xLog === true;
  if (!Number.isFinite(lo)) [lo, hi] = log ? [1, 10] : [0, 1];
  lo = o.xMin ?? lo;
  hi = o.xMax ?? hi;
  if (!(hi > lo)) [lo, hi] = log ? [lo, Math.min(lo * 10, Number.MAX_VALUE)] : nonEmptyRange(lo, hi);
  if (o.xTicks) return { lo, hi, log, ticks: { lo, hi, major: o.xTicks, minor: [] } };
  const t = log ? logTicks(lo, hi) : linearTicks(lo, hi, Math.max(2, Math.floor(length / 80)));
  return { lo: t.lo, hi: t.hi, log, ticks: t };
}

/** The y axis: decades on a log axis; else the data's range with a little room, widened to nice
 *  ticks, starting at 0 rather than below it when the data are ≥ 0. */
function yAxis(o: LineChartOptions, lo: number, hi: number, length: number): Axis {
  const log = o.yLog === true;
  if (!Number.isFinite(lo)) [lo, hi] = log ? [0.1, 10] : [0, 1];
  lo = o.yMin ?? lo;
  hi = o.yMax ?? hi;
  if (o.yTicks) {
    [lo, hi] = log && !(hi > lo) ? [lo, lo * 10] : log ? [lo, hi] : nonEmptyRange(lo, hi);
    return { lo, hi, log, ticks: { lo, hi, major: o.yTicks, minor: [] } };
  }
  if (log) {
    const t = logTicks(lo, hi);
    return { lo: t.lo, hi: t.hi, log, ticks: t };
  }
  if (hi === lo) { lo -= 1; hi += 1; }
  [lo, hi] = nonEmptyRange(lo, hi); // 1e308 ± 1 is 1e308
  // pad = 2% of hi − lo, as 0.02·hi − 0.02·lo (hi − lo overflows for ±1e308), the padded ends kept finite
  const pad = 0.02 * hi - 0.02 * lo;
  const below = Math.max(lo - pad, -Number.MAX_VALUE), above = Math.min(hi + pad, Number.MAX_VALUE);
  const from = o.yMin ?? (lo >= 0 && below < 0 ? 0 : below);
  const t = linearTicks(from, o.yMax ?? above, Math.max(2, Math.floor(length / 55)));
  return { lo: t.lo, hi: t.hi, log, ticks: t };
}

/** Data → pixels along an axis that starts at `start` and runs `length` pixels (upwards if `up`). */
function scale(a: Axis, start: number, length: number, up: boolean): (v: number) => number {
  // (t(v) − lo) / (t(hi) − lo), with every term halved when the span overflows (an axis of ±1e308)
  const half = !a.log && !Number.isFinite(a.hi - a.lo) ? 0.5 : 1;
  const t = a.log ? Math.log10 : (v: number): number => v * half;
  const lo = t(a.lo), span = t(a.hi) - lo || 1;
  // a value far outside the axis stays a span beyond its edge: a line leaves the plot visibly, and
  // 1e308 on an axis up to 10 is a finite pixel
  const at = (v: number): number => Math.min(2, Math.max(-1, (t(v) - lo) / span)) * length;
  return up ? (v) => start + length - at(v) : (v) => start + at(v);
}

/** Grid lines, the plot's frame, and the ticks with their labels (ticks outside the axis left out). */
function axes(xa: Axis, ya: Axis, sx: (v: number) => number, sy: (v: number) => number, p: Box): string[] {
  const inside = (a: Axis) => (v: number): boolean => v >= a.lo - 1e-9 * Math.abs(a.hi - a.lo) && v <= a.hi + 1e-9 * Math.abs(a.hi - a.lo);
  const inX = inside(xa), inY = inside(ya);
  const right = p.left + p.width, bottom = p.top + p.height;
  const grid: string[] = [];
  const labels: string[] = [];
  for (const v of ya.ticks.minor.filter(inY)) grid.push(`<line x1="${p.left}" x2="${right}" y1="${fmt(sy(v))}" y2="${fmt(sy(v))}" stroke="#f0f0f0"/>`);
  for (const v of xa.ticks.minor.filter(inX)) grid.push(`<line x1="${fmt(sx(v))}" x2="${fmt(sx(v))}" y1="${p.top}" y2="${bottom}" stroke="#f4f4f4"/>`);
  for (const t of ya.ticks.major.filter((t) => inY(t.v))) {
    const y = fmt(sy(t.v));
    grid.push(`<line x1="${p.left}" x2="${right}" y1="${y}" y2="${y}" stroke="#dddddd"/>`);
    labels.push(`<line x1="${p.left - 5}" x2="${p.left}" y1="${y}" y2="${y}" stroke="#333"/>`);
    if (t.label) labels.push(`<text x="${p.left - 8}" y="${y}" dy="4" text-anchor="end">${escapeXml(t.label)}</text>`);
  }
  for (const t of xa.ticks.major.filter((t) => inX(t.v))) {
    const x = fmt(sx(t.v));
    grid.push(`<line x1="${x}" x2="${x}" y1="${p.top}" y2="${bottom}" stroke="#eeeeee"/>`);
    labels.push(`<line x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 5}" stroke="#333"/>`);
    if (t.label) labels.push(`<text x="${x}" y="${bottom + 19}" text-anchor="middle">${escapeXml(t.label)}</text>`);
  }
  return [...grid, `<rect x="${p.left}" y="${p.top}" width="${p.width}" height="${p.height}" fill="none" stroke="#333"/>`, ...labels];
}

/** The legend, top left of (x, y): the series, then the shaded spans, then the reference lines. */
function legend(o: LineChartOptions, x: number, y: number): string[] {
  const out: string[] = [];
  const entry = (sample: string, label: string): void => {
    out.push(sample, `<text x="${x + 28}" y="${y}" dy="4">${escapeXml(label)}</text>`);
    y += 20;
  };
  o.series.forEach((s, i) => {
    const color = s.color ?? paletteColor(i);
    const dot = s.markers ? `<circle cx="${x + 11}" cy="${y}" r="3" fill="${color}"/>` : '';
    entry(`<line x1="${x}" x2="${x + 22}" y1="${y}" y2="${y}" stroke="${color}" stroke-width="2.5"${s.dashed ? DASH : ''}/>${dot}`, s.label);
  });
  for (const s of o.shade ?? []) entry(`<rect x="${x}" y="${y - 7}" width="22" height="14" fill="${s.color ?? SHADE}" stroke="#bbb"/>`, s.label);
  for (const h of o.hlines ?? []) entry(`<line x1="${x}" x2="${x + 22}" y1="${y}" y2="${y}" ${REFERENCE}/>`, h.label);
  for (const v of o.vlines ?? []) entry(`<line x1="${x + 11}" x2="${x + 11}" y1="${y - 8}" y2="${y + 8}" ${VERTICAL}/>`, v.label);
  return out;
}

/** The drawable stretches of a series: consecutive points with finite x and y (> 0 on a log axis). */
function runs(s: Series, o: LineChartOptions): [number, number][][] {
  const out: [number, number][][] = [];
  let cur: [number, number][] = [];
  const n = Math.min(s.x.length, s.y.length);
  for (let i = 0; i < n; i++) {
    const x = s.x[i]!, y = s.y[i]!;
    if (Number.isFinite(x) && Number.isFinite(y) && (!o.xLog || x > 0) && (!o.yLog || y > 0)) cur.push([x, y]);
    else if (cur.length) { out.push(cur); cur = []; }
  }
  if (cur.length) out.push(cur);
  return out;
}
