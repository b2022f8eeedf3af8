// The Train tab: the form, start/pause/reset, live charts and streamed samples.
import timemachineUrl from '../../data/timemachine.txt?url';
import tinyshakespeareUrl from '../../data/tinyshakespeare.txt?url';
import { COLORS, LineChart } from './charts';
import { $, echo, fmt, inputEl, message, numberFrom, selectEl } from './dom';
import { onLangChange, t as tr } from './i18n';
import type { FromTrainWorker, TrainConfig } from './protocol';
import type { PageState } from './state';

const CORPUS_URLS: Record<string, string> = { timemachine: timemachineUrl, tinyshakespeare: tinyshakespeareUrl };
const texts = new Map<string, Promise<string>>();

async function corpusText(corpus: string): Promise<string> {
  if (corpus === 'pasted') return $<HTMLTextAreaElement>('corpus-text').value;
  let t = texts.get(corpus);
  if (!t) {
    t = fetch(CORPUS_URLS[corpus]!).then((r) => { if (!r.ok) throw new Error(`corpus ${corpus}: HTTP ${r.status}`); return r.text(); });
    texts.set(corpus, t);
    t.catch(() => texts.delete(corpus));
  }
  return t;
}

async function readConfig(): Promise<TrainConfig> {
  const corpus = selectEl('corpus').value as TrainConfig['corpus'];
  const int = (id: string, name: string, min: number, max: number) => numberFrom(id, name, { min, max, integer: true });
  const config: Omit<TrainConfig, 'text'> = {
    corpus, maxTokens: int('max-tokens', tr('train.maxTokens'), 0, 1e9), val: numberFrom('val', tr('train.val'), { min: 0, max: 0.5 }),
    cell: selectEl('cell').value as TrainConfig['cell'], nonlinearity: selectEl('nonlinearity').value as TrainConfig['nonlinearity'],
    hidden: int('hidden', tr('train.hidden'), 1, 4096), layers: int('layers', tr('train.layers'), 1, 16),
    batch: int('batch', tr('train.batch'), 1, 4096), steps: int('steps', tr('train.steps'), 1, 10000),
    optimizer: selectEl('optimizer').value as TrainConfig['optimizer'],
    lr: numberFrom('lr', tr('train.lr'), { min: 1e-12 }), clip: numberFrom('clip', tr('train.clip'), { min: 0 }),
    epochs: int('epochs', tr('train.epochs'), 1, 1e6), seed: 0,
  };
  return { ...config, text: await corpusText(corpus) };
}

