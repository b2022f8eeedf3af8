// The train worker: recur's LmTrainer on the WASM kernels, off the page's thread. It posts step
// points in batches (every ~100 ms), a quick validation perplexity and a sample every few seconds,
// and answers checkpoint, generation and benchmark requests between training steps.
import {
  DEFAULT_TRAIN, LanguageModel, LmTrainer, RecurError, Rng, Vocab, evaluatePerplexity, generate, loadKernels, loadLm, parseSafetensors, recurrentConfig, serializeSafetensors, tokenize, type Kernels, type LoadKernelsOptions, type RecurrentConfig,
} from 'recur';
import { BenchWorkload, measure } from '../../src/models/bench-workload.js';
import type { FromTrainWorker, GenerateRequest, StepPoint, ToTrainWorker, TrainConfig } from './protocol';

const scope = self as unknown as {
  postMessage(m: FromTrainWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToTrainWorker>) => void) | null;
  crossOriginIsolated?: boolean;
};
const post = (m: FromTrainWorker, transfer: Transferable[] = []) => scope.postMessage(m, transfer);
const isolated = scope.crossOriginIsolated === true;

/** Fresh kernels (and so a fresh WASM memory) per run: a reset gives all its memory back, and
 *  dispose() ends the old kernels' worker threads. Threads are asked for where the page is
 *  cross-origin isolated; each is a module Worker (nested in this one) that Vite bundles from the
 *  literal URL below. A backend without threads runs on one. */
function kernels(): Promise<Kernels> {
  const threads: LoadKernelsOptions = isolated ? {
    threads: navigator.hardwareConcurrency || 1,
    createWorker: () => new Worker(new URL('../../src/kernels/wasm/worker.ts', import.meta.url), { type: 'module' }),
  } : {};
  return loadKernels({ prefer: 'auto', ...threads });
}

interface Run {
  id: number;
  kernels: Kernels;
  config: TrainConfig;
  trainer: LmTrainer;
  model: LanguageModel;
  vocab: Vocab;
  ids: Int32Array;
  valQuick: Int32Array | undefined; // a slice of the validation split for the frequent estimate
}
let run: Run | undefined;
let runs = 0;
let running: Promise<void> | undefined; // the training loop, while it runs
let stopRequested = false;
let loaded: { model: LanguageModel; vocab: Vocab; name: string; kernels: Kernels } | undefined;

/** Forget the run and end its kernels' threads. */
function dropRun(): void {
  run?.kernels.dispose?.();
  run = undefined;
}
let settings = { prefix: '', temperature: 0.8 };

function rnnConfig(c: TrainConfig, inputSize: number): RecurrentConfig {
  const base = { inputSize, hiddenSize: c.hidden, numLayers: c.layers };
  switch (c.cell) {
    case 'rnn': return recurrentConfig({ ...base, cell: 'rnn', nonlinearity: c.nonlinearity });
    case 'gru': return recurrentConfig({ ...base, cell: 'gru', resetAfter: false });
    case 'gru-after': return recurrentConfig({ ...base, cell: 'gru', resetAfter: true });
    case 'lstm': return recurrentConfig({ ...base, cell: 'lstm' });
    case 'residual': return recurrentConfig({ ...base, cell: 'residual', residual: 'x', nonlinearity: c.nonlinearity });
    case 'residual-xh': return recurrentConfig({ ...base, cell: 'residual', residual: 'xh', nonlinearity: c.nonlinearity });
  }
}

const count = (n: number) => n.toLocaleString('en-US');

/** Stop the training loop, if it runs, and wait for it to finish its step. */
async function stop(): Promise<void> {
  stopRequested = true;
  await running;
}

