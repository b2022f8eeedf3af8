/**
 * @module train/guard
 * When has a training run diverged? One rule, shared by every training loop (language models, the
 * forecasters, the long-range tasks) and by the commands that report a loss or a gradient.
 *
 * A step has diverged when
 *   1. its loss is not finite (NaN, ±Infinity), or
 *   2. its loss is above `limit`: DIVERGENCE_FACTOR (10) times the loss of a trivial guess, the
 *      reference: ln V for cross-entropy over V classes (the uniform guess), the variance of the
 *      target for a mean squared error (1 on a normalised series: predicting the mean). A model that
 *      scores ten times worse than guessing has exploded, whatever its loss still is. For a
 *      cross-entropy the limit is also at most ln(Number.MAX_VALUE) ≈ 709.78, above which the
 *      perplexity exp(loss) overflows to Infinity; or
 *   3. one of its gradients is not finite.
 * No fs, no process, no state: a pure function of the numbers.
 */
import { RecurError } from '../errors.js';
import type { FloatArray } from '../tensor/types.js';
import { firstNonFinite } from './clip.js';

/** How many times the loss of a trivial guess a loss may be before the run counts as diverged. */
export const DIVERGENCE_FACTOR = 10;

/** ln(Number.MAX_VALUE): the largest loss whose exp (the perplexity) is finite. */
export const MAX_EXP_ARGUMENT = Math.log(Number.MAX_VALUE);

/** What went wrong at a diverged step. */
export interface Divergence {
  /** 'loss' (not finite or above the limit) or 'gradient' (not finite). */
  what: 'loss' | 'gradient';
  /** The first non-finite gradient's index in the flat buffer; −1 for the loss. */
  index: number;
  /** Why, in words: "the loss is not finite (NaN)", "the loss 2.6e+9 is above 41.11, 10 times that of a trivial guess". */
  reason: string;
}

/** The loss limit of a cross-entropy over `classes` classes: 10 · ln V, and at most ln(MAX_VALUE)
 *  so that exp(loss) stays finite. (V = 1 counts as 2: every model scores 0 on one class.) */
export function crossEntropyLimit(classes: number): number {
  return Math.min(MAX_EXP_ARGUMENT, DIVERGENCE_FACTOR * Math.log(Math.max(2, classes)));
}

/** The loss limit of a mean squared error whose trivial guess (the mean) scores `variance`. */
export function squaredErrorLimit(variance: number): number {
  return DIVERGENCE_FACTOR * variance;
}

/**
 * Has this step diverged? `loss` is the step's loss; `grads` its gradients (omit them to check a
 * loss alone, as after a forward pass); `limit` from crossEntropyLimit or squaredErrorLimit
 * (Infinity: only non-finite values count). Returns null for a healthy step.
 */
export function checkStep(loss: number, grads: FloatArray | undefined, limit: number): Divergence | null {
  if (!Number.isFinite(loss)) return { what: 'loss', index: -1, reason: `the loss is not finite (${loss})` };
  if (loss > limit) {
    return { what: 'loss', index: -1, reason: `the loss ${loss.toPrecision(4)} is above ${limit.toPrecision(4)}, ${DIVERGENCE_FACTOR} times that of a trivial guess` };
  }
  const i = grads ? firstNonFinite(grads) : -1;
  if (i !== -1) return { what: 'gradient', index: i, reason: `a gradient is not finite (${grads![i]})` };
  return null;
}

/** A run stopped by this rule: the loss exploded or a value is not finite, or (skipping such steps)
 *  more than half the steps of an epoch had to be skipped. */
export class DivergedError extends RecurError {
  /** The step (1-based) and epoch at which it diverged, why, and what to try (`advice`). */
  constructor(readonly step: number, readonly epoch: number, readonly reason: string, readonly advice: string) {
    super(`training diverged at step ${step} (epoch ${epoch}): ${reason}. ${advice}`);
  }
}
