/**
 * @module analysis/svg
 * Charts as standalone SVG text, with no browser, DOM or dependency: a line chart (linear or log
 * y axis, several series, legend, reference lines) and a heatmap with a log colour scale. Small on
 * purpose: every chart is axes, ticks, grid, title, labels, legend and the data, nothing else.
 *
 * Non-finite values (and, on a log axis, values ≤ 0) break a line instead of bending it; values
 * outside the axis range are clipped at the plot's edge.
 */

export interface Series {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  dashed?: boolean | undefined;
  color?: string | undefined;
}

export interface LineChartOptions {
  title: string;
  subtitle?: string | undefined;
  xLabel: string;
  yLabel: string;
  series: Series[];
  yLog?: boolean | undefined;
  /** Axis limits; by default the data's range (a log axis snaps to whole decades). */
  yMin?: number | undefined;
  yMax?: number | undefined;
  xMin?: number | undefined;
  xMax?: number | undefined;
  /** Horizontal reference lines, e.g. a baseline loss. */
  hlines?: { y: number; label: string }[] | undefined;
  width?: number | undefined;
  height?: number | undefined;
}

/** Tableau 10: distinct, and readable by most colour-blind readers. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';
const CHAR = 6.6; // average glyph width at 12px, for layout

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const fmt = (v: number): string => (Math.round(v * 100) / 100).toString();

/** A line chart as an SVG document. */
export function lineChart(o: LineChartOptions): string {
  const width = o.width ?? 760;
  const height = o.height ?? 440;
  const legendWidth = o.series.length > 1 || o.hlines?.length
    ? Math.min(320, 34 + CHAR * Math.max(...o.series.map((s) => s.label.length), ...(o.hlines ?? []).map((h) => h.label.length)))
    : 0;
  const m = { top: o.subtitle ? 62 : 46, right: 20 + legendWidth, bottom: 52, left: 74 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;

  // ranges
  let xLo = Infinity, xHi = -Infinity, yLo = Infinity, yHi = -Infinity;
  for (const s of o.series) {
    for (let i = 0; i < s.y.length; i++) {
      const x = s.x[i]!, y = s.y[i]!;
      if (!Number.isFinite(x) || !Number.isFinite(y) || (o.yLog && y <= 0)) continue;
      xLo = Math.min(xLo, x); xHi = Math.max(xHi, x);
      yLo = Math.min(yLo, y); yHi = Math.max(yHi, y);
    }
  }
  for (const h of o.hlines ?? []) if (Number.isFinite(h.y) && (!o.yLog || h.y > 0)) { yLo = Math.min(yLo, h.y); yHi = Math.max(yHi, h.y); }
  if (!Number.isFinite(xLo)) { xLo = 0; xHi = 1; }
  if (!Number.isFinite(yLo)) { yLo = o.yLog ? 0.1 : 0; yHi = o.yLog ? 10 : 1; }
  xLo = o.xMin ?? xLo; xHi = o.xMax ?? xHi;
  yLo = o.yMin ?? yLo; yHi = o.yMax ?? yHi;
  if (xHi <= xLo) xHi = xLo + 1;

  const xt = linearTicks(xLo, xHi, Math.max(2, Math.floor(pw / 80)));
  xLo = Math.min(xLo, xt.lo); xHi = Math.max(xHi, xt.hi);
  let yt: Ticks;
  if (o.yLog) {
    yt = logTicks(yLo, yHi);
  } else {
    if (yHi <= yLo) { yHi = yLo + 1; }
    yt = linearTicks(yLo, yHi, Math.max(2, Math.floor(ph / 60)));
  }
  yLo = yt.lo; yHi = yt.hi;

  const sx = (x: number): number => m.left + ((x - xLo) / (xHi - xLo)) * pw;
  const sy = o.yLog
    ? (y: number): number => m.top + ph - ((Math.log10(y) - Math.log10(yLo)) / (Math.log10(yHi) - Math.log10(yLo))) * ph
    : (y: number): number => m.top + ph - ((y - yLo) / (yHi - yLo)) * ph;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<defs><clipPath id="CLIP_ID"><rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}"/></clipPath></defs>`);
  out.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(o.title)}</text>`);
  if (o.subtitle) out.push(`<text x="${width / 2}" y="44" text-anchor="middle" fill="#555">${escapeXml(o.subtitle)}</text>`);

  // grid and ticks
  const grid: string[] = [];
  const labels: string[] = [];
  for (const v of yt.minor) grid.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${fmt(sy(v))}" y2="${fmt(sy(v))}" stroke="#f0f0f0"/>`);
  for (const t of yt.major) {
    const y = fmt(sy(t.v));
    grid.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${y}" y2="${y}" stroke="#dddddd"/>`);
    labels.push(`<line x1="${m.left - 5}" x2="${m.left}" y1="${y}" y2="${y}" stroke="#333"/>`);
    labels.push(`<text x="${m.left - 8}" y="${y}" dy="4" text-anchor="end">${escapeXml(t.label)}</text>`);
  }
  for (const t of xt.major) {
    const x = fmt(sx(t.v));
    grid.push(`<line x1="${x}" x2="${x}" y1="${m.top}" y2="${m.top + ph}" stroke="#eeeeee"/>`);
    labels.push(`<line x1="${x}" x2="${x}" y1="${m.top + ph}" y2="${m.top + ph + 5}" stroke="#333"/>`);
    labels.push(`<text x="${x}" y="${m.top + ph + 19}" text-anchor="middle">${escapeXml(t.label)}</text>`);
  }
  out.push(...grid);
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(...labels);
  out.push(`<text x="${m.left + pw / 2}" y="${height - 12}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}${o.yLog ? ' (log scale)' : ''}</text>`);

  // reference lines and data
  out.push('<g clip-path="url(#CLIP_ID)">');
  for (const h of o.hlines ?? []) {
    if (!Number.isFinite(h.y) || (o.yLog && h.y <= 0)) continue;
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${fmt(sy(h.y))}" y2="${fmt(sy(h.y))}" stroke="#777" stroke-dasharray="2 4" stroke-width="1.5"/>`);
  }
  o.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const dash = s.dashed ? ' stroke-dasharray="7 4"' : '';
    for (const run of runs(s, o.yLog === true)) {
      if (run.length === 1) {
        const [x, y] = run[0]!;
        out.push(`<circle cx="${fmt(sx(x))}" cy="${fmt(sy(y))}" r="2.5" fill="${color}"/>`);
        continue;
      }
      const pts = run.map(([x, y]) => `${fmt(sx(x))},${fmt(sy(clampY(y, yLo, yHi, o.yLog === true)))}`).join(' ');
      out.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round"${dash}/>`);
    }
  });
  out.push('</g>');

  // legend
  if (legendWidth > 0) {
    const lx = m.left + pw + 16;
    let ly = m.top + 8;
    o.series.forEach((s, i) => {
      const color = s.color ?? PALETTE[i % PALETTE.length]!;
      out.push(`<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="7 4"' : ''}/>`);
      out.push(`<text x="${lx + 28}" y="${ly}" dy="4">${escapeXml(s.label)}</text>`);
      ly += 20;
    });
    for (const h of o.hlines ?? []) {
      out.push(`<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="#777" stroke-dasharray="2 4" stroke-width="1.5"/>`);
      out.push(`<text x="${lx + 28}" y="${ly}" dy="4">${escapeXml(h.label)}</text>`);
      ly += 20;
    }
  }
  out.push('</svg>');
  // a clip-path id unique to this chart's content, so that charts inlined in one page stay apart
  const text = `${out.join('\n')}\n`;
  return text.replaceAll('CLIP_ID', `clip-${hash(text)}`);
}

