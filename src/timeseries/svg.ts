/**
 * @module timeseries/svg
 * Forecast charts as standalone SVG text (no DOM, no dependency): lines on linear or log axes,
 * "nice" ticks, a legend, and shaded spans (the held-out part). x ticks can carry labels of their
 * own (dates). Non-finite values break a line.
 * (src/analysis/svg has a chart of the same family; the two may be merged.)
 */

export interface Line {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color?: string | undefined;
  dashed?: boolean | undefined;
  width?: number | undefined;
  markers?: boolean | undefined;
}

export interface ChartOptions {
  title: string;
  subtitle?: string | undefined;
  xLabel: string;
  yLabel: string;
  lines: Line[];
  /** Shaded x spans, e.g. the held-out test part. */
  shade?: { from: number; to: number; label: string; color?: string }[] | undefined;
  /** Vertical markers, e.g. the forecast origin. */
  vlines?: { x: number; label: string }[] | undefined;
  xLog?: boolean | undefined;
  yLog?: boolean | undefined;
  /** Where the x ticks go and what they say; default: nice numbers. */
  xTicks?: { v: number; label: string }[] | undefined;
  yMin?: number | undefined;
  yMax?: number | undefined;
  width?: number | undefined;
  height?: number | undefined;
  /** Pixels kept right of the plot for the legend (default: fitted to the labels). */
  legendWidth?: number | undefined;
}

/** Tableau 10: distinct, and readable by most colour-blind readers. */
export const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';
const CHAR = 6.6; // average glyph width at 12 px

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const f2 = (v: number): string => (Math.round(v * 100) / 100).toString();

