/**
 * @module cli/train
 * `recur train`: a language model from a corpus, by truncated BPTT, with checkpoints that resume
 * exactly. The defaults train a character LSTM on The Time Machine.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tokenize, Vocab, type Preprocess, type TokenKind } from '../data/text.js';
import { RecurError } from '../errors.js';
import { serializeSafetensors } from '../format/safetensors.js';
import { parseRecurrentConfig, type RecurrentConfig } from '../layers/config.js';
import type { Kernels } from '../kernels/types.js';
import { gateSaturation, gateTrace } from '../models/gate-trace.js';
import { generate, generateRescored } from '../models/generate.js';
import { LanguageModel } from '../models/language-model.js';
import { loadLm } from '../models/lm-file.js';
import { DEFAULT_TRAIN, DivergedError, LmTrainer, type TrainOptions, type TrainState } from '../models/lm-trainer.js';
import { parseTrainState } from '../models/train-state.js';
import { Rng } from '../tensor/rng.js';
import { OPTIMIZERS } from '../train/optim.js';
import { asUsage, parseOptions, UsageError } from './args.js';
import { BACKEND_OPTIONS, backendFromOptions } from './backend.js';
import { parseDuration, readText, SHIPPED_TEXTS } from './datasets.js';
import { readSafetensors, writeAtomic } from './files.js';
import { checkSize, choiceOption, intOption, numberOption } from './numbers.js';
import { claimOutDir } from './out-dir.js';
import { TrainPrinter } from './train-output.js';

export const TRAIN_USAGE = `usage: recur train [options]

data      --data timemachine|tinyshakespeare|FILE (default timemachine)  --tokens char|word
          --preprocess none|d2l  --max-tokens N  --min-freq N  --val FRACTION (default 0.1, from the end)
model     --cell lstm|gru|rnn|residual (default lstm)  --reset-after  --nonlinearity tanh|relu|identity
          --residual x|xh  --hidden H (256)  --layers L (1)  --embedding E (default: one-hot input)
          --dropout P  --bidirectional (scores text; cannot generate: with --sample N, the sample re-reads
          the text for each character, d2l's "wrong application", to show why)
training  --batch B (32)  --steps T (35)  --sampling sequential|random  --epochs N (20)  --time 5m
          --optimizer sgd|adam|adamw|adagrad|rmsprop (adam)  --lr X (0.005)  --momentum X
          --weight-decay X  --clip X (global norm, 1; 0 = off)  --clip-value X  --schedule constant|cosine|step
          --warmup N  --patience N (early stopping)  --on-nan stop|skip  --seed S
output    --out DIR (runs/<data>-<cell>): checkpoint.safetensors (latest), best.safetensors (lowest validation
          perplexity)  --checkpoint-every N (500 steps)  --resume CHECKPOINT  --json
          --sample N (characters of sample text at the end, 200)
          --gates N  after every epoch, the keep gates (LSTM forget, GRU update) over the first N tokens of the
          validation text: their saturation, and at the end each token's h, gate and surprise (JSON: "gates" lines)
kernels   --backend auto|native|wasm-relaxed-simd|wasm-simd|js  --threads N`;

const OPTIONS = {
  data: { type: 'string' }, tokens: { type: 'string' }, preprocess: { type: 'string' }, 'max-tokens': { type: 'string' },
  'min-freq': { type: 'string' }, val: { type: 'string' },
  cell: { type: 'string' }, 'reset-after': { type: 'boolean' }, nonlinearity: { type: 'string' }, residual: { type: 'string' },
  hidden: { type: 'string' }, layers: { type: 'string' }, embedding: { type: 'string' }, dropout: { type: 'string' },
  bidirectional: { type: 'boolean' },
  batch: { type: 'string' }, steps: { type: 'string' }, sampling: { type: 'string' }, epochs: { type: 'string' },
  time: { type: 'string' }, optimizer: { type: 'string' }, lr: { type: 'string' }, momentum: { type: 'string' },
  'weight-decay': { type: 'string' }, clip: { type: 'string' }, 'clip-value': { type: 'string' }, schedule: { type: 'string' },
  warmup: { type: 'string' }, patience: { type: 'string' }, 'on-nan': { type: 'string' }, seed: { type: 'string' },
  out: { type: 'string' }, 'checkpoint-every': { type: 'string' }, resume: { type: 'string' }, json: { type: 'boolean' },
  sample: { type: 'string' }, gates: { type: 'string' }, ...BACKEND_OPTIONS,
} as const;

type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>;

/** The options that may change when a run is resumed; everything else comes from the checkpoint. */
const RESUME_MAY_SET = new Set(['resume', 'epochs', 'time', 'out', 'json', 'checkpoint-every', 'sample', 'gates', 'backend', 'threads']);

