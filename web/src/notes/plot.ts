// Charts inside figures: recur's own SVG line chart (src/charts), drawn at the width the figure has
// (so its 12 px text stays 12 px), with its legend as HTML below the plot where the page is narrow.
// Log axes get a tick every decade; axis labels get room beside the tick labels.
import { lineChart, PALETTE, type LineChartOptions } from '../../../src/charts/index.js';
import { t } from '../i18n';

/** Insert recur's SVG text into el, as an image with a text alternative. */
export function insertSvg(el: HTMLElement, svg: string, label: string): SVGSVGElement {
  const holder = document.createElement('div');
  holder.className = 'svg-holder';
  holder.innerHTML = svg.replace(/^<\?xml[^>]*>\s*/, ''); // built by recur from numbers and escaped labels
  const s = holder.querySelector('svg')!;
  s.setAttribute('role', 'img');
  s.setAttribute('aria-label', label);
  el.append(holder);
  return s;
}

/** The width to draw at: the element's, within 300…960 px. */
export const plotWidth = (el: HTMLElement): number => Math.max(300, Math.min(960, Math.floor(el.clientWidth || 640)));

/** A line chart in el: the legend inside the SVG where there is room (≥ 620 px), else an HTML list. */
export function drawLineChart(el: HTMLElement, o: LineChartOptions): SVGSVGElement {
  const width = o.width ?? plotWidth(el);
  const narrow = width < 620;
  const svg = insertSvg(el, lineChart({ logNote: t('chart.logScale'), height: Math.round(Math.min(420, Math.max(280, width * 0.62))), ...o, width, ...(narrow ? { legendWidth: 0 } : {}) }), o.title);
  if (narrow && o.series.length + (o.hlines?.length ?? 0) + (o.vlines?.length ?? 0) > 1) el.append(htmlLegend(o));
  return svg;
}

function htmlLegend(o: LineChartOptions): HTMLElement {
  const ul = document.createElement('ul');
  ul.className = 'legend';
  const item = (color: string, dashed: boolean, label: string) => {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = `swatch${dashed ? ' dashed' : ''}`;
    sw.style.borderColor = color;
    li.append(sw, label);
    ul.append(li);
  };
  o.series.forEach((s, i) => item(s.color ?? PALETTE[i % PALETTE.length]!, s.dashed === true, s.label));
  for (const h of o.hlines ?? []) item('#777', true, h.label);
  for (const v of o.vlines ?? []) item('#777', true, v.label);
  return ul;
}

/** A number for a facts table or a readout: 3 significant digits, exponent beyond 1e±4. */
export function num(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(digits - 1).replace('e+', 'e') : String(+v.toPrecision(digits));
}
