// Memory: how a network gets to see the past — a delay line (TDNN), its own past outputs (AR,
// NARX) — and what happens when a model forecasts from its own outputs (closed loop) instead of
// the true values (open loop, the notes' teacher forcing).
import { linearTicks } from '../../../../../src/charts/index.js';
import { t } from '../../../i18n';
import { drawLineChart, num } from '../../plot';
import { figure, text, type FigureSpec, type SectionSpec } from '../../types';
import { memoryCommand, type MemoryParams, type MemoryResult } from './compute';

const loops: FigureSpec<MemoryParams, MemoryResult> = {
  id: 'memory-loops',
  title: 'memory.loops.title',
  caption: 'memory.loops.caption',
  worker: () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }),
  defaults: { data: 'airline', model: 'ar', log: false, epochs: 100, seed: 0 },
  controls: [
    { kind: 'select', name: 'data', label: 'memory.ctl.data', options: ['airline', 'sunspots', 'narma10'].map((v) => ({ value: v, label: `memory.data.${v}` })) },
    { kind: 'select', name: 'model', label: 'memory.ctl.model', options: ['ar', 'narx', 'tdnn'].map((v) => ({ value: v, label: `memory.model.${v}` })) },
    { kind: 'checkbox', name: 'log', label: 'memory.ctl.log' },
    { kind: 'number', name: 'epochs', label: 'memory.ctl.epochs', min: 1, max: 500, step: 1 },
    { kind: 'number', name: 'seed', label: 'memory.ctl.seed', min: 0, max: 1e6, step: 1 },
  ],
  presets: [
    { label: 'memory.preset.sunspotsAr', params: { data: 'sunspots', model: 'ar' } },
    { label: 'memory.preset.narma', params: { data: 'narma10', model: 'narx', epochs: 40 } },
    { label: 'memory.preset.airlineTdnn', params: { data: 'airline', model: 'tdnn', log: true, epochs: 150 } },
    { label: 'memory.preset.airlineNarx', params: { data: 'airline', model: 'narx', log: true, epochs: 200 } },
  ],
  command: (p) => memoryCommand(p),
  draw(plot, r, p) {
    const row = document.createElement('div');
    row.className = 'fig-row';
    plot.append(row);
    const left = document.createElement('div'), right = document.createElement('div');
    row.append(left, right);
    const T = r.test;
    const tx = T.actual.map((_, i) => T.from + i);
    const hx = r.history.values.map((_, i) => r.history.from + i);
    const m = t(`memory.model.${p.model}`);
    const x0 = r.history.from, x1 = T.from + T.actual.length - 1;
    drawLineChart(left, {
      title: t('memory.loops.seriesTitle'), xLabel: t('memory.loops.time'), yLabel: t(`memory.loops.y.${p.data}`),
      xMin: x0, xMax: x1, xTicks: linearTicks(x0, x1, 5).major.filter((k) => k.v >= x0 && k.v <= x1),
      series: [
        { label: t('memory.loops.history'), x: hx, y: r.history.values, color: '#999', width: 1.5 },
        { label: t('memory.loops.actual'), x: tx, y: T.actual, color: '#222', width: 2 },
        { label: t('memory.loops.open', { model: m }), x: tx, y: T.open, color: '#4e79a7', width: 2 },
        { label: t('memory.loops.closed', { model: m }), x: tx, y: T.closed, color: '#e15759', width: 2.5 },
        { label: t('memory.loops.snaive'), x: tx, y: T.seasonalNaive, color: '#59a14f', dashed: true, width: 1.5 },
      ],
      vlines: [{ x: T.from - 0.5, label: t('memory.loops.origin') }],
    });
    const h = T.actual.map((_, i) => i + 1);
    drawLineChart(right, {
      title: t('memory.loops.horizonTitle'), xLabel: t('memory.loops.horizon'), yLabel: t('memory.loops.rmse'),
      series: [
        { label: t('memory.loops.closed', { model: m }), x: h, y: r.running.closed, color: '#e15759', width: 2.5 },
        { label: t('memory.loops.open', { model: m }), x: h, y: r.running.open, color: '#4e79a7', width: 2 },
        { label: t('memory.loops.snaive'), x: h, y: r.running.seasonalNaive, color: '#59a14f', dashed: true, width: 1.5 },
        { label: t('memory.loops.naive'), x: h, y: r.running.naive, color: '#b07aa1', dashed: true, width: 1.5 },
      ],
      ...(r.breakdown !== null ? { vlines: [{ x: r.breakdown, label: t('memory.loops.breakdownLine', { h: r.breakdown }) }] } : {}),
    });
    const readout = document.createElement('p');
    readout.className = 'readout';
    readout.textContent = t('memory.loops.readout', {
      model: r.description, open: num(r.rmse.open), closed: num(r.rmse.closed), snOpen: num(r.rmse.seasonalNaiveOpen), snClosed: num(r.rmse.seasonalNaiveClosed), S: r.seasonalPeriod,
    }) + ' ' + (r.breakdown === null ? t('memory.loops.holds', { n: T.actual.length }) : t('memory.loops.breaks', { h: r.breakdown, n: T.actual.length }));
    plot.append(readout);
    return {
      data: p.data, model: p.model, testSize: T.actual.length, seasonalPeriod: r.seasonalPeriod,
      openRmse: r.rmse.open, closedRmse: r.rmse.closed, seasonalNaiveOpenRmse: r.rmse.seasonalNaiveOpen, seasonalNaiveClosedRmse: r.rmse.seasonalNaiveClosed,
      breakdown: r.breakdown, trained: r.training !== null,
    };
  },
};

const section: SectionSpec = {
  id: 'memory',
  blocks: [text('memory.intro'), text('memory.models'), text('memory.loopsText'), figure(loops), text('memory.after')],
};
export default section;