/** What the CLI adds to a checkpoint so that --resume finds the same data: the corpus as given, the
 *  absolute path of a file, and the SHA-256 of its text, checked on resume. */
interface DataSpec {
  data: string; tokens: TokenKind; preprocess: Preprocess; maxTokens: number; minFreq: number; val: number;
  file?: string | undefined; sha256?: string | undefined;
}
const DATA_KEY = 'recur.data';
/** The files a run writes into --out. */
const CHECKPOINT = 'checkpoint.safetensors';
const BEST = 'best.safetensors';

/** `recur train ARGS`: resolves to the exit code (0 done, 130/143 stopped by a signal after saving). */
export async function trainCommand(args: string[]): Promise<number> {
  const o = parseOptions(args, OPTIONS);
  const k = await backendFromOptions(o);
  const timeLimit = o.time === undefined ? Infinity : parseDuration(o.time, '--time');
  const checkpointEvery = intOption(o['checkpoint-every'], '--checkpoint-every', 500, 0);
  const sampleLength = intOption(o.sample, '--sample', 200, 0);
  const printer = new TrainPrinter(o.json === true);
  const setup = o.resume !== undefined ? resumeSetup(o, o.resume, k) : freshSetup(o, k);
  const { spec, options, model, vocab, ids, resumeFrom } = setup;
  const nVal = Math.floor(ids.length * spec.val);
  const trainIds = ids.subarray(0, ids.length - nVal);
  const valIds = nVal >= 2 ? ids.subarray(ids.length - nVal) : undefined;
  const trainer = new LmTrainer(model, vocab, k, trainIds, valIds, options);
  if (trainer.batchesPerEpoch < 1) {
    throw new RecurError(`--data ${spec.data}: ${trainIds.length} training tokens are too few for one minibatch of ` +
      `--batch ${options.batch} × --steps ${options.steps} (${options.batch * options.steps + options.steps + (options.sampling === 'sequential' ? 1 : 0)} tokens); use a smaller --batch or --steps, or more text`);
  }
  if (resumeFrom) trainer.resume(resumeFrom.state, resumeFrom.extra, o.resume!);

  const c = model.config.rnn;
  const gates = gatesPassage(o.gates, c, valIds ?? trainIds);
  const out = claimOutDir(o.out ?? join('runs', `${spec.data.replace(/[^A-Za-z0-9_-]+/g, '_').slice(-40)}-${c.cell}`), '--out', [CHECKPOINT, BEST]);
  const checkpointPath = join(out.dir, CHECKPOINT);
  const bestPath = join(out.dir, BEST);
  // the last checkpoint on disk (the resumed one at first) and the best model so far, from the state
  let lastSaved = resumeFrom ? { path: o.resume!, step: resumeFrom.state.step } : undefined;
  const s0 = trainer.state;
  let best = s0.bestVal !== null && s0.bestEpoch !== null && existsSync(bestPath) ? { valPerplexity: s0.bestVal, epoch: s0.bestEpoch } : undefined;
  const save = (path = checkpointPath) => {
    const { tensors, metadata } = trainer.checkpoint();
    writeAtomic(path, serializeSafetensors(tensors, { ...metadata, [DATA_KEY]: JSON.stringify(spec) }), '--out');
    if (path === checkpointPath) lastSaved = { path, step: trainer.state.step };
  };
  printer.start({ data: spec.data, tokens: ids.length, train: trainIds.length, val: valIds?.length ?? 0, vocab: vocab.size,
                  params: model.params.data.length, backend: k.name, config: c, options, out: checkpointPath,
                  batches: trainer.batchesPerEpoch, resumed: resumeFrom !== undefined });

  const signals = watchSignals((text) => printer.note(text));
  const started = Date.now();
  let outcome: string;
  let wrote = false;
  try {
    outcome = await trainer.run({
      onStep: (r) => printer.step(r),
      onEpoch: (r) => {
        printer.epoch(r);
        // the model with the lowest validation perplexity so far, beside the latest one
        if (r.improved && r.valPerplexity !== null) {
          best = { valPerplexity: r.valPerplexity, epoch: r.epoch };
          save(bestPath);
          wrote = true;
        }
        if (gates) printGates(gates, model, k, { epoch: r.epoch, step: r.step }, o.json === true, r.epoch === options.epochs, (text) => printer.note(text));
      },
      shouldStop: () => signals.received() !== undefined || (Date.now() - started) / 1000 > timeLimit,
      onCheckpoint: () => { save(); wrote = true; },
      checkpointEvery,
      paramGradNorms: o.json === true,
    });
  } catch (e) {
    if (!(e instanceof DivergedError)) throw e;
    printer.end({ outcome: 'diverged', checkpoint: lastSaved?.path, sample: undefined, seconds: (Date.now() - started) / 1000,
                  best: best === undefined ? undefined : { ...best, path: bestPath }, skipped: trainer.state.skipped });
    throw divergedError(e, lastSaved);
  } finally {
    signals.dispose();
    out.release(!wrote);
  }
  let sample: string | undefined;
  // a bidirectional model samples only when asked (--sample N): by re-reading the text so far, d2l's
  // "wrong application", which shows why it cannot generate
  if (sampleLength > 0 && (!c.bidirectional || o.sample !== undefined)) {
    const prefix = vocab.decode(ids.subarray(0, Math.min(vocab.kind === 'char' ? 10 : 3, ids.length)));
    sample = (c.bidirectional ? generateRescored : generate)(model, vocab, prefix, { length: sampleLength, temperature: 0.8 }, new Rng(options.seed));
  }
  printer.end({ outcome, checkpoint: checkpointPath, sample, seconds: (Date.now() - started) / 1000,
                best: best === undefined ? undefined : { ...best, path: bestPath }, skipped: trainer.state.skipped });
  const signal = signals.received();
  return signal === 'SIGTERM' ? 143 : signal ? 130 : 0;
}