/** FNV-1a of a string, as 8 hex digits. */
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Keep a point just outside the axis inside it by a little, so a line leaves the plot visibly. */
function clampY(y: number, lo: number, hi: number, log: boolean): number {
  if (log) return Math.min(Math.max(y, lo / 1e3), hi * 1e3);
  const span = hi - lo;
  return Math.min(Math.max(y, lo - span), hi + span);
}

/** The drawable stretches of a series: consecutive points with finite x and y (> 0 on a log axis). */
function runs(s: Series, log: boolean): [number, number][][] {
  const out: [number, number][][] = [];
  let cur: [number, number][] = [];
  const n = Math.min(s.x.length, s.y.length);
  for (let i = 0; i < n; i++) {
    const x = s.x[i]!, y = s.y[i]!;
    if (Number.isFinite(x) && Number.isFinite(y) && (!log || y > 0)) cur.push([x, y]);
    else if (cur.length) { out.push(cur); cur = []; }
  }
  if (cur.length) out.push(cur);
  return out;
}

export interface Ticks {
  lo: number;
  hi: number;
  major: { v: number; label: string }[];
  minor: number[];
}

/** "Nice" ticks (1, 2, 5 × 10^k) covering [lo, hi], about `count` of them. */
export function linearTicks(lo: number, hi: number, count = 6): Ticks {
  const span = hi - lo;
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const first = Math.floor(lo / step + 1e-9) * step;
  const last = Math.ceil(hi / step - 1e-9) * step;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (step / mag === 2.5 ? 1 : 0));
  const major: { v: number; label: string }[] = [];
  for (let v = first; v <= last + step * 1e-9; v += step) {
    const r = Math.abs(v) < step * 1e-9 ? 0 : v;
    major.push({ v: r, label: formatTick(r, decimals) });
  }
  return { lo: first, hi: last, major, minor: [] };
}

