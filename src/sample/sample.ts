/**
 * @module sample/sample
 * Choosing the next token from the softmax of the logits, as the notes generate text:
 * greedy (argmax), or a draw at a temperature, optionally from the top k tokens or from the
 * smallest set whose probability reaches p (nucleus sampling). Seeded: the same Rng state gives the
 * same text.
 */
import { RecurError } from '../errors.js';
import type { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';

/**
 * How to pick the next token from logits: greedy, or sampling with a temperature, top-k and top-p
 * (nucleus) filtering.
 */
export interface SamplingOptions {
  greedy?: boolean;     // argmax; ignores the rest
  temperature?: number; // > 0, default 1: logits / temperature
  topK?: number;        // keep the k most likely tokens (0 or undefined: all)
  topP?: number;        // keep the most likely tokens until their probability reaches p (1: all)
}

export function checkSamplingOptions(o: SamplingOptions): void {
  if (o.temperature !== undefined && !(o.temperature > 0 && Number.isFinite(o.temperature))) {
    throw new RecurError(`--temperature: expected a number > 0, got ${o.temperature}`);
  }
  if (o.topK !== undefined && !(Number.isInteger(o.topK) && o.topK >= 0)) {
    throw new RecurError(`--top-k: expected an integer ≥ 0, got ${o.topK}`);
  }
  if (o.topP !== undefined && !(o.topP > 0 && o.topP <= 1)) {
    throw new RecurError(`--top-p: expected a number in (0, 1], got ${o.topP}`);
  }
}

/** The index of the largest logit (the first, on ties). */
export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
  return best;
}

/** Draw one token from logits (V). Allocates per call: fine for sampling one token at a time. */
export function sampleToken(logits: FloatArray, o: SamplingOptions, rng: Rng): number {
  if (o.greedy) return argmax(logits);
  const V = logits.length;
  const temperature = o.temperature ?? 1;
  // p_i ∝ exp((l_i − max l) / temperature)
  let max = -Infinity;
  for (let i = 0; i < V; i++) max = Math.max(max, logits[i]!);
  const order = Array.from({ length: V }, (_, i) => i);
  const p = new Float64Array(V);
  for (let i = 0; i < V; i++) p[i] = Math.exp((logits[i]! - max) / temperature);
  order.sort((a, b) => p[b]! - p[a]! || a - b);
  let keep = V;
  if (o.topK !== undefined && o.topK > 0) keep = Math.min(keep, o.topK);
  let total = 0;
  for (let r = 0; r < keep; r++) total += p[order[r]!]!;
  if (o.topP !== undefined && o.topP < 1) {
    // the smallest prefix of the sorted tokens whose share of the kept mass reaches p
    let mass = 0;
    for (let r = 0; r < keep; r++) {
      mass += p[order[r]!]! / total;
      if (mass >= o.topP) { keep = r + 1; break; }
    }
    total = 0;
    for (let r = 0; r < keep; r++) total += p[order[r]!]!;
  }
  let u = rng.uniform() * total;
  for (let r = 0; r < keep; r++) {
    u -= p[order[r]!]!;
    if (u < 0) return order[r]!;
  }
  return order[keep - 1]!;
}
