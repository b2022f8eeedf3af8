/**
 * @module models/evaluate
 * Perplexity, exp(mean_t −log p(w_{t+1} | w_0..w_t)), of a language model on a token sequence.
 *
 * `evaluatePerplexity` is exact: one pass over the whole text from a zero state, every token i+1
 * predicted from tokens 0..i (chunks of T steps carry the state). With `rows` > 1 the text is cut
 * into that many contiguous rows, each starting from a zero state: much faster, slightly more
 * pessimistic at each row's start; the trainer uses it for the validation split each epoch.
 */
import { RecurError } from '../errors.js';
import type { LanguageModel } from './language-model.js';

/**
 * A perplexity, exp(loss), with the mean cross-entropy in nats per token and how many tokens were
 * predicted.
 */
export interface Perplexity {
  perplexity: number; // exp(loss)
  loss: number;    // mean cross-entropy in nats per token
  tokens: number;  // tokens predicted
}

/**
 * The perplexity of model on the token ids: one pass from a zero state, in chunks of `steps`
 * (default 64) over `rows` parallel rows (default 1).
 */
export function evaluatePerplexity(model: LanguageModel, ids: Int32Array, opt: { steps?: number; rows?: number } = {}): Perplexity {
  if (ids.length < 2) throw new RecurError(`evaluation text: expected at least 2 tokens, got ${ids.length}`);
  const rows = Math.max(1, Math.min(opt.rows ?? 1, Math.floor((ids.length - 1) / 2)));
  const T = opt.steps ?? 64;
  const rowLength = Math.floor((ids.length - 1) / rows); // predictions per row
  const state = model.zeroState(rows);
  let total = 0;
  let count = 0;
  for (let start = 0; start < rowLength; start += T) {
    const steps = Math.min(T, rowLength - start);
    const inputs = new Int32Array(steps * rows);
    const targets = new Int32Array(steps * rows);
    for (let b = 0; b < rows; b++) {
      for (let t = 0; t < steps; t++) {
        inputs[t * rows + b] = ids[b * rowLength + start + t]!;
        targets[t * rows + b] = ids[b * rowLength + start + t + 1]!;
      }
    }
    const value = model.loss(inputs, targets, steps, rows, { state, reduction: 'sum' });
    total += value.loss;
    count += value.count;
    model.carryState(state);
  }
  const loss = total / count;
  return { perplexity: Math.exp(loss), loss, tokens: count };
}
