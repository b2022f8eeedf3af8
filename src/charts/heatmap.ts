/**
 * @module charts/heatmap
 * A matrix as an SVG heatmap: coloured cells on a log colour scale (viridis), row 0 at the top, with
 * index ticks on both axes and a colour bar. Large matrices are averaged in blocks (in log space).
 */
import { escapeXml, fmt, svgOpen } from './svg.js';
import { linearTicks, logTicks } from './ticks.js';

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
  /** Appended to the colour bar's label (default " (log scale)"). */
  logNote?: string | undefined;
  /** Said under the chart when some values lie beyond colorRange and take its end colours (default
   *  "clamped: values beyond the colour bar take its end colours"). */
  clampNote?: string | undefined;
}

/** Viridis, sampled at 9 points (matplotlib's colormap, CC0). */
const VIRIDIS = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
] as const;

/** The viridis colour at t ∈ [0, 1], as "#rrggbb". */
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
  let clamped = false;
  if (o.colorRange && o.colorRange[0] > 0 && o.colorRange[1] > o.colorRange[0]) {
    const [dataLo, dataHi] = [lo, hi];
    lo = Math.log10(o.colorRange[0]);
    hi = Math.log10(o.colorRange[1]);
    clamped = dataLo < lo - 1e-9 || dataHi > hi + 1e-9;
  }
  if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
  // the colour scale spans the data; the bar's ticks are the decades inside it
  const cLo = lo, cHi = hi;
  const all = logTicks(10 ** lo, 10 ** hi);
  const ticks = all.major.filter((t) => Math.log10(t.v) >= cLo - 1e-9 && Math.log10(t.v) <= cHi + 1e-9);
  const LEVELS = 48;
  const level = (v: number): number => Math.min(LEVELS - 1, Math.max(0, Math.floor(((v - cLo) / (cHi - cLo)) * LEVELS)));

  const width = o.width ?? 640;
  const m = { top: o.subtitle ? 62 : 46, right: 120, bottom: clamped ? 70 : 52, left: 64 };
  const size = width - m.left - m.right;
  const height = m.top + size + m.bottom;
  const cw = size / C, ch = size / R;
  const out = svgOpen(width, height, o.title, o.subtitle);
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
  out.push(`<text x="${m.left + size / 2}" y="${m.top + size + 40}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  if (clamped) out.push(`<text x="${m.left}" y="${height - 8}" font-size="11" fill="#555" class="clamp-note">${escapeXml(o.clampNote ?? 'clamped: values beyond the colour bar take its end colours')}</text>`);
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
    if (t.label) out.push(`<text x="${bx + bw + 7}" y="${y}" dy="4">${escapeXml(t.label)}</text>`);
  }
  out.push(`<text transform="translate(${width - 12} ${m.top + size / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.colorLabel)}${escapeXml(o.logNote ?? ' (log scale)')}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
