// The BPTT section's numbers: a small random tanh RNN unrolled over T steps, with the per-step
// losses L_t = Σ h_t (recur gradients' convention) and every backward path's size ‖∂L_t/∂h_k‖
// (one exact backward pass per loss step, float64), as `recur gradients --heatmap … --json` prints.
// Pure: test/web/bptt-cli.test.ts compares it with the CLI.
import { gradientHeatmap, gradientNorms, jsKernels, randomInput, randomStack, RecurError } from '../../../../../src/index.js';
import { integerIn } from '../../check.js';

/** The figure's settings. */
export interface BpttParams {
  [key: string]: number | string | boolean;
  /** Sequence length. */
  steps: number;
  /** The truncation window: a loss reaches back at most `window` states (k > t − window). */
  window: number;
  /** The loss step whose backward paths are drawn. */
  loss: number;
  /** W_hh's spectral radius. */
  radius: number;
  seed: number;
}

/** The hidden size of the unrolled RNN. */
export const BPTT_HIDDEN = 8;

export interface BpttResult {
  T: number;
  /** (T, T) row-major: ‖∂L_t/∂h_k‖, zero for k > t. */
  heatmap: number[];
  /** ‖∂L/∂h_{T−1−d}‖ for L = Σ h_{T−1}. */
  gradNorm: number[];
}

/** Check the settings a page (or a hand-edited URL) may send. */
export function checkBptt(p: BpttParams): void {
  integerIn(p.steps, 'T', 2, 24);
  if (!(Number.isFinite(p.radius) && p.radius >= 0 && p.radius <= 3)) throw new RecurError(`ρ: expected a number in 0…3, got ${p.radius}`);
  integerIn(p.seed, 'seed', 0);
}

/** recur gradients' numbers for the unrolled RNN. */
export function computeBptt(p: BpttParams): BpttResult {
  checkBptt(p);
  const k = jsKernels('float64');
  const T = p.steps;
  const stack = randomStack({ cell: 'rnn', hidden: BPTT_HIDDEN, inputSize: BPTT_HIDDEN, activation: 'tanh', whh: 'uniform', radius: p.radius, seed: p.seed }, k);
  const input = { x: randomInput(T, 1, BPTT_HIDDEN, p.seed + 7919, k), T, B: 1 };
  return { T, heatmap: Array.from(gradientHeatmap(stack, input)), gradNorm: gradientNorms(stack, input).gradNorm };
}

/** What the window keeps of loss step t's backward paths: Σ_{t−window < k ≤ t} ‖∂L_t/∂h_k‖ over Σ_{k ≤ t}. */
export function keptShare(r: BpttResult, t: number, window: number): number {
  let kept = 0, all = 0;
  for (let k = 0; k <= t; k++) {
    const v = r.heatmap[t * r.T + k]!;
    all += v;
    if (k > t - window) kept += v;
  }
  return kept / all;
}

/** The command line printing the same numbers (the heatmap's rows in its JSON; the SVG beside). */
export function bpttCommand(p: BpttParams): string {
  return `recur gradients --cell rnn --hidden ${BPTT_HIDDEN} --steps ${p.steps} --radius ${p.radius} --seed ${p.seed} --heatmap bptt.svg --json`;
}
