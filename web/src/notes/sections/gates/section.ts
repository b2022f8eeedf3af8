// GRU and LSTM: the gates over a real text. A small character model trains in the worker; the
// page colours each character of a validation passage by one unit's state, its keep gate (LSTM
// forget f, GRU update z) and the model's surprise −log p, and shows how saturated the gates
// become epoch by epoch.
import { PALETTE } from '../../../../../src/charts/index.js';
import { t } from '../../../i18n';
import { drawLineChart, num } from '../../plot';
import { figure, text, type FigureSpec, type SectionSpec } from '../../types';
import { gatesCommand, normGates, type GatesParams, type GatesResult } from './compute';

/** Surprise above this many nats gets the strongest colour (ln 28 ≈ 3.3 is a uniform guess). */
const SURPRISE_MAX = 6;

const gates: FigureSpec<GatesParams, GatesResult> = {
  id: 'gates-text',
  title: 'gates.text.title',
  caption: 'gates.text.caption',
  worker: () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }),
  defaults: { cell: 'lstm', hidden: 32, epochs: 4, seed: 0, unit: 0 },
  controls: [
    { kind: 'number', name: 'unit', label: 'gates.ctl.unit', min: 0, max: 127, step: 1 },
    { kind: 'select', name: 'cell', label: 'gates.ctl.cell', options: [{ value: 'lstm', label: 'gates.ctl.lstm' }, { value: 'gru', label: 'gates.ctl.gru' }] },
    { kind: 'select', name: 'hidden', label: 'gates.ctl.hidden', options: [16, 32, 64].map((h) => ({ value: String(h), label: `gates.ctl.h${h}` })) },
    { kind: 'select', name: 'epochs', label: 'gates.ctl.epochs', options: [1, 2, 4, 8].map((e) => ({ value: String(e), label: `gates.ctl.e${e}` })) },
    { kind: 'number', name: 'seed', label: 'gates.ctl.seed', min: 0, max: 1e6, step: 1 },
  ],
  presets: [
    { label: 'gates.preset.unit5', params: { unit: 5 } },
    { label: 'gates.preset.gru', params: { cell: 'gru' } },
    { label: 'gates.preset.early', params: { epochs: 1 } },
  ],
  live: false,
  command: (p) => gatesCommand(p),
  draw(plot, r, settings) {
    const p = normGates(settings);
    const tr = r.trace;
    const unit = Math.max(0, Math.min(tr.H - 1, Math.floor(p.unit)));
    const gateName = t(tr.cell === 'lstm' ? 'gates.text.forget' : 'gates.text.update');
    const hidden = (i: number) => tr.hidden[i * tr.H + unit]!;
    const keep = (i: number) => tr.keep[i * tr.H + unit]!;
    plot.append(
      textRow(r.chars, t('gates.text.rowHidden', { unit }), hidden, (v) => diverging(v), t('gates.text.keyHidden')),
      textRow(r.chars, t('gates.text.rowGate', { gate: gateName, unit }), keep, (v) => sequential(v, 150), t('gates.text.keyGate')),
      textRow(r.chars, t('gates.text.rowSurprise'), (i) => tr.surprise[i] ?? NaN, (v) => sequential(Math.min(1, v / SURPRISE_MAX), 5), t('gates.text.keySurprise', { max: SURPRISE_MAX })),
    );
    // the keep gates' histogram after each epoch: the fraction of all H × T values in each tenth of [0, 1]
    const chart = document.createElement('div');
    plot.append(chart);
    const centres = Array.from({ length: 10 }, (_, b) => (b + 0.5) / 10);
    drawLineChart(chart, {
      title: t('gates.text.histTitle', { gate: gateName }), xLabel: t('gates.text.histX', { gate: gateName }), yLabel: t('gates.text.histY'),
      xMin: 0, xMax: 1, yMin: 0,
      series: r.epochs.map((e, i) => ({ label: t('gates.text.histEpoch', { epoch: e.epoch, step: e.step }), x: centres, y: e.saturation.histogram, markers: true,
                                        color: PALETTE[i % PALETTE.length]!, width: i === r.epochs.length - 1 ? 2.5 : 1.5 })),
    });
    const first = r.epochs[0]!, last = r.epochs[r.epochs.length - 1]!;
    const valid = tr.surprise.filter((s): s is number => s !== null);
    const meanSurprise = valid.reduce((a, b) => a + b, 0) / valid.length;
    const readout = document.createElement('p');
    readout.className = 'readout';
    readout.textContent = t('gates.text.readout', {
      gate: gateName, unit, chars: tr.T, ppl: num(last.valPerplexity), surprise: num(meanSurprise),
      low0: pct(first.saturation.low), high0: pct(first.saturation.high), low1: pct(last.saturation.low), high1: pct(last.saturation.high),
      epoch0: first.epoch, epoch1: last.epoch,
    });
    plot.append(readout);
    const hist = last.saturation.histogram;
    return {
      cell: tr.cell, T: tr.T, H: tr.H, unit, epochs: r.epochs.length, valPerplexity: last.valPerplexity,
      firstValPerplexity: first.valPerplexity, meanSurprise, histSum: hist.reduce((a, b) => a + b, 0),
      lowFirst: first.saturation.low, highFirst: first.saturation.high, lowLast: last.saturation.low, highLast: last.saturation.high,
      unitHidden0: hidden(0), unitGate0: keep(0),
    };
  },
};

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

/** A background for v in [−1, 1]: blue below 0, orange above, white at 0; dark text stays readable. */
function diverging(v: number): string {
  const a = Math.max(-1, Math.min(1, v));
  return `hsl(${a < 0 ? 210 : 28} 85% ${Math.round(97 - 37 * Math.abs(a))}%)`;
}

/** A background for v in [0, 1] on one hue: white at 0, the hue at 1 (lightness ≥ 60%). */
function sequential(v: number, hue: number): string {
  if (!Number.isFinite(v)) return 'transparent';
  return `hsl(${hue} 75% ${Math.round(97 - 37 * Math.max(0, Math.min(1, v)))}%)`;
}

/** One labelled line of coloured characters; each character's value is in its title. */
function textRow(chars: string[], label: string, value: (i: number) => number, color: (v: number) => string, key: string): HTMLElement {
  const box = document.createElement('div');
  box.className = 'gate-row';
  const h = document.createElement('p');
  h.className = 'gate-label';
  h.innerHTML = '';
  h.append(Object.assign(document.createElement('strong'), { textContent: label }), ` ${key}`);
  const p = document.createElement('p');
  p.className = 'gate-text';
  p.style.cssText = 'font-family: ui-monospace, monospace; line-height: 1.7; word-break: break-all; white-space: pre-wrap; margin: 0.2em 0 0.8em; color: #111;';
  chars.forEach((c, i) => {
    const s = document.createElement('span');
    const v = value(i);
    s.textContent = c;
    s.style.background = color(v);
    s.title = Number.isFinite(v) ? num(v) : '—';
    p.append(s);
  });
  box.append(h, p);
  return box;
}

const section: SectionSpec = {
  id: 'gates',
  blocks: [text('gates.intro'), figure(gates), text('gates.after')],
};
export default section;
