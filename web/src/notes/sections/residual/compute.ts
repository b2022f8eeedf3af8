// The residual-recurrence section's numbers, computed with recur exactly as `recur gradients` does
// (random models seeded by `seed`, input seeded by seed + 7919, float64 TypeScript kernels): a tanh
// RNN h_t = tanh(W_h h_{t−1} + W_x x_t + b) against the residual cell h_t = h_{t−1} + tanh(W_h h_{t−1}
// + W_x x_t + b) (recur's residual-xh), W_h scaled to the same spectral radius ρ in both. Pure: the
// figures' worker calls it, and test/web/residual-cli.test.ts compares it with the CLI's JSON.
import { gradientNorms, jsKernels, randomInput, randomStack, RecurError } from '../../../../../src/index.js';
import { stateNorms } from '../../../../../src/analysis/state-norms.js';
import { integerIn } from '../../check.js';

/** Both figures' settings. */
export interface ResidualParams {
  [key: string]: number | string | boolean;
  radius: number;
  hidden: number;
  steps: number;
  seed: number;
}

/** One model's curves. */
export interface ResidualRun {
  /** ‖∂L/∂h_{T−1−d}‖ for L = Σ h_{T−1}, d = 0…T−1. */
  gradNorm: number[];
  rate: number | null;
  /** ‖h_t‖ for t = 0…T−1. */
  stateNorm: number[];
}

/** The tanh RNN and the residual cell, same sizes, same input, W_h at the same ρ. */
export interface ResidualResult { distance: number[]; rnn: ResidualRun; residual: ResidualRun }

/** Check the settings a page (or a hand-edited URL) may send. */
export function checkResidual(p: ResidualParams): void {
  if (!(Number.isFinite(p.radius) && p.radius >= 0 && p.radius <= 10)) throw new RecurError(`ρ: expected a number in 0…10, got ${p.radius}`);
  integerIn(p.hidden, 'H', 1, 128);
  integerIn(p.steps, 'T', 2, 400);
  integerIn(p.seed, 'seed', 0);
}

/** `recur gradients --cell rnn,residual-xh --radius ρ … --state-norms --json`. */
export function computeResidual(p: ResidualParams): ResidualResult {
  checkResidual(p);
  const k = jsKernels('float64');
  const x = randomInput(p.steps, 1, p.hidden, p.seed + 7919, k);
  const run = (cell: 'rnn' | 'residual-xh'): ResidualRun => {
    const stack = randomStack({ cell, hidden: p.hidden, inputSize: p.hidden, activation: 'tanh', whh: 'uniform', radius: p.radius, seed: p.seed }, k);
    const input = { x, T: p.steps, B: 1 };
    const flow = gradientNorms(stack, input);
    return { gradNorm: flow.gradNorm, rate: flow.rate, stateNorm: stateNorms(stack, input) };
  };
  const rnn = run('rnn');
  return { distance: Array.from({ length: p.steps }, (_, d) => d), rnn, residual: run('residual-xh') };
}

/** The command line printing the same numbers (its JSON: series[0] the RNN, series[1] the residual cell). */
export function residualCommand(p: ResidualParams): string {
  return `recur gradients --cell rnn,residual-xh --hidden ${p.hidden} --steps ${p.steps} --radius ${p.radius} --seed ${p.seed} --state-norms --json`;
}
