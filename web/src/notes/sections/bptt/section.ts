// The simple RNN and back-propagation through time: the unrolled graph for a small T, the per-step
// losses summed, the size of every backward path from a loss L_t to an earlier state h_k, and
// truncated BPTT as a window (dragged along the graph, or set by the sliders) that cuts the paths
// reaching further back than K steps.
import { t } from '../../../i18n';
import { drawLineChart, insertSvg, num } from '../../plot';
import { figure, text, type FigureSpec, type SectionSpec } from '../../types';
import { bpttCommand, keptShare, type BpttParams, type BpttResult } from './compute';
import { stepAt, unrolledGraph } from './graph';

const unrolled: FigureSpec<BpttParams, BpttResult> = {
  id: 'bptt-unrolled',
  title: 'bptt.fig.title',
  caption: 'bptt.fig.caption',
  worker: () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }),
  defaults: { steps: 10, window: 4, loss: 9, radius: 1, seed: 0 },
  controls: [
    { kind: 'range', name: 'steps', label: 'bptt.ctl.steps', min: 2, max: 16, step: 1, digits: 0 },
    { kind: 'range', name: 'loss', label: 'bptt.ctl.loss', min: 0, max: 15, step: 1, digits: 0 },
    { kind: 'range', name: 'window', label: 'bptt.ctl.window', min: 1, max: 16, step: 1, digits: 0 },
    { kind: 'range', name: 'radius', label: 'bptt.ctl.radius', min: 0.5, max: 2, step: 0.05 },
    { kind: 'number', name: 'seed', label: 'bptt.ctl.seed', min: 0, max: 1e6, step: 1 },
  ],
  presets: [
    { label: 'bptt.preset.full', params: { window: 16 } },
    { label: 'bptt.preset.one', params: { window: 1 } },
    { label: 'bptt.preset.explode', params: { radius: 1.8, window: 16 } },
    { label: 'bptt.preset.early', params: { loss: 3, window: 2 } },
  ],
  command: (p) => bpttCommand(p),
  draw(plot, r, p, set) {
    const T = r.T;
    const tSel = Math.min(p.loss, T - 1), K = Math.min(p.window, T);
    const row = r.heatmap.slice(tSel * T, tSel * T + T);
    const holder = document.createElement('div');
    holder.className = 'bptt-graph';
    holder.tabIndex = -1;
    plot.append(holder);
    const width = Math.max(300, Math.min(900, plot.clientWidth || 640));
    const labels = (ts: number) => ({
      state: 'h', input: 'x', loss: 'L', total: t('bptt.fig.total'), window: t('bptt.fig.windowLabel', { K, t: ts }), cut: t('bptt.fig.cut'),
    });
    const render = (ts: number) => {
      holder.replaceChildren();
      insertSvg(holder, unrolledGraph(T, ts, K, r.heatmap.slice(ts * T, ts * T + T), width, labels(ts)), t('bptt.fig.graphLabel', { t: ts, K }));
    };
    render(tSel);
    // drag the window along the graph: redraw as it moves, settle the setting on release
    let dragging: number | null = null;
    holder.addEventListener('pointerdown', (e) => { dragging = tSel; holder.setPointerCapture(e.pointerId); move(e); });
    const move = (e: PointerEvent) => {
      if (dragging === null) return;
      const box = holder.getBoundingClientRect();
      const ts = stepAt(((e.clientX - box.left) / box.width) * width, T, width);
      if (ts !== dragging) { dragging = ts; render(ts); }
    };
    holder.addEventListener('pointermove', move);
    holder.addEventListener('pointerup', () => { if (dragging !== null && dragging !== tSel) set({ loss: dragging } as Partial<BpttParams>); dragging = null; });
    // the paths of L_t against the distance back, with the window shaded
    const ks = Array.from({ length: tSel + 1 }, (_, k) => k);
    drawLineChart(plot, {
      title: t('bptt.fig.pathsTitle', { t: tSel }), xLabel: t('bptt.fig.pathsX'), yLabel: t('bptt.fig.pathsY', { t: tSel }), yLog: true,
      series: [{ label: t('bptt.fig.pathsSeries', { t: tSel }), x: ks, y: ks.map((k) => row[k]!), markers: true }],
      shade: [{ from: Math.max(-0.5, tSel - K + 0.5), to: tSel + 0.5, label: t('bptt.fig.windowShade', { K }), color: '#dde7f3' }],
      xMin: -0.5, xMax: Math.max(tSel, 1) + 0.5, height: 300,
      xTicks: ks.filter((k) => k % Math.ceil((tSel + 1) / 8) === 0).map((k) => ({ v: k, label: String(k) })),
    });
    const kept = keptShare(r, tSel, K);
    const readout = document.createElement('p');
    readout.className = 'readout';
    readout.textContent = t('bptt.fig.readout', { t: tSel, K, kept: (100 * kept).toFixed(1), near: num(row[tSel]), far: num(row[0]) });
    plot.append(readout);
    return { T, loss: tSel, window: K, kept, nearest: row[tSel]!, farthest: row[0]!, paths: tSel + 1, cut: Math.max(0, tSel + 1 - K) };
  },
};

const section: SectionSpec = {
  id: 'bptt',
  blocks: [text('bptt.intro'), text('bptt.gradients'), figure(unrolled), text('bptt.truncated')],
};
export default section;