/** --gates N: the first N tokens of the validation text (the training text without one). */
function gatesPassage(v: string | undefined, c: RecurrentConfig, text: Int32Array): Int32Array | undefined {
  if (v === undefined) return undefined;
  const n = intOption(v, '--gates', 0, 2);
  if (c.cell !== 'lstm' && c.cell !== 'gru') throw new UsageError(`--gates traces the gates of an lstm or gru, got --cell ${c.cell}`);
  if (c.bidirectional) throw new UsageError('--gates needs a one-direction model (a bidirectional one sees the next token)');
  if (n > text.length) throw new UsageError(`--gates ${n}: the validation text has only ${text.length} tokens`);
  return text.subarray(0, n);
}

/** After an epoch: the keep gates' saturation over the passage; after the last, the whole trace too. */
function printGates(ids: Int32Array, model: LanguageModel, k: Kernels, at: { epoch: number; step: number }, json: boolean, last: boolean,
                    note: (text: string) => void): void {
  const trace = gateTrace(model, ids, k);
  const saturation = gateSaturation(trace.keep);
  if (json) {
    process.stdout.write(`${JSON.stringify({ event: 'gates', ...at, gate: trace.gate, saturation, ...(last ? { trace } : {}) })}\n`);
  } else {
    note(`${trace.gate} gates over ${ids.length} tokens: ${(100 * saturation.low).toFixed(1)}% below 0.1, ${(100 * saturation.high).toFixed(1)}% above 0.9`);
  }
}

/** What the user reads when a run diverged: where, why, and the checkpoint that is kept, if any. */
function divergedError(e: DivergedError, lastSaved: { path: string; step: number } | undefined): RecurError {
  return new RecurError(`training diverged at step ${e.step} (epoch ${e.epoch}): ${e.reason}; ${lastSaved
    ? `the last checkpoint written before it (step ${lastSaved.step}) is kept: ${lastSaved.path}` : 'no checkpoint had been written before it'}. ${e.advice}`);
}

/** Ctrl-C (SIGINT) and kill (SIGTERM) ask the run to save a checkpoint and stop (exit 130 / 143);
 *  a second signal quits at once. */