async function start(c: TrainConfig): Promise<void> {
  await stop();
  dropRun();
  if (c.text.trim().length === 0) {
    throw new RecurError(c.corpus === 'pasted' ? 'corpus: the pasted text is empty; paste some text or pick a shipped corpus' : `corpus ${c.corpus}: the text is empty`);
  }
  let tokens = tokenize(c.text, 'char', 'none');
  if (c.maxTokens > 0) tokens = tokens.slice(0, c.maxTokens);
  const vocab = Vocab.build(tokens, { kind: 'char', preprocess: 'none' });
  const ids = vocab.encode(tokens, 'corpus');
  const nVal = Math.floor(ids.length * c.val);
  const train = ids.subarray(0, ids.length - nVal);
  const val = nVal >= 2 ? ids.subarray(ids.length - nVal) : undefined;
  const k = await kernels();
  let model: LanguageModel;
  let trainer: LmTrainer;
  try {
    model = new LanguageModel({ vocabSize: vocab.size, embeddingSize: null, rnn: rnnConfig(c, vocab.size) }, k, new Rng(c.seed));
    const options = { ...DEFAULT_TRAIN, batch: c.batch, steps: c.steps, optimizer: c.optimizer, lr: c.lr, clip: c.clip, epochs: c.epochs, seed: c.seed };
    try {
      trainer = new LmTrainer(model, vocab, k, train, val, options);
    } catch (e) {
      throw new RecurError(`corpus: ${count(train.length)} training tokens are too few for batch ${c.batch} × sequence length ${c.steps} (${(e as Error).message})`);
    }
  } catch (e) {
    k.dispose?.(); // no run holds these kernels: end their threads
    throw e;
  }
  // whole T-step chunks for every row: the quick estimate reuses the training workspace's shape
  const quick = c.batch * c.steps * 4 + 1;
  run = { id: ++runs, kernels: k, config: c, trainer, model, vocab, ids, valQuick: val && val.length >= quick ? val.subarray(0, quick) : val };
  post({ type: 'started', run: run.id, info: {
    vocab: vocab.size, params: model.params.data.length, trainTokens: train.length, valTokens: val?.length ?? 0,
    batchesPerEpoch: trainer.batchesPerEpoch,
    description: `${c.cell} H=${c.hidden}${c.layers > 1 ? ` × ${c.layers} layers` : ''}, ${count(model.params.data.length)} parameters, vocabulary ${vocab.size} characters, ${count(train.length)} training and ${count(val?.length ?? 0)} validation tokens, ${k.name}${k.threads > 1 ? ` × ${k.threads} threads` : ''}`,
  } });
  loop(run);
}

function loop(r: Run): void {
  if (running) return;
  stopRequested = false;
  running = train(r).finally(() => { running = undefined; });
}

async function train(r: Run): Promise<void> {
  post({ type: 'running', run: r.id, running: true });
  const { batch: B, steps: T } = r.config;
  let pending: StepPoint[] = [];
  const flush = () => { if (pending.length) post({ type: 'steps', run: r.id, points: pending }); pending = []; };
  let lastExit = performance.now();
  let lastFlush = lastExit, lastVal = lastExit - 1000, lastSample = lastExit - 1000;
  try {
    const outcome = await r.trainer.run({
      onStep: (s) => {
        const now = performance.now();
        // tokens/s from the page's own clock: the step and the trainer's bookkeeping, not our extras
        pending.push({ step: s.step, epoch: s.epoch, loss: s.loss, gradNorm: s.gradNorm, gradNormClipped: s.gradNormClipped,
                       tokensPerSecond: (B * T * 1000) / Math.max(1e-3, now - lastExit) });
        if (now - lastFlush > 100) { flush(); lastFlush = now; }
        if (r.valQuick && now - lastVal > 2000) {
          flush();
          post({ type: 'val', run: r.id, step: s.step, perplexity: evaluatePerplexity(r.model, r.valQuick, { steps: T, rows: B }).perplexity });
          lastVal = performance.now();
        }
        if (now - lastSample > 2500) {
          flush();
          post({ type: 'sample', run: r.id, step: s.step, text: sample(r.model, r.vocab, settings.prefix, defaultPrefix(r), 160, settings.temperature, s.step) });
          lastSample = performance.now();
        }
        lastExit = performance.now();
      },
      onEpoch: (e) => {
        flush();
        if (e.valPerplexity !== null) post({ type: 'val', run: r.id, step: e.step, perplexity: e.valPerplexity });
        lastExit = performance.now();
      },
      shouldStop: () => stopRequested,
    });
    flush();
    post({ type: 'running', run: r.id, running: false, outcome });
  } catch (e) {
    flush();
    post({ type: 'error', where: 'train', message: message(e) });
    post({ type: 'running', run: r.id, running: false, outcome: 'error' });
  }
}

const defaultPrefix = (r: Run) => r.vocab.decode(r.ids.subarray(0, Math.min(10, r.ids.length)));

function sample(model: LanguageModel, vocab: Vocab, prefix: string, fallback: string, length: number, temperature: number, seed: number): string {
  const p = prefix.length > 0 ? prefix : fallback;
  return generate(model, vocab, p, { length, temperature }, new Rng(seed));
}

function generateText(q: GenerateRequest): string {
  const m = q.source === 'loaded' ? loaded : run;
  if (!m) throw new RecurError(q.source === 'loaded' ? 'no checkpoint loaded: choose a .safetensors file first' : 'no training run yet: start one in the Train tab');
  const prefix = q.prefix.length > 0 ? q.prefix : m.vocab.decode([m.vocab.tokens.findIndex((t) => t !== m.vocab.unk)]);
  const sampling = q.greedy ? { greedy: true } : { temperature: q.temperature };
  return generate(m.model, m.vocab, prefix, { ...sampling, length: q.length }, new Rng(q.seed));
}