function formatTick(v: number, decimals: number): string {
  if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-4)) return v.toExponential(1).replace('e+', 'e');
  return v.toFixed(decimals);
}

/** Decade ticks 10^k covering [lo, hi] (lo > 0); minor ticks 2…9 × 10^k when few decades show. */
export function logTicks(lo: number, hi: number): Ticks {
  if (!(lo > 0)) lo = hi > 0 ? hi / 10 : 0.1;
  if (!(hi > lo)) hi = lo * 10;
  let a = Math.floor(Math.log10(lo) + 1e-12);
  let b = Math.ceil(Math.log10(hi) - 1e-12);
  if (b <= a) b = a + 1;
  const decades = b - a;
  const every = Math.max(1, Math.ceil(decades / 8));
  a = Math.floor(a / every) * every;
  b = Math.ceil(b / every) * every;
  const plain = a >= -3 && b <= 4;
  const major: { v: number; label: string }[] = [];
  for (let k = a; k <= b; k += every) major.push({ v: 10 ** k, label: plain ? plainDecade(k) : powerOfTen(k) });
  const minor: number[] = [];
  if (every === 1 && b - a <= 6) for (let k = a; k < b; k++) for (let f = 2; f <= 9; f++) minor.push(f * 10 ** k);
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

// ------------------------------------------------------------------------------------------------
// Heatmap

export interface HeatmapOptions {
  title: string;
  subtitle?: string | undefined;
  xLabel: string;
  yLabel: string;
  colorLabel: string;
  /** rows × cols, row-major; NaN or (log scale) ≤ 0 cells are left blank. */
  values: ArrayLike<number>;
  rows: number;
  cols: number;
  /** At most this many cells per axis are drawn; larger matrices are averaged in blocks (in log space). */
  maxCells?: number | undefined;
  /** The values at the two ends of the colour scale (default: the data's range), e.g. to share one
   *  scale between several heatmaps. */
  colorRange?: [number, number] | undefined;
  width?: number | undefined;
}

/** Viridis, sampled at 9 points (matplotlib's colormap, CC0). */
const VIRIDIS = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
] as const;

