/**
 * @module cli/train
 * `recur train`: a language model from a corpus, by truncated BPTT, with checkpoints that resume
 * exactly. The defaults train a character LSTM on The Time Machine.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tokenize, Vocab, type Preprocess, type TokenKind } from '../data/text.js';
import { RecurError } from '../errors.js';
import { serializeSafetensors } from '../format/safetensors.js';
import { parseRecurrentConfig } from '../layers/config.js';
import { generate } from '../models/generate.js';
import { LanguageModel } from '../models/language-model.js';
import { loadLm } from '../models/lm-file.js';
import { DEFAULT_TRAIN, LmTrainer, type TrainOptions, type TrainState } from '../models/lm-trainer.js';
import { Rng } from '../tensor/rng.js';
import { OPTIMIZERS } from '../train/optim.js';
import { parseOptions, UsageError } from './args.js';
import { BACKEND_OPTIONS, backendFromOptions } from './backend.js';
import { parseDuration, readText } from './datasets.js';
import { readSafetensors, writeAtomic } from './files.js';
import { choiceOption, intOption, numberOption } from './numbers.js';
import { TrainPrinter } from './train-output.js';

export const TRAIN_USAGE = `usage: recur train [options]

data      --data timemachine|tinyshakespeare|FILE (default timemachine)  --tokens char|word
          --preprocess none|d2l  --max-tokens N  --min-freq N  --val FRACTION (default 0.1, from the end)
model     --cell lstm|gru|rnn|residual (default lstm)  --reset-after  --nonlinearity tanh|relu|identity
          --residual x|xh  --hidden H (256)  --layers L (1)  --embedding E (default: one-hot input)
          --dropout P  --bidirectional (scores text; cannot generate)
training  --batch B (32)  --steps T (35)  --sampling sequential|random  --epochs N (20)  --time 5m
          --optimizer sgd|adam|adamw|adagrad|rmsprop (adam)  --lr X (0.005)  --momentum X
          --weight-decay X  --clip X (global norm, 1; 0 = off)  --clip-value X  --schedule constant|cosine|step
          --warmup N  --patience N (early stopping)  --on-nan stop|skip  --seed S
output    --out DIR (runs/<data>-<cell>): checkpoint.safetensors (latest), best.safetensors (lowest validation
          perplexity)  --checkpoint-every N (500 steps)  --resume CHECKPOINT  --json
          --sample N (characters of sample text at the end, 200)
kernels   --backend auto|wasm-relaxed-simd|wasm-simd|js  --threads N`;

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
  sample: { type: 'string' }, ...BACKEND_OPTIONS,
} as const;

/** The options that may change when a run is resumed; everything else comes from the checkpoint. */
const RESUME_MAY_SET = new Set(['resume', 'epochs', 'time', 'out', 'json', 'checkpoint-every', 'sample', 'backend', 'threads']);

/** What the CLI adds to a checkpoint so that --resume finds the same data. */
interface DataSpec { data: string; tokens: TokenKind; preprocess: Preprocess; maxTokens: number; minFreq: number; val: number }
const DATA_KEY = 'recur.data';