export function setupTrain(worker: Worker, state: PageState): (m: FromTrainWorker) => void {
  const ppl = new LineChart($('chart-ppl'), {
    title: 'train.chartPpl', xLabel: 'train.chartStep', yLabel: 'train.chartPplAxis', yLog: true, sparse: [2],
    series: [{ label: 'train.seriesMinibatch', color: '#b9cde3', width: 1 }, { label: 'train.seriesSmoothed', color: COLORS[0], width: 2 },
             { label: 'train.seriesVal', color: COLORS[1], points: true, width: 2 }],
  });
  const grad = new LineChart($('chart-grad'), {
    title: 'train.chartGrad', xLabel: 'train.chartStep', yLabel: 'train.chartGradAxis', yLog: true,
    series: [{ label: 'train.seriesBefore', color: COLORS[2] }, { label: 'train.seriesAfter', color: COLORS[4], dash: [6, 4] }],
  });
  const tps = new LineChart($('chart-tps'), { title: 'train.chartTps', xLabel: 'train.chartStep', yLabel: 'train.chartTpsAxis', series: [{ label: 'train.chartTpsAxis', color: COLORS[3] }] });
  let ema: { loss: number; tps: number } | undefined;
  let info = '';
  let phase: 'idle' | 'running' | 'paused' | 'done' = 'idle';
  let current = 0; // the run shown; 0 after a reset, until the next one starts
  const t = state.train;

  const buttons = () => {
    $<HTMLButtonElement>('start').textContent = tr(phase === 'paused' ? 'train.resume' : 'train.start');
    $<HTMLButtonElement>('start').disabled = phase === 'running';
    $<HTMLButtonElement>('pause').disabled = phase !== 'running';
    $<HTMLButtonElement>('download').disabled = phase === 'idle';
  };
  const status = () => {
    $('train-status').textContent = phase === 'idle' ? info || tr('train.idle')
      : `${phase === 'paused' ? tr('train.paused') : phase === 'done' ? tr('train.stopped') : ''}` +
        tr('train.progress', { step: fmt(t.steps), epoch: t.epoch, ppl: fmt(t.perplexity ?? NaN, 2), val: t.valPerplexity === null ? '—' : fmt(t.valPerplexity, 2), tps: fmt(t.tokensPerSecond ?? NaN) }) +
        ` — ${info}`;
  };

  selectEl('corpus').addEventListener('change', () => { $('corpus-text').hidden = selectEl('corpus').value !== 'pasted'; });
  const cellChanged = () => {
    const c = selectEl('cell').value;
    selectEl('nonlinearity').disabled = !(c === 'rnn' || c.startsWith('residual'));
  };
  selectEl('cell').addEventListener('change', cellChanged);
  cellChanged();

  onLangChange(() => { buttons(); status(); });
  buttons();
  status();
  $('start').addEventListener('click', async () => {
    message('train-msg', null);
    if (phase === 'paused') { worker.postMessage({ type: 'resume' }); return; }
    try {
      $<HTMLButtonElement>('start').disabled = true;
      worker.postMessage({ type: 'start', config: await readConfig() });
    } catch (e) {
      message('train-msg', (e as Error).message);
      buttons();
    }
  });
  $('pause').addEventListener('click', () => worker.postMessage({ type: 'pause' }));
  $('reset').addEventListener('click', () => {
    worker.postMessage({ type: 'reset' });
    phase = 'idle';
    current = 0;
    info = '';
    for (const c of [ppl, grad, tps]) c.clear();
    $('samples').replaceChildren();
    Object.assign(t, { steps: 0, epoch: 0, firstPerplexity: null, perplexity: null, valPerplexity: null, tokensPerSecond: null, samples: 0 });
    buttons();
    status();
  });
  $('download').addEventListener('click', () => worker.postMessage({ type: 'download' }));
  const settings = () => worker.postMessage({ type: 'settings', settings: { prefix: inputEl('prefix').value, temperature: Number(inputEl('temperature').value) } });
  inputEl('prefix').addEventListener('input', settings);
  echo('temperature', 'temperature-value', settings);

  return (m) => {
    if ((m.type === 'steps' || m.type === 'val' || m.type === 'sample' || m.type === 'running') && m.run !== current) return;
    switch (m.type) {
      case 'started':
        current = m.run;
        info = m.info.description;
        for (const c of [ppl, grad, tps]) c.clear();
        $('samples').replaceChildren();
        ema = undefined;
        Object.assign(t, { steps: 0, epoch: 0, firstPerplexity: null, perplexity: null, valPerplexity: null, tokensPerSecond: null, samples: 0 });
        break;
      case 'running':
        // paused: Resume continues; done (finished, early stop, error): Start begins a new run
        phase = m.running ? 'running' : m.outcome === 'stopped' ? 'paused' : t.steps > 0 ? 'done' : 'idle';
        if (m.outcome === 'done' || m.outcome === 'early') info = `${tr(m.outcome === 'early' ? 'train.finishedEarly' : 'train.finishedAll')} — ${info}`;
        break;
      case 'steps':
        for (const p of m.points) {
          ema = ema ? { loss: 0.9 * ema.loss + 0.1 * p.loss, tps: 0.9 * ema.tps + 0.1 * p.tokensPerSecond } : { loss: p.loss, tps: p.tokensPerSecond };
          ppl.push(p.step, [Math.exp(p.loss), Math.exp(ema.loss), null]);
          grad.push(p.step, [p.gradNorm, p.gradNormClipped]);
          tps.push(p.step, [ema.tps]);
          t.firstPerplexity ??= Math.exp(p.loss);
          Object.assign(t, { steps: p.step, epoch: p.epoch, perplexity: Math.exp(ema.loss), tokensPerSecond: ema.tps });
        }
        break;
      case 'val':
        ppl.setAt(m.step, 2, m.perplexity);
        t.valPerplexity = m.perplexity;
        break;
      case 'sample': {
        const li = document.createElement('li');
        const step = document.createElement('span');
        step.className = 'step';
        step.textContent = tr('train.sampleStep', { step: fmt(m.step) });
        li.append(step, m.text);
        $('samples').prepend(li);
        while ($('samples').children.length > 6) $('samples').lastElementChild!.remove();
        t.samples++;
        t.lastSample = m.text;
        break;
      }
      case 'error':
        message('train-msg', m.message);
        break;
      default:
        return;
    }
    buttons();
    status();
  };
}