/** About `count` ticks at 1, 2, 2.5 or 5 × 10^k covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count: number): { lo: number; hi: number; ticks: { v: number; label: string }[] } {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw * 0.999) ?? 10 * mag;
  const first = Math.floor(lo / step + 1e-9) * step;
  const last = Math.ceil(hi / step - 1e-9) * step;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (Math.abs(step / mag - 2.5) < 1e-9 ? 1 : 0));
  const ticks: { v: number; label: string }[] = [];
  for (let v = first; v <= last + step * 1e-9; v += step) {
    const r = Math.abs(v) < step * 1e-9 ? 0 : v;
    ticks.push({ v: r, label: Math.abs(r) >= 1e6 ? r.toExponential(1) : r.toFixed(decimals) });
  }
  return { lo: first, hi: last, ticks };
}

function logTicks(lo: number, hi: number): { lo: number; hi: number; ticks: { v: number; label: string }[] } {
  const a = Math.floor(Math.log10(lo) + 1e-12);
  const b = Math.max(a + 1, Math.ceil(Math.log10(hi) - 1e-12));
  const ticks: { v: number; label: string }[] = [];
  for (let e = a; e <= b; e++) {
    for (const m of b - a <= 2 ? [1, 2, 5] : [1]) {
      const v = m * 10 ** e;
      if (v >= 10 ** a && v <= 10 ** b) ticks.push({ v, label: e >= -3 && e <= 5 ? String(Number(v.toPrecision(3))) : v.toExponential(0) });
    }
  }
  return { lo: 10 ** a, hi: 10 ** b, ticks };
}

export function lineChart(o: ChartOptions): string {
  const width = o.width ?? 820;
  const height = o.height ?? 420;
  const labels = [...o.lines.map((l) => l.label), ...(o.shade ?? []).map((s) => s.label)];
  const legendWidth = o.legendWidth ?? Math.min(280, 40 + CHAR * Math.max(0, ...labels.map((s) => s.length)));
  const m = { top: o.subtitle ? 62 : 44, right: 16 + legendWidth, bottom: 50, left: 70 };
  const pw = width - m.left - m.right, ph = height - m.top - m.bottom;
  let xLo = Infinity, xHi = -Infinity, yLo = Infinity, yHi = -Infinity;
  for (const l of o.lines) {
    for (let i = 0; i < Math.min(l.x.length, l.y.length); i++) {
      const x = l.x[i]!, y = l.y[i]!;
      if (!Number.isFinite(x) || !Number.isFinite(y) || (o.yLog && y <= 0) || (o.xLog && x <= 0)) continue;
      xLo = Math.min(xLo, x); xHi = Math.max(xHi, x); yLo = Math.min(yLo, y); yHi = Math.max(yHi, y);
    }
  }
  for (const s of o.shade ?? []) { xLo = Math.min(xLo, s.from); xHi = Math.max(xHi, s.to); }
  if (!Number.isFinite(xLo)) { xLo = 0; xHi = 1; }
  if (!Number.isFinite(yLo)) { yLo = 0; yHi = 1; }
  yLo = o.yMin ?? yLo; yHi = o.yMax ?? yHi;
  let xt: { v: number; label: string }[];
  if (o.xTicks) xt = o.xTicks;
  else if (o.xLog) ({ lo: xLo, hi: xHi, ticks: xt } = logTicks(xLo, xHi));
  else xt = niceTicks(xLo, xHi, Math.max(2, Math.floor(pw / 90))).ticks.filter((t) => t.v >= xLo - 1e-9 && t.v <= xHi + 1e-9);
  if (!o.yLog && yHi === yLo) { yLo -= 1; yHi += 1; }
  const pad = 0.02 * (yHi - yLo);
  const lo = yLo >= 0 && yLo - pad < 0 ? 0 : yLo - pad; // data ≥ 0 keeps the axis at 0
  const yTicks = o.yLog ? logTicks(yLo, yHi) : niceTicks(o.yMin ?? lo, o.yMax ?? yHi + pad, Math.max(2, Math.floor(ph / 55)));
  yLo = yTicks.lo; yHi = yTicks.hi;
  const tx = o.xLog ? (v: number) => Math.log10(v) : (v: number) => v;
  const ty = o.yLog ? (v: number) => Math.log10(v) : (v: number) => v;
  const sx = (x: number) => m.left + ((tx(x) - tx(xLo)) / (tx(xHi) - tx(xLo) || 1)) * pw;
  const sy = (y: number) => m.top + ph - ((ty(y) - ty(yLo)) / (ty(yHi) - ty(yLo) || 1)) * ph;

  const out: string[] = [];
  const clip = `clip${hash(JSON.stringify([o.title, o.subtitle, labels]))}`;
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<defs><clipPath id="${clip}"><rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}"/></clipPath></defs>`);
  out.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(o.title)}</text>`);
  if (o.subtitle) out.push(`<text x="${width / 2}" y="44" text-anchor="middle" fill="#555">${escapeXml(o.subtitle)}</text>`);
  for (const s of o.shade ?? []) {
    const x0 = Math.max(m.left, sx(s.from)), x1 = Math.min(m.left + pw, sx(s.to));
    if (x1 > x0) out.push(`<rect x="${f2(x0)}" y="${m.top}" width="${f2(x1 - x0)}" height="${ph}" fill="${s.color ?? '#eeeeee'}"/>`);
  }
  for (const t of yTicks.ticks) {
    const y = f2(sy(t.v));
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${y}" y2="${y}" stroke="#dddddd" stroke-width="0.8"/>`);
    out.push(`<line x1="${m.left - 5}" x2="${m.left}" y1="${y}" y2="${y}" stroke="#333"/>`);
    out.push(`<text x="${m.left - 8}" y="${y}" dy="4" text-anchor="end">${escapeXml(t.label)}</text>`);
  }
  for (const t of xt) {
    if (t.v < xLo - 1e-9 || t.v > xHi + 1e-9) continue;
    const x = f2(sx(t.v));
    out.push(`<line x1="${x}" x2="${x}" y1="${m.top}" y2="${m.top + ph}" stroke="#eeeeee" stroke-width="0.8"/>`);
    out.push(`<line x1="${x}" x2="${x}" y1="${m.top + ph}" y2="${m.top + ph + 5}" stroke="#333"/>`);
    out.push(`<text x="${x}" y="${m.top + ph + 19}" text-anchor="middle">${escapeXml(t.label)}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${m.left + pw / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}${o.yLog ? ' (log scale)' : ''}</text>`);
  out.push(`<g clip-path="url(#${clip})">`);
  for (const v of o.vlines ?? []) out.push(`<line x1="${f2(sx(v.x))}" x2="${f2(sx(v.x))}" y1="${m.top}" y2="${m.top + ph}" stroke="#777" stroke-dasharray="3 3"/>`);
  o.lines.forEach((l, i) => {
    const color = l.color ?? COLORS[i % COLORS.length]!;
    const dash = l.dashed ? ' stroke-dasharray="6 4"' : '';
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1) out.push(`<polyline points="${run.join(' ')}" fill="none" stroke="${color}" stroke-width="${l.width ?? 1.8}" stroke-linejoin="round"${dash}/>`);
      run = [];
    };
    for (let j = 0; j < Math.min(l.x.length, l.y.length); j++) {
      const x = l.x[j]!, y = l.y[j]!;
      if (!Number.isFinite(x) || !Number.isFinite(y) || (o.yLog && y <= 0) || (o.xLog && x <= 0)) { flush(); continue; }
      const yc = Math.min(Math.max(y, o.yLog ? yLo / 1e3 : yLo - (yHi - yLo)), o.yLog ? yHi * 1e3 : yHi + (yHi - yLo));
      run.push(`${f2(sx(x))},${f2(sy(yc))}`);
      if (l.markers) out.push(`<circle cx="${f2(sx(x))}" cy="${f2(sy(yc))}" r="3" fill="${color}"/>`);
    }
    flush();
  });
  out.push('</g>');
  // legend
  const lx = m.left + pw + 14;
  let ly = m.top + 10;
  o.lines.forEach((l, i) => {
    const color = l.color ?? COLORS[i % COLORS.length]!;
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2.5"${l.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    if (l.markers) out.push(`<circle cx="${lx + 12}" cy="${ly}" r="3" fill="${color}"/>`);
    out.push(`<text x="${lx + 30}" y="${ly}" dy="4">${escapeXml(l.label)}</text>`);
    ly += 20;
  });
  for (const s of o.shade ?? []) {
    out.push(`<rect x="${lx}" y="${ly - 7}" width="24" height="14" fill="${s.color ?? '#eeeeee'}" stroke="#bbb"/>`);
    out.push(`<text x="${lx + 30}" y="${ly}" dy="4">${escapeXml(s.label)}</text>`);
    ly += 20;
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Several charts one above the other, as one SVG document. */
export function stackCharts(svgs: string[]): string {
  let y = 0, width = 0;
  const parts: string[] = [];
  for (const s of svgs) {
    const w = Number(/width="([\d.]+)"/.exec(s)?.[1] ?? 0), h = Number(/height="([\d.]+)"/.exec(s)?.[1] ?? 0);
    parts.push(s.replace('<svg ', `<svg x="0" y="${y}" `));
    y += h;
    width = Math.max(width, w);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}">\n${parts.join('')}</svg>\n`;
}

