// The deep-and-bidirectional section's numbers, computed with recur exactly as the CLI does:
// `recur task tagging` (a left-to-right and a bidirectional tagger where each label depends on the
// next token) and `recur train --bidirectional` (d2l's "wrong application": a bidirectional
// character model, excellent on training perplexity, that cannot generate). Pure: the figures'
// worker calls these with its kernels and the corpus; test/web/deep-cli.test.ts compares them with
// the CLI's JSON.
import {
  generate, LanguageModel, LmTrainer, DEFAULT_TRAIN, recurrentConfig, RecurError, Rng, tokenize, Vocab, type Kernels,
} from '../../../../../src/index.js';
import { generateRescored } from '../../../../../src/models/generate.js';
import { trainTaggers, type TaggingOptions, type TaggingResult } from '../../../../../src/analysis/tagging.js';
import { integerIn } from '../../check.js';

/** The tagging figure's settings (`recur task tagging`). */
export interface TaggerParams extends TaggingOptions {
  [key: string]: number | string | boolean;
}

/** Both taggers' test accuracy after every epoch. */
export type TaggerResult = TaggingResult;

/** Train the left-to-right and the bidirectional tagger (what `recur task tagging` prints). */
export function computeTagger(p: TaggerParams, k: Kernels): Promise<TaggerResult> {
  return trainTaggers({ cell: p.cell, hidden: p.hidden, epochs: p.epochs, train: p.train, lr: p.lr, seed: p.seed }, k);
}

/** The command printing the same numbers. The page computes on one thread of the wasm-simd kernels. */
export function taggerCommand(p: TaggerParams): string {
  return `recur task tagging --cell ${p.cell} --hidden ${p.hidden} --epochs ${p.epochs} --train ${p.train} --lr ${p.lr} --seed ${p.seed} --backend wasm-simd --threads 1 --json`;
}

/** The language-model figure's settings: a character model on the start of The Time Machine. */
export interface LmParams {
  [key: string]: number | string | boolean;
  cell: 'gru' | 'lstm' | 'rnn';
  hidden: number;
  epochs: number;
  /** Characters of the corpus (--max-tokens). */
  chars: number;
  seed: number;
}

/** One direction's run. */
export interface LmRun {
  /** Training perplexity after every epoch. */
  trainPerplexity: number[];
  /** 100 characters after the prefix, sampled at temperature 0.8 (the bidirectional model by re-reading). */
  sample: string;
}

/** The left-to-right and the bidirectional model, same data, same settings. */
export interface LmResult {
  vocab: number; tokens: number; prefix: string; unidirectional: LmRun; bidirectional: LmRun;
  /** The distinct words of the training text (to count a sample's real words). */
  known: string[];
}

/** How many of a sample's words (after its 10-character prefix and the rest of the word it cut, split at spaces) occur in the text. */
export function computeWords(sample: string, known: readonly string[]): { words: number; known: number } {
  const set = new Set(known);
  const words = sample.slice(10).split(' ').slice(1).filter((w) => w.length > 0); // the first piece ends the prefix's word
  return { words: words.length, known: words.filter((w) => set.has(w)).length };
}

/** The fixed part of both runs: minibatches of 32 × 20 characters, Adam at 0.03, no validation. */
export const LM_FIXED = { batch: 32, steps: 20, lr: 0.03, sample: 100 } as const;

/** Check the settings a page (or a hand-edited URL) may send. */
export function checkLm(p: LmParams): void {
  if (!['gru', 'lstm', 'rnn'].includes(p.cell)) throw new RecurError(`cell: expected gru, lstm or rnn, got ${String(p.cell)}`);
  integerIn(p.hidden, 'H', 1, 256);
  integerIn(p.epochs, 'epochs', 1, 50);
  integerIn(p.chars, 'characters', 1000, 200000);
  integerIn(p.seed, 'seed', 0, 1e9);
}

/** Train both directions on the first `chars` characters of `text` (what two `recur train` runs print). */
export async function computeLm(p: LmParams, text: string, k: Kernels): Promise<LmResult> {
  checkLm(p);
  // as `recur train --data timemachine --preprocess d2l --max-tokens N --val 0`: the whole slice is training text
  const tokens = tokenize(text, 'char', 'd2l').slice(0, p.chars);
  const vocab = Vocab.build(tokens, { kind: 'char', preprocess: 'd2l', minFreq: 0 });
  const ids = vocab.encode(tokens, 'timemachine');
  const prefix = vocab.decode(ids.subarray(0, 10));
  const options = { ...DEFAULT_TRAIN, batch: LM_FIXED.batch, steps: LM_FIXED.steps, lr: LM_FIXED.lr, epochs: p.epochs, seed: p.seed };
  const runs: LmRun[] = [];
  for (const bidirectional of [false, true]) {
    const rnn = recurrentConfig({ cell: p.cell, inputSize: vocab.size, hiddenSize: p.hidden, numLayers: 1, bidirectional, resetAfter: false, dropout: 0 });
    const model = new LanguageModel({ vocabSize: vocab.size, embeddingSize: null, rnn }, k, new Rng(p.seed));
    const trainer = new LmTrainer(model, vocab, k, ids, undefined, options);
    const trainPerplexity: number[] = [];
    await trainer.run({ onEpoch: (r) => { trainPerplexity.push(r.trainPerplexity); } });
    const sampling = { length: LM_FIXED.sample, temperature: 0.8 };
    const sample = bidirectional ? generateRescored(model, vocab, prefix, sampling, new Rng(p.seed)) : generate(model, vocab, prefix, sampling, new Rng(p.seed));
    runs.push({ trainPerplexity, sample });
  }
  const known = [...new Set(tokens.join('').split(' ').filter((w) => w.length > 0))];
  return { vocab: vocab.size, tokens: ids.length, prefix, unidirectional: runs[0]!, bidirectional: runs[1]!, known };
}

/** The two command lines printing the same numbers (their epoch lines' trainPerplexity, the end line's sample). */
export function lmCommand(p: LmParams): string {
  const base = `recur train --data timemachine --preprocess d2l --max-tokens ${p.chars} --val 0 --cell ${p.cell} --hidden ${p.hidden} --batch ${LM_FIXED.batch} --steps ${LM_FIXED.steps} ` +
    `--lr ${LM_FIXED.lr} --epochs ${p.epochs} --seed ${p.seed} --sample ${LM_FIXED.sample} --backend wasm-simd --threads 1 --json`;
  return `${base} --out runs/deep-uni && ${base} --bidirectional --out runs/deep-bi`;
}