export function viridis(t: number): string {
  const u = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(u));
  const f = u - i;
  const c = VIRIDIS[i]!.map((v, j) => Math.round(v + f * (VIRIDIS[i + 1]![j]! - v)));
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** A matrix as coloured cells, log colour scale, row 0 at the top, with a colour bar. */
export function heatmap(o: HeatmapOptions): string {
  const maxCells = o.maxCells ?? 100;
  const R = Math.min(o.rows, maxCells);
  const C = Math.min(o.cols, maxCells);
  // block averages of log10 values
  const logv = new Float64Array(R * C).fill(NaN);
  for (let r = 0; r < R; r++) {
    const r0 = Math.floor((r * o.rows) / R), r1 = Math.floor(((r + 1) * o.rows) / R);
    for (let c = 0; c < C; c++) {
      const c0 = Math.floor((c * o.cols) / C), c1 = Math.floor(((c + 1) * o.cols) / C);
      let s = 0, n = 0;
      for (let i = r0; i < r1; i++) for (let j = c0; j < c1; j++) {
        const v = o.values[i * o.cols + j]!;
        if (Number.isFinite(v) && v > 0) { s += Math.log10(v); n++; }
      }
      if (n > 0) logv[r * C + c] = s / n;
    }
  }
  let lo = Infinity, hi = -Infinity;
  for (const v of logv) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (o.colorRange && o.colorRange[0] > 0 && o.colorRange[1] > o.colorRange[0]) {
    lo = Math.log10(o.colorRange[0]);
    hi = Math.log10(o.colorRange[1]);
  }
  if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
  // the colour scale spans the data; the bar's ticks are the decades inside it
  const cLo = lo, cHi = hi;
  const all = logTicks(10 ** lo, 10 ** hi);
  const ticks = all.major.filter((t) => Math.log10(t.v) >= cLo - 1e-9 && Math.log10(t.v) <= cHi + 1e-9);
  const LEVELS = 48;
  const level = (v: number): number => Math.min(LEVELS - 1, Math.max(0, Math.floor(((v - cLo) / (cHi - cLo)) * LEVELS)));

  const width = o.width ?? 640;
  const m = { top: o.subtitle ? 62 : 46, right: 120, bottom: 52, left: 64 };
  const size = width - m.left - m.right;
  const height = m.top + size + m.bottom;
  const cw = size / C, ch = size / R;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(o.title)}</text>`);
  if (o.subtitle) out.push(`<text x="${width / 2}" y="44" text-anchor="middle" fill="#555">${escapeXml(o.subtitle)}</text>`);
  out.push(`<rect x="${m.left}" y="${m.top}" width="${size}" height="${size}" fill="#f4f4f4"/>`);
  // one path per colour level; a path holds every run of equal colour in a row as a rectangle
  const paths: string[][] = Array.from({ length: LEVELS }, () => []);
  for (let r = 0; r < R; r++) {
    let c = 0;
    while (c < C) {
      const v = logv[r * C + c]!;
      if (!Number.isFinite(v)) { c++; continue; }
      const lv = level(v);
      let e = c + 1;
      while (e < C && Number.isFinite(logv[r * C + e]!) && level(logv[r * C + e]!) === lv) e++;
      const x0 = fmt(m.left + c * cw), x1 = fmt(m.left + e * cw + 0.3);
      const y0 = fmt(m.top + r * ch), y1 = fmt(m.top + (r + 1) * ch + 0.3);
      paths[lv]!.push(`M${x0} ${y0}H${x1}V${y1}H${x0}z`);
      c = e;
    }
  }
  out.push('<g shape-rendering="crispEdges">');
  paths.forEach((p, lv) => { if (p.length) out.push(`<path fill="${viridis((lv + 0.5) / LEVELS)}" d="${p.join('')}"/>`); });
  out.push('</g>');
  out.push(`<rect x="${m.left}" y="${m.top}" width="${size}" height="${size}" fill="none" stroke="#333"/>`);
  // axes: index ticks on the original scale
  const xt = linearTicks(0, o.cols - 1, 6);
  for (const t of xt.major) {
    if (t.v > o.cols - 1) continue;
    const x = fmt(m.left + ((t.v + 0.5) / o.cols) * size);
    out.push(`<line x1="${x}" x2="${x}" y1="${m.top + size}" y2="${m.top + size + 5}" stroke="#333"/>`);
    out.push(`<text x="${x}" y="${m.top + size + 19}" text-anchor="middle">${t.label}</text>`);
  }
  const yt = linearTicks(0, o.rows - 1, 6);
  for (const t of yt.major) {
    if (t.v > o.rows - 1) continue;
    const y = fmt(m.top + ((t.v + 0.5) / o.rows) * size);
    out.push(`<line x1="${m.left - 5}" x2="${m.left}" y1="${y}" y2="${y}" stroke="#333"/>`);
    out.push(`<text x="${m.left - 8}" y="${y}" dy="4" text-anchor="end">${t.label}</text>`);
  }
  out.push(`<text x="${m.left + size / 2}" y="${height - 12}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${m.top + size / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}</text>`);
  // colour bar
  const bx = m.left + size + 24, bw = 16;
  const steps = 64;
  for (let i = 0; i < steps; i++) {
    const y = m.top + size - ((i + 1) / steps) * size;
    out.push(`<rect x="${bx}" y="${fmt(y)}" width="${bw}" height="${fmt(size / steps + 0.5)}" fill="${viridis((i + 0.5) / steps)}"/>`);
  }
  out.push(`<rect x="${bx}" y="${m.top}" width="${bw}" height="${size}" fill="none" stroke="#333"/>`);
  for (const t of ticks) {
    const y = fmt(m.top + size - ((Math.log10(t.v) - cLo) / (cHi - cLo)) * size);
    out.push(`<line x1="${bx + bw}" x2="${bx + bw + 4}" y1="${y}" y2="${y}" stroke="#333"/>`);
    out.push(`<text x="${bx + bw + 7}" y="${y}" dy="4">${escapeXml(t.label)}</text>`);
  }
  out.push(`<text transform="translate(${width - 12} ${m.top + size / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.colorLabel)} (log scale)</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Several SVG documents one above the other, as one document. */
export function stackVertically(svgs: string[]): string {
  let y = 0;
  let width = 0;
  const parts: string[] = [];
  for (const s of svgs) {
    const w = Number(/width="([\d.]+)"/.exec(s)?.[1] ?? 0);
    const h = Number(/height="([\d.]+)"/.exec(s)?.[1] ?? 0);
    parts.push(s.replace('<svg ', `<svg x="0" y="${y}" `));
    y += h;
    width = Math.max(width, w);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}">\n${parts.join('')}</svg>\n`;
}
