// Vanishing and exploding gradients: the notes' σ(x) = x case, where ∂h_t/∂h_{t−1} = W_h and the
// gradient d steps back is W_hᵀ applied d times, so W_h's eigenvalues decide: inside the unit
// circle it vanishes, outside it explodes.
import { linearTicks } from '../../../../../src/charts/index.js';
import { t } from '../../../i18n';
import { drawLineChart, num } from '../../plot';
import { figure, text, type FigureSpec, type SectionSpec } from '../../types';
import {
  gatesCommand, linearCommand, trainedCommand, TRAINED, type GatesParams, type GatesResult, type LinearParams, type LinearResult,
  type TrainedParams, type TrainedResult,
} from './compute';

const linear: FigureSpec<LinearParams, LinearResult> = {
  id: 'vanishing-linear',
  title: 'vanishing.linear.title',
  caption: 'vanishing.linear.caption',
  worker: () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }),
  defaults: { radius: 0.9, hidden: 16, steps: 60, whh: 'uniform', seed: 0 },
  controls: [
    { kind: 'range', name: 'radius', label: 'vanishing.ctl.radius', min: 0.5, max: 1.5, step: 0.01 },
    { kind: 'select', name: 'hidden', label: 'vanishing.ctl.hidden', options: [2, 4, 16, 64].map((h) => ({ value: String(h), label: `vanishing.ctl.h${h}` })) },
    { kind: 'select', name: 'whh', label: 'vanishing.ctl.whh', options: [{ value: 'uniform', label: 'vanishing.ctl.uniform' }, { value: 'orthogonal', label: 'vanishing.ctl.orthogonal' }] },
    { kind: 'number', name: 'seed', label: 'vanishing.ctl.seed', min: 0, max: 1e6, step: 1 },
  ],
  presets: [
    { label: 'vanishing.preset.vanish', params: { radius: 0.8 } },
    { label: 'vanishing.preset.explode', params: { radius: 1.2 } },
    { label: 'vanishing.preset.edge', params: { radius: 1, whh: 'orthogonal' } },
    { label: 'vanishing.preset.two', params: { radius: 1.05, hidden: 2 } },
  ],
  command: (p) => linearCommand(norm(p)),
  draw(plot, r, p) {
    const q = norm(p);
    const row = document.createElement('div');
    row.className = 'fig-row';
    plot.append(row);
    const left = document.createElement('div'), right = document.createElement('div');
    row.append(left, right);
    drawPlane(left, r);
    const T = q.steps;
    const first = r.gradNorm[0]!;
    drawLineChart(right, {
      title: t('vanishing.linear.gradTitle'), xLabel: t('vanishing.linear.gradX'), yLabel: t('vanishing.linear.gradY'), yLog: true,
      series: [
        { label: t('vanishing.linear.gradSeries'), x: r.distance, y: r.gradNorm, width: 2.5 },
        { label: t('vanishing.linear.rhoSeries', { rho: num(r.spectralRadius) }), x: r.distance, y: r.distance.map((d) => first * r.spectralRadius ** d), dashed: true, color: '#777' },
      ],
    });
    const last = r.gradNorm[T - 1]!;
    const readout = document.createElement('p');
    readout.className = 'readout';
    readout.textContent = t('vanishing.linear.readout', { rho: num(r.spectralRadius), sigma: num(r.maxSingularValue), d: T - 1, ratio: num(last / first), rate: num(r.rate) });
    plot.append(readout);
    const outside = r.eigenvalues.filter(([re, im]) => Math.hypot(re, im) > 1 + 1e-12).length;
    return { spectralRadius: r.spectralRadius, eigenvalues: r.eigenvalues.length, outside, first, last, ratio: last / first, rate: r.rate };
  },
};

/** Select values arrive as strings: the settings as numbers. */
function norm(p: LinearParams): LinearParams {
  return { ...p, hidden: Number(p.hidden), steps: Number(p.steps), radius: Number(p.radius), seed: Number(p.seed) };
}

