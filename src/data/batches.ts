/**
 * @module data/batches
 * d2l's two ways of cutting a long token sequence into minibatches of B rows and T steps (the
 * truncation length of BPTT). Both yield time-major (T,B) inputs and targets = inputs shifted by one.
 *
 * Sequential partitioning (seq_data_iter_sequential): a random offset in [0, T], the rest split
 * into B long rows; minibatch i+1 continues minibatch i row by row, so the hidden state can be
 * carried across minibatches (and detached).
 * Random sampling (seq_data_iter_random): a random offset in [0, T−1], subsequences of length T
 * shuffled, B per minibatch; neighbours are unrelated, so the state is reset every minibatch.
 */
import { RecurError } from '../errors.js';
import type { Rng } from '../tensor/rng.js';

/**
 * How minibatches are cut: 'sequential' (each row continues where it stopped, so state can carry
 * over) or 'random' (a random offset per epoch, shuffled).
 */
export type Sampling = 'sequential' | 'random';

/**
 * One minibatch of token ids: inputs (T,B) time-major and targets (T,B), the inputs shifted by one.
 */
export interface Minibatch {
  inputs: Int32Array;  // (T,B)
  targets: Int32Array; // (T,B)
}

/** At least how many minibatches an epoch has (the count varies by one with the random offset): for progress bars. */
export function batchesPerEpoch(n: number, B: number, T: number, sampling: Sampling): number {
  return sampling === 'sequential' ? Math.floor(Math.floor((n - T - 1) / B) / T) : Math.floor(Math.floor((n - T) / T) / B);
}

/** One epoch of minibatches. The generator reads `rng` once at its start (offset, shuffle). */
export function* epochBatches(corpus: Int32Array, B: number, T: number, sampling: Sampling, rng: Rng): Generator<Minibatch> {
  const needed = sampling === 'sequential' ? B * T + T + 1 : B * T + T;
  if (corpus.length < needed) {
    throw new RecurError(`training data: ${corpus.length} tokens are too few for batch ${B} × steps ${T}; expected at least ${needed}`);
  }
  if (sampling === 'sequential') yield* sequential(corpus, B, T, rng);
  else yield* randomSampling(corpus, B, T, rng);
}

function* sequential(corpus: Int32Array, B: number, T: number, rng: Rng): Generator<Minibatch> {
  const offset = rng.int(T + 1);                                    // random.randint(0, num_steps)
  const rowLength = Math.floor((corpus.length - offset - 1) / B);   // Xs.reshape(batch_size, -1)
  const n = Math.floor(rowLength / T);
  for (let i = 0; i < n; i++) {
    const inputs = new Int32Array(T * B);
    const targets = new Int32Array(T * B);
    for (let b = 0; b < B; b++) {
      const start = offset + b * rowLength + i * T;
      for (let t = 0; t < T; t++) {
        inputs[t * B + b] = corpus[start + t]!;
        targets[t * B + b] = corpus[start + t + 1]!;
      }
    }
    yield { inputs, targets };
  }
}

function* randomSampling(corpus: Int32Array, B: number, T: number, rng: Rng): Generator<Minibatch> {
  const offset = rng.int(T);                                        // random.randint(0, num_steps - 1)
  const count = Math.floor((corpus.length - offset - 1) / T);
  const starts = Array.from({ length: count }, (_, i) => offset + i * T);
  for (let i = count - 1; i > 0; i--) {                             // random.shuffle: Fisher–Yates
    const j = rng.int(i + 1);
    [starts[i], starts[j]] = [starts[j]!, starts[i]!];
  }
  const n = Math.floor(count / B);
  for (let i = 0; i < n; i++) {
    const inputs = new Int32Array(T * B);
    const targets = new Int32Array(T * B);
    for (let b = 0; b < B; b++) {
      const start = starts[i * B + b]!;
      for (let t = 0; t < T; t++) {
        inputs[t * B + b] = corpus[start + t]!;
        targets[t * B + b] = corpus[start + t + 1]!;
      }
    }
    yield { inputs, targets };
  }
}