/** About `count` x ticks at indices whose dates fall on round places (January, a round year). */
export function dateTicks(dates: readonly string[], count = 8): { v: number; label: string }[] {
  const n = dates.length;
  if (n === 0) return [];
  const monthly = dates.every((d) => /^\d{4}-\d{2}/.test(d));
  if (monthly) {
    const januaries = dates.map((d, i) => ({ d, i })).filter(({ d }) => d.slice(5, 7) === '01');
    const every = Math.max(1, Math.ceil(januaries.length / count));
    return januaries.filter((_, j) => j % every === 0).map(({ d, i }) => ({ v: i, label: d.slice(0, 4) }));
  }
  const step = Math.max(1, Math.ceil(n / count));
  const nums = dates.map(Number);
  if (nums.every(Number.isFinite)) {
    // round values (years) where possible
    const span = nums[n - 1]! - nums[0]!;
    const t = niceTicks(nums[0]!, nums[n - 1]!, count).ticks.filter((x) => x.v >= nums[0]! && x.v <= nums[n - 1]!);
    if (span > 0) return t.map((x) => ({ v: ((x.v - nums[0]!) / span) * (n - 1), label: x.label }));
  }
  return Array.from({ length: Math.ceil(n / step) }, (_, j) => ({ v: j * step, label: dates[j * step]! }));
}

function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