/** W_h's eigenvalues on the complex plane, the unit circle and the circle |λ| = ρ. */
function drawPlane(el: HTMLElement, r: LinearResult): void {
  const R = Math.ceil(Math.max(1.2, r.spectralRadius * 1.1) * 2) / 2; // 1.5, 2, …: both axes the same
  const ticks = linearTicks(-R, R, 6).major.filter((m) => Math.abs(m.v) <= R + 1e-9);
  const circle = (rad: number) => {
    const n = 121;
    return { x: Array.from({ length: n }, (_, i) => rad * Math.cos((2 * Math.PI * i) / (n - 1))), y: Array.from({ length: n }, (_, i) => rad * Math.sin((2 * Math.PI * i) / (n - 1))) };
  };
  // one point per eigenvalue: NaN between them breaks the line into dots
  const xs: number[] = [], ys: number[] = [];
  for (const [re, im] of r.eigenvalues) xs.push(re, NaN), ys.push(im, NaN);
  const width = Math.min(el.clientWidth || 360, 420);
  el.style.maxWidth = `${width}px`;
  drawLineChart(el, {
    title: t('vanishing.linear.planeTitle'), xLabel: t('vanishing.linear.planeX'), yLabel: t('vanishing.linear.planeY'),
    xMin: -R, xMax: R, yMin: -R, yMax: R, xTicks: ticks, yTicks: ticks, width, height: width + 4, legendWidth: 0, // a square plot
    series: [
      { label: t('vanishing.linear.unit'), ...circle(1), color: '#333', width: 1.5 },
      { label: t('vanishing.linear.rhoCircle', { rho: num(r.spectralRadius) }), ...circle(r.spectralRadius), color: '#999', dashed: true, width: 1 },
      { label: t('vanishing.linear.eig'), x: xs, y: ys, markers: true, color: '#e15759' },
    ],
  });
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const CELL_COLORS = { rnn: '#4e79a7', gru: '#f28e2b', lstm: '#e15759' } as const;

const gates: FigureSpec<GatesParams, GatesResult> = {
  id: 'vanishing-gates',
  title: 'vanishing.gates.title',
  caption: 'vanishing.gates.caption',
  worker: () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }),
  defaults: { forgetBias: 0, seed: 0 },
  controls: [
    { kind: 'range', name: 'forgetBias', label: 'vanishing.ctl.forgetBias', min: -1, max: 4, step: 0.5, digits: 1 },
    { kind: 'number', name: 'seed', label: 'vanishing.ctl.seed', min: 0, max: 1e6, step: 1 },
  ],
  presets: [
    { label: 'vanishing.preset.bias1', params: { forgetBias: 1 } },
    { label: 'vanishing.preset.bias3', params: { forgetBias: 3 } },
  ],
  command: (p) => gatesCommand({ ...p, forgetBias: Number(p.forgetBias), seed: Number(p.seed) }),
  draw(plot, r, p) {
    const b = Number(p.forgetBias);
    const lstm = r.series.find((s) => s.cell === 'lstm')!;
    drawLineChart(plot, {
      title: t('vanishing.gates.chartTitle'), xLabel: t('vanishing.linear.gradX'), yLabel: t('vanishing.linear.gradY'), yLog: true,
      series: [
        ...r.series.map((s) => ({ label: t(`vanishing.gates.${s.cell}`, { b }), x: r.distance, y: s.gradNorm, color: CELL_COLORS[s.cell], width: 2.5 })),
        { label: t('vanishing.gates.sigmaLine', { sigma: num(sigmoid(b)) }), x: r.distance, y: r.distance.map((d) => lstm.gradNorm[0]! * sigmoid(b) ** d), color: '#e15759', dashed: true, width: 1.2 },
      ],
    });
    const rate = (c: string) => r.series.find((s) => s.cell === c)!.rate;
    const readout = document.createElement('p');
    readout.className = 'readout';
    readout.textContent = t('vanishing.gates.readout', { b, sigma: num(sigmoid(b)), lstm: num(rate('lstm')), rnn: num(rate('rnn')), gru: num(rate('gru')) });
    plot.append(readout);
    return { forgetBias: b, sigma: sigmoid(b), rnnRate: rate('rnn'), gruRate: rate('gru'), lstmRate: rate('lstm'), lstmLast: lstm.gradNorm[lstm.gradNorm.length - 1]! };
  },
};

/** Step 0 dashed and thin, the middle thin, the end thick: training reads left to right as the lines darken. */
const FLOW_STYLE = [{ dashed: true, width: 1.2 }, { dashed: false, width: 1.2 }, { dashed: false, width: 2.8 }];

