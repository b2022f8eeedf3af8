/**
 * @module models/gate-trace
 * What a trained language model does over a passage, character by character: the state of every
 * unit, the gate that decides how much of the old state to keep, and how surprised the model is
 * by each token.
 *
 *   LSTM: f_t = σ(W_f x_t + U_f h_{t−1} + b_f)     c_t = f_t ⊙ c_{t−1} + i_t ⊙ c̃_t   (keep: f → 1)
 *   GRU:  z_t = σ(W_z x_t + U_z h_{t−1} + b_z)     h_t = z_t ⊙ h_{t−1} + (1 − z_t) ⊙ h̃_t   (keep: z → 1)
 *   surprise_t = −log p(w_t | w_<t) = −log softmax(W_q h_{t−1} + b_q)[w_t]        (nats; none for w_0)
 *
 * Values are of the top layer (forward direction). T passage length, H hidden, V vocabulary.
 */
import { RecurError } from '../errors.js';
import type { Kernels } from '../kernels/types.js';
import { linearForward } from '../layers/linear.js';
import type { LanguageModel } from './language-model.js';

/** One passage traced: h_t, the keep gate (LSTM forget, GRU update) and the surprise per token. */
export interface GateTrace {
  cell: 'lstm' | 'gru';
  gate: 'forget' | 'update';
  T: number;
  H: number;
  /** h_t after reading token t, (T,H) row-major. */
  hidden: number[];
  /** f_t (LSTM) or z_t (GRU) after reading token t, (T,H). */
  keep: number[];
  /** −log p(w_t | w_<t) in nats, (T); null for the first token, which nothing predicts. */
  surprise: (number | null)[];
}

/** How saturated the keep gates are: fractions below `low`, above `high`, and a 10-bin histogram on [0, 1]. */
export interface GateSaturation { low: number; high: number; histogram: number[] }

/** Run `model` (on kernels `k`, its own) over the token ids of a passage (B = 1, from a zero state,
 *  no dropout) and trace it. */
export function gateTrace(model: LanguageModel, ids: Int32Array, k: Kernels): GateTrace {
  const rnn = model.config.rnn;
  if (rnn.cell !== 'lstm' && rnn.cell !== 'gru') throw new RecurError(`gate trace: expected an lstm or gru model, got ${rnn.cell} (it has no gates)`);
  if (rnn.bidirectional) throw new RecurError('gate trace: a bidirectional model sees the future, so its surprise means nothing; expected a one-direction model');
  const T = ids.length, H = rnn.hiddenSize, V = model.vocabSize;
  if (T < 2) throw new RecurError(`gate trace: expected a passage of at least 2 tokens, got ${T}`);
  // forward over the passage; the targets (the next token, the last one repeated) only feed the loss
  const targets = new Int32Array(T);
  targets.set(ids.subarray(1));
  targets[T - 1] = ids[T - 1]!;
  model.loss(ids, targets, T, 1, { reduction: 'sum' });
  const y = model.stack.lastOutput().y;                                            // (T,1,H)
  const gates = model.stack.gateActivations(rnn.numLayers - 1)!;                    // (T,1,G·H)
  const G = rnn.cell === 'lstm' ? 4 : 3;
  const slot = 1; // LSTM gate order i,f,g,o: f is block 1; GRU r,z,n: z is block 1
  const hidden: number[] = [], keep: number[] = [];
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < H; j++) {
      hidden.push(y[t * H + j]!);
      keep.push(gates[t * G * H + slot * H + j]!);
    }
  }
  // o_t = W_q h_t + b_q: the head, as the model's own forward applies it                  (T,V)
  const logits = k.alloc(T * V);
  linearForward(k, logits, y, model.params.get('head.weight').data, model.params.get('head.bias').data, T, H, V);
  const surprise: (number | null)[] = [null];
  for (let t = 1; t < T; t++) surprise.push(negLogSoftmax(logits, (t - 1) * V, V, ids[t]!));
  return { cell: rnn.cell, gate: rnn.cell === 'lstm' ? 'forget' : 'update', T, H, hidden, keep, surprise };
}

/** −log softmax(row)[target] = logsumexp(row) − row[target], in float64. */
function negLogSoftmax(a: ArrayLike<number>, offset: number, V: number, target: number): number {
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, a[offset + v]!);
  let sum = 0;
  for (let v = 0; v < V; v++) sum += Math.exp(a[offset + v]! - max);
  return max + Math.log(sum) - a[offset + target]!;
}

/** The saturation of gate values: fractions < low and > high (default 0.1 and 0.9), and counts in
 *  ten equal bins of [0, 1] divided by the number of values. */
export function gateSaturation(values: ArrayLike<number>, low = 0.1, high = 0.9): GateSaturation {
  const n = values.length;
  const histogram = new Array<number>(10).fill(0);
  let lo = 0, hi = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < low) lo++;
    if (v > high) hi++;
    histogram[Math.min(9, Math.max(0, Math.floor(v * 10)))]!++;
  }
  return { low: lo / n, high: hi / n, histogram: histogram.map((c) => c / n) };
}
