// Residual recurrences, h_t = h_{t−1} + g(x_t, h_{t−1}): the Jacobian is I + ∂g/∂h_{t−1}, so the
// gradient is handed back along the identity and survives; the price is a state that adds up every
// g and grows without bound, where a tanh RNN's stays inside [−1, 1]^H.
import { t } from '../../../i18n';
import { drawLineChart, num } from '../../plot';
import { figure, text, type Control, type FigureSpec, type Preset, type SectionSpec } from '../../types';
import { residualCommand, type ResidualParams, type ResidualResult } from './compute';

const worker = () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });

/** Select values arrive as strings: the settings as numbers. */
const norm = (p: ResidualParams): ResidualParams => ({ ...p, radius: Number(p.radius), hidden: Number(p.hidden), steps: Number(p.steps), seed: Number(p.seed) });

const defaults: ResidualParams = { radius: 0.9, hidden: 16, steps: 100, seed: 0 };
const controls: Control[] = [
  { kind: 'range', name: 'radius', label: 'residual.ctl.radius', min: 0.1, max: 2, step: 0.05 },
  { kind: 'select', name: 'hidden', label: 'residual.ctl.hidden', options: [4, 16, 64].map((h) => ({ value: String(h), label: `residual.ctl.h${h}` })) },
  { kind: 'select', name: 'steps', label: 'residual.ctl.steps', options: [50, 100, 200].map((n) => ({ value: String(n), label: `residual.ctl.t${n}` })) },
  { kind: 'number', name: 'seed', label: 'residual.ctl.seed', min: 0, max: 1e6, step: 1 },
];
const presets: Preset<ResidualParams>[] = [
  { label: 'residual.preset.small', params: { radius: 0.5 } },
  { label: 'residual.preset.large', params: { radius: 1.5 } },
  { label: 'residual.preset.wide', params: { hidden: 64 } },
];

const gradients: FigureSpec<ResidualParams, ResidualResult> = {
  id: 'residual-gradients',
  title: 'residual.grad.title',
  caption: 'residual.grad.caption',
  worker,
  defaults, controls, presets,
  command: (p) => residualCommand(norm(p)),
  draw(plot, r, p) {
    const q = norm(p);
    const d = q.steps - 1;
    drawLineChart(plot, {
      title: t('residual.grad.chartTitle'), xLabel: t('residual.grad.x'), yLabel: t('residual.grad.y'), yLog: true,
      series: [
        { label: t('residual.rnn'), x: r.distance, y: r.rnn.gradNorm, width: 2.5 },
        { label: t('residual.res'), x: r.distance, y: r.residual.gradNorm, width: 2.5 },
      ],
    });
    const ratio = { rnn: r.rnn.gradNorm[d]! / r.rnn.gradNorm[0]!, res: r.residual.gradNorm[d]! / r.residual.gradNorm[0]! };
    const readout = document.createElement('p');
    readout.className = 'readout';
    readout.textContent = t('residual.grad.readout', { d, rho: num(q.radius), rnn: num(ratio.rnn), res: num(ratio.res) });
    plot.append(readout);
    return { steps: q.steps, radius: q.radius, rnnRatio: ratio.rnn, residualRatio: ratio.res, residualMin: Math.min(...r.residual.gradNorm) / r.residual.gradNorm[0]! };
  },
};

const state: FigureSpec<ResidualParams, ResidualResult> = {
  id: 'residual-state',
  title: 'residual.state.title',
  caption: 'residual.state.caption',
  worker,
  defaults, controls, presets,
  command: (p) => residualCommand(norm(p)),
  draw(plot, r, p) {
    const q = norm(p);
    const steps = r.distance; // t = 0…T−1
    const bound = Math.sqrt(q.hidden);
    drawLineChart(plot, {
      title: t('residual.state.chartTitle'), xLabel: t('residual.state.x'), yLabel: t('residual.state.y'), yLog: true,
      series: [
        { label: t('residual.rnn'), x: steps, y: r.rnn.stateNorm, width: 2.5 },
        { label: t('residual.res'), x: steps, y: r.residual.stateNorm, width: 2.5 },
        { label: t('residual.state.linear'), x: steps, y: steps.map((s) => (s + 1) * bound), dashed: true, color: '#999' },
      ],
      hlines: [{ y: bound, label: t('residual.state.bound', { b: num(bound) }) }],
    });
    const T = q.steps;
    const last = { rnn: r.rnn.stateNorm[T - 1]!, res: r.residual.stateNorm[T - 1]! };
    // the residual state's growth per step over the second half (where g has saturated)
    const half = Math.floor(T / 2);
    const slope = (r.residual.stateNorm[T - 1]! - r.residual.stateNorm[half]!) / (T - 1 - half);
    const readout = document.createElement('p');
    readout.className = 'readout';
    readout.textContent = t('residual.state.readout', { T, rnn: num(last.rnn), res: num(last.res), b: num(bound), slope: num(slope) });
    plot.append(readout);
    return {
      steps: T, hidden: q.hidden, bound, rnnMax: Math.max(...r.rnn.stateNorm), residualLast: last.res, slope,
      slopeOverBound: slope / bound,
    };
  },
};

const section: SectionSpec = {
  id: 'residual',
  blocks: [text('residual.intro'), figure(gradients), text('residual.middle'), figure(state), text('residual.after')],
};
export default section;