const trained: FigureSpec<TrainedParams, TrainedResult> = {
  id: 'vanishing-trained',
  title: 'vanishing.trained.title',
  caption: 'vanishing.trained.caption',
  worker: () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }),
  defaults: { steps: 20, forgetBias: 0, seed: 0 },
  live: false,
  controls: [
    { kind: 'select', name: 'steps', label: 'vanishing.ctl.trainedSteps', options: [10, 20, 30].map((T) => ({ value: String(T), label: `vanishing.ctl.t${T}` })) },
    { kind: 'range', name: 'forgetBias', label: 'vanishing.ctl.forgetBias', min: -1, max: 3, step: 0.5, digits: 1 },
    { kind: 'number', name: 'seed', label: 'vanishing.ctl.seed', min: 0, max: 1e6, step: 1 },
  ],
  presets: [
    { label: 'vanishing.preset.trainedBias1', params: { forgetBias: 1 } },
    { label: 'vanishing.preset.trainedLong', params: { steps: 30 } },
  ],
  command: (p) => trainedCommand(p),
  draw(plot, r) {
    const row = document.createElement('div');
    row.className = 'fig-row';
    plot.append(row);
    const left = document.createElement('div'), right = document.createElement('div');
    row.append(left, right);
    const series = r.runs.flatMap((run) => run.flow.map((f, i) => ({
      label: t(`vanishing.trained.flow.${run.cell}`, { step: f.step }), x: r.distance, y: f.gradNorm, color: CELL_COLORS[run.cell], ...FLOW_STYLE[Math.min(i, 2)]!,
    })));
    drawLineChart(left, { title: t('vanishing.trained.flowTitle'), xLabel: t('vanishing.linear.gradX'), yLabel: t('vanishing.linear.gradY'), yLog: true, series });
    drawLineChart(right, {
      title: t('vanishing.trained.lossTitle'), xLabel: t('vanishing.trained.lossX'), yLabel: t('vanishing.trained.lossY'), yLog: true,
      series: r.runs.map((run) => ({ label: t(`vanishing.gates.${run.cell}`, { b: Number(run.cell === 'lstm' ? r.forgetBias : 0) }), x: run.step, y: run.valLoss, color: CELL_COLORS[run.cell], width: 2.5 })),
      hlines: [{ y: r.baseline, label: t('vanishing.trained.baseline') }],
    });
    // how much of the gradient reaches the first step: gradNorm[T−1] / gradNorm[0], at the start and the end
    const reach = (run: TrainedResult['runs'][number], i: number) => { const g = run.flow[i]!.gradNorm; return g[g.length - 1]! / g[0]!; };
    const [rnn, lstm] = r.runs;
    const last = lstm.flow.length - 1;
    const readout = document.createElement('p');
    readout.className = 'readout';
    readout.textContent = t('vanishing.trained.readout', {
      steps: TRAINED.budget, lstmLoss: num(lstm.finalValLoss), rnnLoss: num(rnn.finalValLoss), baseline: num(r.baseline),
      d: r.distance.length - 1, lstm0: num(reach(lstm, 0)), lstm1: num(reach(lstm, last)), rnn0: num(reach(rnn, 0)), rnn1: num(reach(rnn, last)),
    });
    plot.append(readout);
    return {
      T: r.distance.length, flowSteps: lstm.flow.map((f) => f.step).join(','), baseline: r.baseline,
      rnnFinalValLoss: rnn.finalValLoss, lstmFinalValLoss: lstm.finalValLoss, lstmSolvedAt: lstm.solvedAt, rnnSolvedAt: rnn.solvedAt,
      rnnReachStart: reach(rnn, 0), rnnReachEnd: reach(rnn, last), lstmReachStart: reach(lstm, 0), lstmReachEnd: reach(lstm, last),
      lstmRateEnd: lstm.flow[last]!.rate, rnnRateEnd: rnn.flow[last]!.rate,
    };
  },
};

const section: SectionSpec = {
  id: 'vanishing',
  blocks: [text('vanishing.intro'), figure(linear), text('vanishing.after'), text('vanishing.nonlinear'), text('vanishing.gatesText'), figure(gates), text('vanishing.gatesAfter'), text('vanishing.trainedText'), figure(trained), text('vanishing.trainedAfter')],
};
export default section;
