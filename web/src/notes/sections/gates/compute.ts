// The gates section's numbers: a small character LSTM or GRU trained on The Time Machine exactly as
// `recur train … --gates N --backend js` does (the same tokens, vocabulary, split, seeds, float32
// TypeScript kernels), then traced over the first N characters of the validation text. Pure: the
// worker passes the shipped text in, test/web/gates-cli.test.ts reads the same file and compares
// the result with the CLI's JSON.
import { parseRecurrentConfig } from '../../../../../src/layers/config.js';
import { gateSaturation, gateTrace, type GateSaturation, type GateTrace } from '../../../../../src/models/gate-trace.js';
import { DEFAULT_TRAIN, jsKernels, LanguageModel, LmTrainer, RecurError, tokenize, Vocab } from '../../../../../src/index.js';
import { Rng } from '../../../../../src/tensor/rng.js';
import { integerIn } from '../../check.js';

/** The figure's settings: the model and its training; `unit` only picks what is shown. */
export interface GatesParams {
  [key: string]: number | string | boolean;
  cell: 'lstm' | 'gru';
  hidden: number;
  epochs: number;
  seed: number;
  unit: number;
}

/** After each epoch: the validation perplexity and the keep gates' saturation over the passage. */
export interface GatesEpoch { epoch: number; step: number; valPerplexity: number | null; saturation: GateSaturation }

export interface GatesResult {
  /** The passage, one string per token (character). */
  chars: string[];
  epochs: GatesEpoch[];
  /** The trace after the last epoch. */
  trace: GateTrace;
}

/** Fixed for the figure (and written into its command): small enough to train in seconds. */
export const GATES_DATA = { maxTokens: 15000, batch: 16, steps: 35, lr: 0.01, passage: 200 };

/** Select values arrive as strings: the settings as numbers. */
export function normGates(p: GatesParams): GatesParams {
  return { cell: p.cell, hidden: Number(p.hidden), epochs: Number(p.epochs), seed: Number(p.seed), unit: Number(p.unit) };
}

/** Check the settings a page (or a hand-edited URL) may send. */
export function checkGates(p: GatesParams): void {
  if (p.cell !== 'lstm' && p.cell !== 'gru') throw new RecurError(`cell: expected lstm or gru, got ${String(p.cell)}`);
  integerIn(p.hidden, 'H', 4, 128);
  integerIn(p.epochs, 'epochs', 1, 20);
  integerIn(p.seed, 'seed', 0);
}

/** Train on `text` (The Time Machine) as `recur train` does, tracing the gates after every epoch. */
export async function computeGates(settings: GatesParams, text: string): Promise<GatesResult> {
  const p = normGates(settings);
  checkGates(p);
  const k = jsKernels('float32');
  // the CLI's data path: tokens (d2l: lower case, letters and spaces), the first maxTokens, the last 10% for validation
  const tokens = tokenize(text, 'char', 'd2l').slice(0, GATES_DATA.maxTokens);
  const vocab = Vocab.build(tokens, { kind: 'char', preprocess: 'd2l', minFreq: 0 });
  const ids = vocab.encode(tokens, 'timemachine');
  const nVal = Math.floor(ids.length * 0.1);
  const train = ids.subarray(0, ids.length - nVal), val = ids.subarray(ids.length - nVal);
  const rnn = parseRecurrentConfig({ cell: p.cell, hiddenSize: p.hidden, numLayers: 1, bidirectional: false, resetAfter: false, dropout: 0, inputSize: vocab.size }, 'model options');
  const options = { ...DEFAULT_TRAIN, batch: GATES_DATA.batch, steps: GATES_DATA.steps, lr: GATES_DATA.lr, epochs: p.epochs, seed: p.seed };
  const model = new LanguageModel({ vocabSize: vocab.size, embeddingSize: null, rnn }, k, new Rng(options.seed));
  const trainer = new LmTrainer(model, vocab, k, train, val, options);
  const passage = val.subarray(0, GATES_DATA.passage);
  const epochs: GatesEpoch[] = [];
  let trace: GateTrace | undefined;
  await trainer.run({
    onEpoch: (r) => {
      trace = gateTrace(model, passage, k);
      epochs.push({ epoch: r.epoch, step: r.step, valPerplexity: r.valPerplexity, saturation: gateSaturation(trace.keep) });
    },
  });
  return { chars: Array.from(passage, (id) => vocab.decode([id])), epochs, trace: trace! };
}

/** The command line printing the same numbers ("gates" JSON lines: one per epoch, the trace with the last). */
export function gatesCommand(settings: GatesParams): string {
  const p = normGates(settings);
  const d = GATES_DATA;
  return `recur train --data timemachine --preprocess d2l --max-tokens ${d.maxTokens} --cell ${p.cell} --hidden ${p.hidden} ` +
    `--batch ${d.batch} --steps ${d.steps} --lr ${d.lr} --epochs ${p.epochs} --seed ${p.seed} --gates ${d.passage} --sample 0 ` +
    `--out out/notes-gates --backend js --json`;
}
