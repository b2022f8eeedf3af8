// The Gradient lab tab: gradient norm against distance (log scale) for every chosen cell, and each
// cell's ‖∂L_t/∂h_k‖ heatmap (recur's own SVG heatmap, one colour scale for all), side by side.
import { COLORS, LineChart } from './charts';
import { $, echo, fmt, inputEl, message, numberFrom, selectEl } from './dom';
import { heatmap } from '../../src/charts/index.js';
import { t } from './i18n';
import type { CellChoice, FromLabWorker, LabRequest } from './protocol';
import type { PageState } from './state';

export function setupLab(worker: Worker, state: PageState): void {
  echo('lab-radius', 'lab-radius-value');
  let chart: LineChart | undefined;
  const run = () => {
    message('lab-msg', null);
    try {
      const q: LabRequest = {
        cells: [...document.querySelectorAll<HTMLInputElement>('input[name="lab-cell"]:checked')].map((c) => c.value as CellChoice),
        activation: selectEl('lab-activation').value as LabRequest['activation'],
        steps: numberFrom('lab-steps', t('lab.steps'), { min: 2, max: 1000, integer: true }),
        hidden: numberFrom('lab-hidden', t('train.hidden'), { min: 1, max: 256, integer: true }),
        radius: Number(inputEl('lab-radius').value),
        whh: selectEl('lab-whh').value as LabRequest['whh'],
        seed: numberFrom('lab-seed', t('lab.seed'), { min: 0, integer: true }),
      };
      if (q.cells.length === 0) throw new Error(t('lab.noCell'));
      $('lab-status').textContent = t('lab.computing', { cells: q.cells.length, passes: q.steps + 1 });
      $<HTMLButtonElement>('lab-run').disabled = true;
      worker.postMessage(q);
    } catch (e) {
      message('lab-msg', (e as Error).message);
    }
  };
  $('lab-run').addEventListener('click', run);

  worker.onmessage = ({ data: m }: MessageEvent<FromLabWorker>) => {
    $<HTMLButtonElement>('lab-run').disabled = false;
    if (m.type === 'error') {
      message('lab-msg', m.message);
      $('lab-status').textContent = '';
      state.errors.push(m);
      return;
    }
    const { request: q, distance, series } = m;
    $('lab-status').textContent = t('lab.done', { T: q.steps, H: q.hidden, rho: q.radius.toFixed(2), whh: t(q.whh === 'orthogonal' ? 'lab.whhOrthogonal' : 'lab.whhUniform'), seed: q.seed, seconds: fmt(m.seconds, 2) });
    // one chart, one line per cell
    chart?.destroy();
    chart = new LineChart($('lab-chart'), {
      title: 'lab.chartTitle', xLabel: 'lab.chartX', yLabel: 'lab.chartY', yLog: true, height: 300,
      series: series.map((s, i) => ({ label: `${s.label}${s.note ? '' : ` ρ=${q.radius}`}`, color: COLORS[i % COLORS.length]!, width: 2 })),
    });
    chart.set(distance, series.map((s) => s.gradNorm));
    // the heatmaps: one colour scale each, or one shared scale from the median cell's range, clamped
    const ranges = series.map((s) => logRange(s.heatmap ?? []));
    const shared = selectEl('lab-scale').value === 'shared' ? medianRange(ranges) : undefined;
    $('lab-cards').replaceChildren(...series.map((s, i) => {
      const card = document.createElement('div');
      card.className = 'card';
      const h = document.createElement('h2');
      h.textContent = s.label;
      h.style.color = COLORS[i % COLORS.length]!;
      const p = document.createElement('p');
      p.className = 'status';
      const last = s.gradNorm[s.gradNorm.length - 1]!;
      p.textContent = `${s.note ? `${t(s.note)}; ` : ''}` + t('lab.cardRate', { rate: s.rate === null ? '—' : s.rate.toPrecision(3), ratio: (last / s.gradNorm[0]!).toExponential(2) });
      const figure = document.createElement('div');
      card.append(h, p, figure);
      const range = shared ?? ranges[i];
      const width = Math.max(300, Math.min(640, $('lab-cards').clientWidth > 700 ? 420 : $('lab-cards').clientWidth - 20));
      // the SVG is built by recur from numbers and escaped labels
      figure.innerHTML = heatmap({
        title: t('lab.heatTitle'), subtitle: t('lab.heatSubtitle', { T: q.steps, H: q.hidden }), xLabel: t('lab.heatX'), yLabel: t('lab.heatY'),
        colorLabel: t('lab.heatColor'), logNote: t('chart.logScale'), clampNote: t('chart.clamped'), width,
        values: s.heatmap!, rows: q.steps, cols: q.steps, ...(range ? { colorRange: range } : {}),
      }).replace(/^<\?xml[^>]*>\s*/, '');
      figure.querySelector('svg')?.setAttribute('role', 'img');
      figure.querySelector('svg')?.setAttribute('aria-label', `${t('lab.heatTitle')}: ${s.label}`);
      return card;
    }));
    state.lab = {
      runs: state.lab.runs + 1,
      series: series.map((s) => ({ label: s.label, points: s.gradNorm.filter((v) => v > 0 && Number.isFinite(v)).length })),
      heatmaps: document.querySelectorAll('#lab-cards svg').length,
    };
  };
}

/** The smallest and largest positive finite value, or undefined. */
function logRange(values: ArrayLike<number>): [number, number] | undefined {
  let lo = Infinity, hi = 0;
  for (let i = 0; i < values.length; i++) { const v = values[i]!; if (v > 0 && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }
  return hi > lo ? [lo, hi] : undefined;
}

/** A shared colour range: the median of the cells' lower ends and of their upper ends, so that one
 *  exploding (or vanishing) cell is clamped instead of washing out the others. */
function medianRange(ranges: ([number, number] | undefined)[]): [number, number] | undefined {
  const ok = ranges.filter((r): r is [number, number] => r !== undefined);
  if (!ok.length) return undefined;
  const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]!; };
  const lo = median(ok.map((r) => Math.log10(r[0]))), hi = median(ok.map((r) => Math.log10(r[1])));
  return hi > lo ? [10 ** lo, 10 ** hi] : undefined;
}
