// Deep and bidirectional RNNs: the notes' stacked and two-direction equations; a tagging task where
// each label depends on the next token (the bidirectional network wins), and d2l's "wrong
// application": a bidirectional language model, excellent on training perplexity, that cannot
// generate because it has been reading the answer.
import { t } from '../../../i18n';
import { drawLineChart, num } from '../../plot';
import { figure, text, type FigureSpec, type SectionSpec } from '../../types';
import { computeWords, lmCommand, taggerCommand, type LmParams, type LmResult, type TaggerParams, type TaggerResult } from './compute';

const worker = () => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const cellOptions = [{ value: 'gru', label: 'deep.ctl.gru' }, { value: 'lstm', label: 'deep.ctl.lstm' }, { value: 'rnn', label: 'deep.ctl.rnn' }];

/** Select and number values may arrive as strings: the settings as numbers. */
const normTagger = (p: TaggerParams): TaggerParams => ({ ...p, hidden: Number(p.hidden), epochs: Number(p.epochs), train: Number(p.train), lr: Number(p.lr), seed: Number(p.seed) });
const normLm = (p: LmParams): LmParams => ({ ...p, hidden: Number(p.hidden), epochs: Number(p.epochs), chars: Number(p.chars), seed: Number(p.seed) });

const tagger: FigureSpec<TaggerParams, TaggerResult> = {
  id: 'deep-tagger',
  title: 'deep.tagger.title',
  caption: 'deep.tagger.caption',
  worker,
  live: false,
  defaults: { cell: 'gru', hidden: 16, epochs: 5, train: 300, lr: 0.03, seed: 1 },
  controls: [
    { kind: 'select', name: 'cell', label: 'deep.ctl.cell', options: cellOptions },
    { kind: 'select', name: 'hidden', label: 'deep.ctl.hidden', options: [4, 8, 16, 32].map((h) => ({ value: String(h), label: `deep.ctl.h${h}` })) },
    { kind: 'range', name: 'epochs', label: 'deep.ctl.epochs', min: 1, max: 10, step: 1, digits: 0 },
    { kind: 'select', name: 'train', label: 'deep.ctl.train', options: [100, 300, 1000].map((n) => ({ value: String(n), label: `deep.ctl.n${n}` })) },
    { kind: 'number', name: 'seed', label: 'deep.ctl.seed', min: 0, max: 1e6, step: 1 },
  ],
  presets: [
    { label: 'deep.preset.lstm', params: { cell: 'lstm', lr: 0.01 } },
    { label: 'deep.preset.rnn', params: { cell: 'rnn', lr: 0.01 } },
    { label: 'deep.preset.tiny', params: { hidden: 4 } },
  ],
  command: (p) => taggerCommand(normTagger(p)),
  draw(plot, r) {
    const last = r.epochs.length - 1;
    drawLineChart(plot, {
      title: t('deep.tagger.chartTitle'), xLabel: t('deep.tagger.x'), yLabel: t('deep.tagger.y'), yMin: 0.5, yMax: 1, xTicks: epochTicks(r.epochs),
      series: [
        { label: t('deep.tagger.uni'), x: r.epochs, y: r.unidirectional, markers: true },
        { label: t('deep.tagger.bi'), x: r.epochs, y: r.bidirectional, markers: true },
      ],
      hlines: [{ y: r.currentDigitOnly, label: t('deep.tagger.rule', { acc: pct(r.currentDigitOnly) }) }],
    });
    const readout = document.createElement('p');
    readout.className = 'readout';
    readout.textContent = t('deep.tagger.readout', { epochs: r.epochs.length, uni: pct(r.unidirectional[last]!), bi: pct(r.bidirectional[last]!), rule: pct(r.currentDigitOnly) });
    plot.append(readout);
    return { epochs: r.epochs.length, uni: r.unidirectional[last]!, bi: r.bidirectional[last]!, uniBest: Math.max(...r.unidirectional), rule: r.currentDigitOnly };
  },
};

const lm: FigureSpec<LmParams, LmResult> = {
  id: 'deep-lm',
  title: 'deep.lm.title',
  caption: 'deep.lm.caption',
  worker,
  live: false,
  defaults: { cell: 'gru', hidden: 64, epochs: 6, chars: 10000, seed: 0 },
  controls: [
    { kind: 'select', name: 'cell', label: 'deep.ctl.cell', options: cellOptions },
    { kind: 'select', name: 'hidden', label: 'deep.ctl.hidden', options: [16, 32, 64].map((h) => ({ value: String(h), label: `deep.ctl.h${h}` })) },
    { kind: 'range', name: 'epochs', label: 'deep.ctl.epochs', min: 1, max: 10, step: 1, digits: 0 },
    { kind: 'select', name: 'chars', label: 'deep.ctl.chars', options: [5000, 10000, 20000].map((n) => ({ value: String(n), label: `deep.ctl.c${n}` })) },
    { kind: 'number', name: 'seed', label: 'deep.ctl.seed', min: 0, max: 1e6, step: 1 },
  ],
  presets: [
    { label: 'deep.preset.early', params: { epochs: 1 } },
    { label: 'deep.preset.lstmLm', params: { cell: 'lstm' } },
  ],
  command: (p) => lmCommand(normLm(p)),
  draw(plot, r) {
    const epochs = r.unidirectional.trainPerplexity.map((_, i) => i + 1);
    const uni = r.unidirectional.trainPerplexity.at(-1)!, bi = r.bidirectional.trainPerplexity.at(-1)!;
    drawLineChart(plot, {
      title: t('deep.lm.chartTitle'), xLabel: t('deep.lm.x'), yLabel: t('deep.lm.y'), yLog: true, xTicks: epochTicks(epochs),
      series: [
        { label: t('deep.lm.uni'), x: epochs, y: r.unidirectional.trainPerplexity, markers: true },
        { label: t('deep.lm.bi'), x: epochs, y: r.bidirectional.trainPerplexity, markers: true },
      ],
      hlines: [{ y: 1, label: t('deep.lm.perfect') }],
    });
    const words = { uni: computeWords(r.unidirectional.sample, r.known), bi: computeWords(r.bidirectional.sample, r.known) };
    const box = document.createElement('div');
    box.className = 'samples';
    for (const [key, run, w] of [['uni', r.unidirectional, words.uni], ['bi', r.bidirectional, words.bi]] as const) {
      const h = document.createElement('h4');
      h.textContent = t(`deep.lm.sample.${key}`, { ppl: num(run.trainPerplexity.at(-1)!), known: w.known, words: w.words });
      const out = document.createElement('p');
      out.className = 'output';
      out.textContent = run.sample;
      box.append(h, out);
    }
    plot.append(box);
    const readout = document.createElement('p');
    readout.className = 'readout';
    readout.textContent = t('deep.lm.readout', { uni: num(uni), bi: num(bi), ku: words.uni.known, nu: words.uni.words, kb: words.bi.known, nb: words.bi.words });
    plot.append(readout);
    return {
      epochs: epochs.length, vocab: r.vocab, uni, bi, ratio: uni / bi,
      uniKnown: words.uni.known / Math.max(1, words.uni.words), biKnown: words.bi.known / Math.max(1, words.bi.words),
      sampleLength: r.bidirectional.sample.length,
    };
  },
};

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
/** One tick per epoch: there is no epoch 1.5. */
function epochTicks(epochs: number[]) {
  return epochs.map((e) => ({ v: e, label: String(e) }));
}

const section: SectionSpec = {
  id: 'deep',
  blocks: [text('deep.intro'), text('deep.bi'), figure(tagger), text('deep.pitfall'), figure(lm), text('deep.after')],
};
export default section;
