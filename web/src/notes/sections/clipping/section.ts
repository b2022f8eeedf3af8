// Gradient clipping: the notes' remedy for exploding gradients, g ← min(1, θ/‖g‖)·g, on one
// exploding configuration (a tanh RNN whose W_h has spectral radius 1.5, plain SGD) trained twice
// from the same initialisation and the same batches: without clipping, and with it.
import { t } from '../../../i18n';
import { drawLineChart, num } from '../../plot';
import { figure, text, type FigureSpec, type SectionSpec } from '../../types';
import { clipCommand, normClip, type ClipParams, type ClipResult } from './compute';

const run: FigureSpec<ClipParams, ClipResult> = {
  id: 'clipping-run',
  title: 'clipping.run.title',
  caption: 'clipping.run.caption',
  worker: () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }),
  defaults: { radius: 1.5, lr: 0.1, clip: 1, steps: 40, budget: 150, seed: 0 },
  controls: [
    { kind: 'range', name: 'radius', label: 'clipping.ctl.radius', min: 0.5, max: 3, step: 0.1, digits: 1 },
    { kind: 'select', name: 'lr', label: 'clipping.ctl.lr', options: ['0.01', '0.03', '0.1', '0.3'].map((v) => ({ value: v, label: `clipping.ctl.lr${v.replace('.', '')}` })) },
    { kind: 'select', name: 'clip', label: 'clipping.ctl.clip', options: ['0.25', '1', '4'].map((v) => ({ value: v, label: `clipping.ctl.clip${v.replace('.', '')}` })) },
    { kind: 'number', name: 'seed', label: 'clipping.ctl.seed', min: 0, max: 1e6, step: 1 },
  ],
  presets: [
    { label: 'clipping.preset.small', params: { radius: 0.9 } },
    { label: 'clipping.preset.slow', params: { lr: 0.01 } },
    { label: 'clipping.preset.tight', params: { clip: 0.25 } },
  ],
  live: false,
  command: (p) => clipCommand(p),
  draw(plot, r, settings) {
    const p = normClip(settings);
    const [off, on] = r.runs;
    const label = (c: number) => (c > 0 ? t('clipping.run.with', { theta: num(c) }) : t('clipping.run.without'));
    const colors = ['#d62728', '#1f5fa8']; // no clipping red, clipped blue
    const row = document.createElement('div');
    row.className = 'fig-row';
    plot.append(row);
    const left = document.createElement('div'), right = document.createElement('div');
    row.append(left, right);
    const vlines = off.diverged === null ? [] : [{ x: off.diverged, label: t('clipping.run.divergedLine', { step: off.diverged }) }];
    drawLineChart(left, {
      title: t('clipping.run.lossTitle'), xLabel: t('clipping.run.stepX'), yLabel: t('clipping.run.lossY'), yLog: true, xMin: 0, xMax: p.budget,
      series: r.runs.map((x, i) => ({ label: label(x.clip), x: x.step, y: x.loss, color: colors[i]!, width: 1.5 })),
      hlines: [{ y: r.baseline, label: t('clipping.run.baseline') }], vlines,
    });
    drawLineChart(right, {
      title: t('clipping.run.normTitle'), xLabel: t('clipping.run.stepX'), yLabel: t('clipping.run.normY'), yLog: true, xMin: 0, xMax: p.budget,
      series: [
        ...r.runs.map((x, i) => ({ label: t('clipping.run.before', { run: label(x.clip) }), x: x.step, y: x.gradNorm, color: colors[i]!, width: 1.5 })),
        { label: t('clipping.run.after', { run: label(on.clip) }), x: on.step, y: on.gradNormClipped, color: colors[1]!, dashed: true, width: 1 },
      ],
      hlines: [{ y: on.clip, label: t('clipping.run.theta', { theta: num(on.clip) }) }], vlines,
    });
    const clipped = on.gradNorm.filter((g) => g > on.clip).length;
    const readout = document.createElement('p');
    readout.className = 'readout';
    readout.textContent = `${off.diverged === null
      ? t('clipping.run.readoutOffOk', { loss: num(off.finalValLoss), steps: off.step.length })
      : t('clipping.run.readoutOffDiverged', { step: off.diverged, norm: num(Math.max(...off.gradNorm)) })} ${on.diverged === null
      ? t('clipping.run.readoutOnOk', { theta: num(on.clip), clipped, steps: on.step.length, loss: num(on.finalValLoss), baseline: num(r.baseline) })
      : t('clipping.run.readoutOnDiverged', { theta: num(on.clip), step: on.diverged })}`;
    plot.append(readout);
    return {
      offDiverged: off.diverged, onDiverged: on.diverged, offSteps: off.step.length, onSteps: on.step.length,
      offMaxNorm: Math.max(...off.gradNorm), onMaxNorm: Math.max(...on.gradNorm), onMaxClipped: Math.max(...on.gradNormClipped),
      clippedSteps: clipped, onFinalVal: on.finalValLoss, offFinalVal: off.finalValLoss, baseline: r.baseline, theta: on.clip,
    };
  },
};

const section: SectionSpec = {
  id: 'clipping',
  blocks: [text('clipping.intro'), figure(run), text('clipping.after')],
};
export default section;
