/**
 * @module models/generate
 * Text from a language model, as d2l's predict_ch8: warm the state up on the prefix, then feed
 * each chosen token back in. The result is the prefix followed by the generated tokens.
 */
import { RecurError } from '../errors.js';
import type { Vocab } from '../data/text.js';
import { tokenize } from '../data/text.js';
import { sampleToken, type SamplingOptions } from '../sample/sample.js';
import type { Rng } from '../tensor/rng.js';
import type { LanguageModel } from './language-model.js';

/** Options of generate: how many tokens to produce after the prefix, and how to sample each. */
export interface GenerateOptions extends SamplingOptions {
  length: number; // tokens to generate after the prefix
}

/** Generate; `onToken` receives each piece of text as it is produced (the prefix first). */
export function generate(model: LanguageModel, vocab: Vocab, prefix: string, o: GenerateOptions, rng: Rng,
                         onToken?: (text: string) => void): string {
  const prefixIds = vocab.encode(tokenize(prefix, vocab.kind, vocab.preprocess), 'prefix');
  if (prefixIds.length === 0) throw new RecurError(`prefix: expected at least one token, got ${JSON.stringify(prefix)}${vocab.preprocess === 'd2l' ? ' (after d2l preprocessing: letters only)' : ''}`);
  const sep = vocab.kind === 'word' ? ' ' : '';
  const out = [vocab.decode(prefixIds)];
  onToken?.(out[0]!);
  const state = model.zeroState(1);
  const token = new Int32Array(1);
  // warm-up: every prefix token but the last only updates the state
  for (let i = 0; i < prefixIds.length - 1; i++) {
    token[0] = prefixIds[i]!;
    model.step(token, state);
  }
  token[0] = prefixIds[prefixIds.length - 1]!;
  for (let i = 0; i < o.length; i++) {
    const logits = model.step(token, state);
    token[0] = sampleToken(logits, o, rng);
    const piece = sep + vocab.tokens[token[0]!]!;
    out.push(piece);
    onToken?.(piece);
  }
  return out.join('');
}

/**
 * d2l's "wrong application" of a bidirectional model: generate by re-reading the whole text so far
 * (from a zero state, both directions) and sampling from the last step's prediction. Trained on
 * text, such a model learned to read the next character off its backward direction, which has
 * seen it; here nothing comes after the last step, so its prediction is the one it was never
 * taught to make, and the text falls apart. Works for any model (for a left-to-right one it
 * equals generate with a cost of T² steps), so the two can be set side by side.
 */
export function generateRescored(model: LanguageModel, vocab: Vocab, prefix: string, o: GenerateOptions, rng: Rng): string {
  const prefixIds = vocab.encode(tokenize(prefix, vocab.kind, vocab.preprocess), 'prefix');
  if (prefixIds.length === 0) throw new RecurError(`prefix: expected at least one token, got ${JSON.stringify(prefix)}`);
  const sep = vocab.kind === 'word' ? ' ' : '';
  const V = model.vocabSize;
  const ids = Array.from(prefixIds);
  const out = [vocab.decode(prefixIds)];
  for (let i = 0; i < o.length; i++) {
    const T = ids.length;
    const logits = model.logits(Int32Array.from(ids), T, 1);                 // (T, V)
    const next = sampleToken(logits.subarray((T - 1) * V, T * V), o, rng);  // the last step's prediction
    ids.push(next);
    out.push(sep + vocab.tokens[next]!);
  }
  return out.join('');
}