function checkpointBytes(): { name: string; bytes: Uint8Array } {
  if (!run) throw new RecurError('nothing to download yet: start a training run first');
  const { tensors, metadata } = run.trainer.checkpoint();
  const c = run.config;
  // what `recur train` adds, so that `recur train --resume` finds a shipped corpus again
  const data = c.corpus === 'pasted' ? {} : {
    'recur.data': JSON.stringify({ data: c.corpus, tokens: 'char', preprocess: 'none', maxTokens: c.maxTokens, minFreq: 0, val: c.val }),
  };
  return { name: `${c.corpus}-${c.cell}-step${run.trainer.state.step}.safetensors`, bytes: serializeSafetensors(tensors, { ...metadata, ...data }) };
}

async function load(name: string, bytes: ArrayBuffer): Promise<string> {
  let file;
  try {
    file = parseSafetensors(new Uint8Array(bytes), name);
  } catch (e) {
    throw new RecurError(`${name} is not a safetensors checkpoint: ${message(e)}`);
  }
  const k = await kernels();
  let ck;
  try {
    ck = loadLm(file, name, k);
  } catch (e) {
    k.dispose?.();
    throw e;
  }
  loaded?.kernels.dispose?.();
  loaded = { model: ck.model, vocab: ck.vocab, name, kernels: k };
  const rnn = ck.model.config.rnn;
  const train = ck.train as { step?: number } | undefined;
  const cell = rnn.cell === 'gru' ? `gru (reset ${rnn.resetAfter ? 'after' : 'before'})` : rnn.cell === 'residual' ? `residual (${rnn.residual})` : rnn.cell;
  return `${cell}, H=${rnn.hiddenSize}, ${rnn.numLayers} layer${rnn.numLayers > 1 ? 's' : ''}${rnn.bidirectional ? ', bidirectional' : ''}, ` +
    `${ck.model.config.embeddingSize === null ? 'one-hot input' : `embedding ${ck.model.config.embeddingSize}`}, ` +
    `vocabulary ${ck.vocab.size} ${ck.vocab.kind === 'char' ? 'characters' : 'words'}${ck.vocab.preprocess === 'd2l' ? ' (d2l preprocessing)' : ''}, ` +
    `${count(ck.model.params.data.length)} parameters${train?.step !== undefined ? `, trained ${count(train.step)} steps` : ''}`;
}

async function bench(q: ToTrainWorker & { type: 'bench' }): Promise<void> {
  const { cell, hidden, batch, steps, vocab, seconds } = q.request;
  const k = await kernels();
  const threads = k.threads;
  let r;
  try {
    const w = new BenchWorkload({ cell, hidden, batch, steps, vocab, seed: 0 }, k);
    r = measure(w, 'train', { seconds, warmupSeconds: 0.5 });
  } finally {
    k.dispose?.();
  }
  post({ type: 'bench', result: { ...q.request, tokensPerSecond: r.tokensPerSecond, gflops: r.gflops, backend: k.name,
                                  threads, isolated, userAgent: navigator.userAgent } });
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

scope.onmessage = async ({ data: m }) => {
  const where = m.type === 'load' || m.type === 'download' ? 'checkpoint' : m.type === 'generate' ? 'generate' : m.type === 'bench' ? 'bench' : 'train';
  try {
    switch (m.type) {
      case 'start': await start(m.config); break;
      case 'resume':
        if (!run) throw new RecurError('nothing to resume: start a run');
        loop(run);
        break;
      case 'pause': await stop(); break;
      case 'reset': await stop(); dropRun(); break;
      case 'settings': settings = m.settings; break;
      case 'download': { const c = checkpointBytes(); post({ type: 'checkpoint', ...c }, [c.bytes.buffer as ArrayBuffer]); break; }
      case 'load': post({ type: 'loaded', name: m.name, description: await load(m.name, m.bytes) }); break;
      case 'generate': post({ type: 'generated', text: generateText(m.request) }); break;
      case 'bench': await bench(m); break;
    }
  } catch (e) {
    post({ type: 'error', where, message: message(e) });
  }
};

void kernels().then(
  (k) => { post({ type: 'ready', backend: k.name, isolated, threads: k.threads }); k.dispose?.(); },
  (e) => post({ type: 'error', where: 'train', message: `kernels: ${message(e)}` }),
);