function watchSignals(note: (text: string) => void): { received(): NodeJS.Signals | undefined; dispose(): void } {
  let got: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (got) process.exit(signal === 'SIGTERM' ? 143 : 130);
    got = signal;
    note(`${signal === 'SIGTERM' ? 'terminated' : 'interrupted'}: saving a checkpoint (${signal === 'SIGTERM' ? 'SIGTERM' : 'Ctrl-C'} again to quit at once)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    received: () => got,
    dispose: () => { process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal); },
  };
}

interface Setup {
  spec: DataSpec; options: TrainOptions; model: LanguageModel; vocab: Vocab; ids: Int32Array;
  resumeFrom: { state: TrainState; extra: Map<string, Float32Array | Float64Array> } | undefined;
}

/** A run from the checkpoint's own data, model and hyper-parameters; --epochs may extend it. */
function resumeSetup(o: Values, path: string, k: Kernels): Setup {
  const fixed = Object.keys(o).filter((key) => !RESUME_MAY_SET.has(key));
  if (fixed.length > 0) {
    throw new UsageError(`--resume continues the checkpoint's own run, so --${fixed.join(', --')} cannot be set; ` +
      `it takes only --${[...RESUME_MAY_SET].filter((key) => key !== 'resume').join(', --')}`);
  }
  const file = readSafetensors(path, '--resume');
  const ck = loadLm(file, path, k);
  const dataText = file.metadata[DATA_KEY];
  if (ck.train === undefined || dataText === undefined) throw new RecurError(`--resume ${path}: the checkpoint has no training state (recur.train, recur.data); it can be used by generate and eval but not resumed`);
  const state = parseTrainState(ck.train, `--resume ${path}`);
  const spec = parseDataSpec(dataText, `--resume ${path}`);
  const options = { ...state.options, epochs: intOption(o.epochs, '--epochs', state.options.epochs) };
  const corpus = corpusTokens(spec, spec.file ?? spec.data);
  if (spec.sha256 !== undefined && corpus.sha256 !== spec.sha256) {
    throw new RecurError(`--resume ${path}: the run trained on ${spec.file ?? spec.data}, which now holds other text ` +
      `(SHA-256 ${corpus.sha256.slice(0, 12)}…, the run's was ${spec.sha256.slice(0, 12)}…); resume with the run's own corpus`);
  }
  return { spec, options, model: ck.model, vocab: ck.vocab, ids: ck.vocab.encode(corpus.tokens, spec.data), resumeFrom: { state, extra: ck.extra } };
}

/** A new run from the options. */
function freshSetup(o: Values, k: Kernels): Setup {
  const data = o.data ?? 'timemachine';
  const spec: DataSpec = {
    data,
    tokens: choiceOption(o.tokens, '--tokens', ['char', 'word'] as const, 'char'),
    preprocess: choiceOption(o.preprocess, '--preprocess', ['none', 'd2l'] as const, 'none'),
    maxTokens: intOption(o['max-tokens'], '--max-tokens', 0, 0),
    minFreq: intOption(o['min-freq'], '--min-freq', 0, 0),
    val: numberOption(o.val, '--val', 0.1, (n) => n >= 0 && n < 1, 'a fraction in [0, 1)'),
    file: SHIPPED_TEXTS[data] ? undefined : resolve(data),
  };
  const options = trainOptions(o);
  const embedding = o.embedding === undefined ? null : intOption(o.embedding, '--embedding', 0);
  const config = {
    cell: choiceOption(o.cell, '--cell', ['lstm', 'gru', 'rnn', 'residual'] as const, 'lstm'),
    hiddenSize: intOption(o.hidden, '--hidden', 256), numLayers: intOption(o.layers, '--layers', 1), bidirectional: o.bidirectional === true,
    resetAfter: o['reset-after'] === true, dropout: numberOption(o.dropout, '--dropout', 0, (n) => n >= 0 && n < 1, 'a number in [0, 1)'),
    ...(o.nonlinearity === undefined ? {} : { nonlinearity: o.nonlinearity }),
    ...(o.residual === undefined ? {} : { residual: o.residual }),
  };
  const corpus = corpusTokens(spec, data);
  spec.sha256 = corpus.sha256;
  const vocab = Vocab.build(corpus.tokens, { kind: spec.tokens, preprocess: spec.preprocess, minFreq: spec.minFreq });
  // flags' strings: checked field by field, as a file's config is
  const rnn = asUsage(() => parseRecurrentConfig({ ...config, inputSize: embedding ?? vocab.size }, 'model options'));
  checkSize(lmValues(rnn, vocab.size, embedding, options), '--hidden, --layers, --embedding, --batch, --steps');
  const model = new LanguageModel({ vocabSize: vocab.size, embeddingSize: embedding, rnn }, k, new Rng(options.seed));
  return { spec, options, model, vocab, ids: vocab.encode(corpus.tokens, spec.data), resumeFrom: undefined };
}

/** About how many values training allocates: parameters with their gradients and optimizer state,
 *  and the activations of one minibatch (B·T rows of every gate of every layer, and the logits). */
