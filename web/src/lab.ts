// The Gradient lab tab: gradient norm against distance (log scale) for every chosen cell, and each
// cell's ‖∂L_t/∂h_k‖ heatmap (recur's own SVG heatmap, one colour scale for all), side by side.
import { COLORS, LineChart } from './charts';
import { $, echo, fmt, inputEl, message, numberFrom, selectEl } from './dom';
import { heatmap } from '../../src/charts/index.js';
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
        steps: numberFrom('lab-steps', 'Sequence length', { min: 2, max: 1000, integer: true }),
        hidden: numberFrom('lab-hidden', 'Hidden', { min: 1, max: 256, integer: true }),
        radius: Number(inputEl('lab-radius').value),
        whh: selectEl('lab-whh').value as LabRequest['whh'],
        seed: numberFrom('lab-seed', 'Seed', { min: 0, integer: true }),
      };
      $('lab-status').textContent = `computing ${q.cells.length} cell${q.cells.length === 1 ? '' : 's'}: ${q.steps + 1} backward passes each…`;
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
    $('lab-status').textContent = `T = ${q.steps}, H = ${q.hidden}, ρ = ${q.radius.toFixed(2)} (${q.whh} W_hh), seed ${q.seed}: ${fmt(m.seconds, 2)} s`;
    // one chart, one line per cell
    chart?.destroy();
    chart = new LineChart($('lab-chart'), {
      title: 'Gradient norm against distance', xLabel: 'distance d (steps back from T−1)', yLabel: '‖∂L/∂h_{T−1−d}‖', yLog: true, height: 300,
      series: series.map((s, i) => ({ label: `${s.label}${s.note ? '' : ` ρ=${q.radius}`}`, color: COLORS[i % COLORS.length]!, width: 2 })),
    });
    chart.set(distance, series.map((s) => s.gradNorm));
    // the heatmaps, one colour scale
    let lo = Infinity, hi = 0;
    for (const s of series) for (const v of s.heatmap ?? []) if (v > 0 && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    $('lab-cards').replaceChildren(...series.map((s, i) => {
      const card = document.createElement('div');
      card.className = 'card';
      const h = document.createElement('h3');
      h.textContent = s.label;
      h.style.color = COLORS[i % COLORS.length]!;
      const p = document.createElement('p');
      p.className = 'status';
      const last = s.gradNorm[s.gradNorm.length - 1]!;
      p.textContent = `${s.note ? `${s.note}; ` : ''}per step back ×${s.rate === null ? '—' : s.rate.toPrecision(3)}; ` +
        `‖∂L/∂h_0‖ / ‖∂L/∂h_{T−1}‖ = ${(last / s.gradNorm[0]!).toExponential(2)}`;
      const figure = document.createElement('div');
      // the SVG is built by recur from numbers and escaped labels
      figure.innerHTML = heatmap({
        title: '‖∂L_t/∂h_k‖', subtitle: `L_t = Σ h_t; T = ${q.steps}, H = ${q.hidden}`, xLabel: 'k (the state)', yLabel: 't (the loss step)',
        colorLabel: '‖∂L_t/∂h_k‖', values: s.heatmap!, rows: q.steps, cols: q.steps, ...(hi > lo ? { colorRange: [lo, hi] as [number, number] } : {}),
      }).replace(/^<\?xml[^>]*>\s*/, '');
      card.append(h, p, figure);
      return card;
    }));
    state.lab = {
      runs: state.lab.runs + 1,
      series: series.map((s) => ({ label: s.label, points: s.gradNorm.filter((v) => v > 0 && Number.isFinite(v)).length })),
      heatmaps: document.querySelectorAll('#lab-cards svg').length,
    };
  };
}