export async function trainCommand(args: string[]): Promise<number> {
  const o = parseOptions(args, OPTIONS);
  const k = await backendFromOptions(o);
  const timeLimit = o.time === undefined ? Infinity : parseDuration(o.time, '--time');
  const printer = new TrainPrinter(o.json === true);

  let spec: DataSpec;
  let options: TrainOptions;
  let model: LanguageModel;
  let vocab: Vocab;
  let corpus: string[] | undefined; // the corpus's tokens, when a fresh run has already read them
  let resumeFrom: { state: TrainState; extra: Map<string, Float32Array | Float64Array> } | undefined;
  if (o.resume !== undefined) {
    // the checkpoint's own data, model and hyper-parameters; --epochs may extend the run
    const fixed = Object.keys(o).filter((key) => !RESUME_MAY_SET.has(key));
    if (fixed.length > 0) {
      throw new UsageError(`--resume continues the checkpoint's own run, so --${fixed.join(', --')} cannot be set; ` +
        `it takes only --${[...RESUME_MAY_SET].filter((key) => key !== 'resume').join(', --')}`);
    }
    const file = readSafetensors(o.resume, '--resume');
    const ck = loadLm(file, o.resume, k);
    const train = ck.train as TrainState | undefined;
    const dataText = file.metadata[DATA_KEY];
    if (!train || !dataText) throw new RecurError(`--resume ${o.resume}: the checkpoint has no training state (recur.train, recur.data); it can be used by generate and eval but not resumed`);
    spec = JSON.parse(dataText) as DataSpec;
    options = { ...train.options, epochs: intOption(o.epochs, '--epochs', train.options.epochs) };
    ({ model, vocab } = ck);
    resumeFrom = { state: train, extra: ck.extra };
  } else {
    spec = {
      data: o.data ?? 'timemachine',
      tokens: choiceOption(o.tokens, '--tokens', ['char', 'word'] as const, 'char'),
      preprocess: choiceOption(o.preprocess, '--preprocess', ['none', 'd2l'] as const, 'none'),
      maxTokens: intOption(o['max-tokens'], '--max-tokens', 0, 0),
      minFreq: intOption(o['min-freq'], '--min-freq', 0, 0),
      val: numberOption(o.val, '--val', 0.1, (n) => n >= 0 && n < 1, 'a fraction in [0, 1)'),
    };
    options = trainOptions(o);
    corpus = corpusTokens(spec);
    vocab = Vocab.build(corpus, { kind: spec.tokens, preprocess: spec.preprocess, minFreq: spec.minFreq });
    const embedding = o.embedding === undefined ? null : intOption(o.embedding, '--embedding', 0);
    // flags' strings: checked field by field as a file's config is
    const rnn = parseRecurrentConfig({
      cell: choiceOption(o.cell, '--cell', ['lstm', 'gru', 'rnn', 'residual'] as const, 'lstm'),
      inputSize: embedding ?? vocab.size, hiddenSize: intOption(o.hidden, '--hidden', 256),
      numLayers: intOption(o.layers, '--layers', 1), bidirectional: o.bidirectional === true,
      resetAfter: o['reset-after'] === true, dropout: numberOption(o.dropout, '--dropout', 0, (n) => n >= 0 && n < 1, 'a number in [0, 1)'),
      ...(o.nonlinearity === undefined ? {} : { nonlinearity: o.nonlinearity }),
      ...(o.residual === undefined ? {} : { residual: o.residual }),
    }, 'model options');
    model = new LanguageModel({ vocabSize: vocab.size, embeddingSize: embedding, rnn }, k, new Rng(options.seed));
  }

  const ids = vocab.encode(corpus ?? corpusTokens(spec), spec.data); // read once on a fresh run
  const nVal = Math.floor(ids.length * spec.val);
  const trainIds = ids.subarray(0, ids.length - nVal);
  const valIds = nVal >= 2 ? ids.subarray(ids.length - nVal) : undefined;
  const trainer = new LmTrainer(model, vocab, k, trainIds, valIds, options);
  if (resumeFrom) trainer.resume(resumeFrom.state, resumeFrom.extra, o.resume!);

  const c = model.config.rnn;
  const outDir = o.out ?? join('runs', `${spec.data.replace(/[^A-Za-z0-9_-]+/g, '_').slice(-40)}-${c.cell}`);
  mkdirSync(outDir, { recursive: true });
  const checkpointPath = join(outDir, 'checkpoint.safetensors');
  const bestPath = join(outDir, 'best.safetensors');
  const save = (path = checkpointPath) => {
    const { tensors, metadata } = trainer.checkpoint();
    writeAtomic(path, serializeSafetensors(tensors, { ...metadata, [DATA_KEY]: JSON.stringify(spec) }), '--out');
  };
  let best: { valPerplexity: number; epoch: number } | undefined;
  printer.start({ data: spec.data, tokens: ids.length, train: trainIds.length, val: valIds?.length ?? 0, vocab: vocab.size,
                  params: model.params.data.length, backend: k.name, config: c, options, out: checkpointPath,
                  batches: trainer.batchesPerEpoch, resumed: resumeFrom !== undefined });

  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    printer.note('interrupted: saving a checkpoint (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSigint);
  const started = Date.now();
  let outcome: string;
  try {
    outcome = await trainer.run({
      onStep: (r) => printer.step(r),
      onEpoch: (r) => {
        printer.epoch(r);
        // the model with the lowest validation perplexity so far, beside the latest one
        if (r.valPerplexity !== null && r.valPerplexity < (best?.valPerplexity ?? Infinity)) {
          best = { valPerplexity: r.valPerplexity, epoch: r.epoch };
          save(bestPath);
        }
      },
      shouldStop: () => interrupted || (Date.now() - started) / 1000 > timeLimit,
      onCheckpoint: () => save(),
      checkpointEvery: intOption(o['checkpoint-every'], '--checkpoint-every', 500, 0),
      paramGradNorms: o.json === true,
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  const sampleLength = intOption(o.sample, '--sample', 200, 0);
  let sample: string | undefined;
  if (!c.bidirectional && sampleLength > 0) {
    const prefix = vocab.decode(ids.subarray(0, Math.min(vocab.kind === 'char' ? 10 : 3, ids.length)));
    sample = generate(model, vocab, prefix, { length: sampleLength, temperature: 0.8 }, new Rng(options.seed));
  }
  printer.end({ outcome, checkpoint: checkpointPath, sample, seconds: (Date.now() - started) / 1000,
                best: best === undefined ? undefined : { ...best, path: bestPath } });
  return interrupted ? 130 : 0;
}

function corpusTokens(spec: DataSpec): string[] {
  const tokens = tokenize(readText(spec.data).text, spec.tokens, spec.preprocess);
  return spec.maxTokens > 0 ? tokens.slice(0, spec.maxTokens) : tokens;
}

function trainOptions(o: ReturnType<typeof parseOptions<typeof OPTIONS>>): TrainOptions {
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