function lmValues(c: RecurrentConfig, V: number, E: number | null, o: TrainOptions): number {
  const G = c.cell === 'lstm' ? 4 : c.cell === 'gru' ? 3 : 2;
  const D = c.bidirectional ? 2 : 1;
  const H = c.hiddenSize;
  const params = D * c.numLayers * G * H * (Math.max(c.inputSize, D * H) + H + 2) + V * (D * H + 1) + (E ?? 0) * V;
  const activations = o.batch * o.steps * (D * c.numLayers * H * (G + 2) + 2 * V);
  return 4 * params + activations;
}

/** `recur.data` as written by a fresh run, checked field by field. */
function parseDataSpec(text: string, what: string): DataSpec {
  let v: unknown;
  try { v = JSON.parse(text); } catch { throw new RecurError(`${what}: "${DATA_KEY}" is not valid JSON`); }
  const o = (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {}) as Record<string, unknown>;
  const fields: [string, (x: unknown) => boolean, string][] = [
    ['data', (x) => typeof x === 'string' && x !== '', 'a corpus name or file'],
    ['tokens', (x) => x === 'char' || x === 'word', 'char or word'],
    ['preprocess', (x) => x === 'none' || x === 'd2l', 'none or d2l'],
    ['maxTokens', (x) => Number.isSafeInteger(x) && (x as number) >= 0, 'an integer ≥ 0'],
    ['minFreq', (x) => Number.isSafeInteger(x) && (x as number) >= 0, 'an integer ≥ 0'],
    ['val', (x) => typeof x === 'number' && x >= 0 && x < 1, 'a fraction in [0, 1)'],
    ['file', (x) => x === undefined || (typeof x === 'string' && x !== ''), 'a path'],
    ['sha256', (x) => x === undefined || (typeof x === 'string' && /^[0-9a-f]{64}$/.test(x)), 'a SHA-256 in hex'],
  ];
  for (const [field, ok, expected] of fields) {
    if (!ok(o[field])) throw new RecurError(`${what}: "${DATA_KEY}" ${field}: expected ${expected}, got ${o[field] === undefined ? 'nothing' : JSON.stringify(o[field])}`);
  }
  if (o.file === undefined && !SHIPPED_TEXTS[o.data as string]) {
    // written before recur recorded paths: the name must still be the file it was
    if (!existsSync(o.data as string)) throw new RecurError(`${what}: the run's corpus ${o.data as string} is not there any more`);
  }
  return o as unknown as DataSpec;
}

function corpusTokens(spec: DataSpec, source: string): { tokens: string[]; sha256: string } {
  const text = readText(source).text;
  const tokens = tokenize(text, spec.tokens, spec.preprocess);
  return { tokens: spec.maxTokens > 0 ? tokens.slice(0, spec.maxTokens) : tokens, sha256: createHash('sha256').update(text).digest('hex') };
}

function trainOptions(o: Values): TrainOptions {
  const d = DEFAULT_TRAIN;
  const positive = (n: number) => n > 0;
  const nonNegative = (n: number) => n >= 0;
  return {
    batch: intOption(o.batch, '--batch', d.batch), steps: intOption(o.steps, '--steps', d.steps),
    sampling: choiceOption(o.sampling, '--sampling', ['sequential', 'random'] as const, d.sampling),
    optimizer: choiceOption(o.optimizer, '--optimizer', OPTIMIZERS, d.optimizer),
    lr: numberOption(o.lr, '--lr', d.lr, positive, 'a number > 0'),
    momentum: numberOption(o.momentum, '--momentum', d.momentum, (n) => n >= 0 && n < 1, 'a number in [0, 1)'),
    weightDecay: o['weight-decay'] === undefined ? undefined : numberOption(o['weight-decay'], '--weight-decay', 0, nonNegative, 'a number ≥ 0'),
    clip: numberOption(o.clip, '--clip', d.clip, nonNegative, 'a number ≥ 0 (0 = off)'),
    clipValue: numberOption(o['clip-value'], '--clip-value', d.clipValue, nonNegative, 'a number ≥ 0 (0 = off)'),
    schedule: choiceOption(o.schedule, '--schedule', ['constant', 'cosine', 'step'] as const, d.schedule),
    warmup: intOption(o.warmup, '--warmup', d.warmup, 0), minLr: d.minLr, gamma: d.gamma, stepEvery: d.stepEvery,
    epochs: intOption(o.epochs, '--epochs', d.epochs), patience: intOption(o.patience, '--patience', d.patience, 0),
    onNonFinite: choiceOption(o['on-nan'], '--on-nan', ['stop', 'skip'] as const, d.onNonFinite),
    seed: intOption(o.seed, '--seed', d.seed, 0),
  };
}
