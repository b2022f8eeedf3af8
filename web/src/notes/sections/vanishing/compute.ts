// The vanishing/exploding section's numbers, computed with recur exactly as `recur gradients` does
// (random model seeded by `seed`, input seeded by seed + 7919, float64 TypeScript kernels). Pure:
// the figure's worker calls it, and test/web/vanishing-cli.test.ts compares it with the CLI's JSON.
import { ADDING_BASELINE, trainTask, type TaskFlow, type TaskOptions } from '../../../../../src/analysis/tasks.js';
import { describeCell, eigenvalues, gradientNorms, jsKernels, randomInput, randomStack, RecurError, weightSpectra } from '../../../../../src/index.js';
import { integerIn } from '../../check.js';

/** The σ(x) = x figure's settings: h_t = W_h h_{t−1} + W_x x_t + b, W_h scaled to spectral radius ρ. */
export interface LinearParams {
  [key: string]: number | string | boolean;
  radius: number;
  hidden: number;
  steps: number;
  whh: 'uniform' | 'orthogonal';
  seed: number;
}

export interface LinearResult {
  /** Eigenvalues of W_h as [re, im]. */
  eigenvalues: [number, number][];
  spectralRadius: number;
  maxSingularValue: number;
  distance: number[];
  /** ‖∂L/∂h_{T−1−d}‖ for L = Σ h_{T−1}. */
  gradNorm: number[];
  rate: number | null;
}

/** Check the settings a page (or a hand-edited URL) may send. */
export function checkLinear(p: LinearParams): void {
  if (!(Number.isFinite(p.radius) && p.radius >= 0 && p.radius <= 10)) throw new RecurError(`ρ: expected a number in 0…10, got ${p.radius}`);
  integerIn(p.hidden, 'H', 1, 128);
  integerIn(p.steps, 'T', 2, 400);
  if (p.whh !== 'uniform' && p.whh !== 'orthogonal') throw new RecurError(`W_h: expected uniform or orthogonal, got ${String(p.whh)}`);
}

/** `recur gradients --cell rnn --activation identity …`: W_h's eigenvalues and ‖∂L/∂h‖ against distance. */
export function computeLinear(p: LinearParams): LinearResult {
  checkLinear(p);
  const k = jsKernels('float64');
  const stack = randomStack({ cell: 'rnn', hidden: p.hidden, inputSize: p.hidden, activation: 'identity', whh: p.whh, radius: p.radius, seed: p.seed }, k);
  const x = randomInput(p.steps, 1, p.hidden, p.seed + 7919, k);
  const flow = gradientNorms(stack, { x, T: p.steps, B: 1 });
  const w = stack.params.get('weight_hh_l0').data;
  const [spectrum] = weightSpectra(stack);
  return {
    eigenvalues: eigenvalues(Float64Array.from(w), p.hidden).map((z) => [z.re, z.im]),
    spectralRadius: spectrum!.spectralRadius, maxSingularValue: spectrum!.maxSingularValue,
    distance: flow.distance, gradNorm: flow.gradNorm, rate: flow.rate,
  };
}

/** The command line printing the same numbers (its JSON: gradNorm, weights, eigenvalues). */
export function linearCommand(p: LinearParams): string {
  return `recur gradients --cell rnn --activation identity --hidden ${p.hidden} --steps ${p.steps} --radius ${p.radius} --whh ${p.whh} --seed ${p.seed} --eigenvalues --json`;
}

/** The gates figure's settings: untrained tanh RNN, GRU and LSTM (PyTorch's init), LSTM forget bias b_f. */
export interface GatesParams {
  [key: string]: number | string | boolean;
  forgetBias: number;
  seed: number;
}

/** The gates figure's sizes: H = 32 units, T = 60 steps, as the gradient lab's default. */
export const GATES_HIDDEN = 32, GATES_STEPS = 60;

export interface GatesResult {
  distance: number[];
  series: { cell: 'rnn' | 'gru' | 'lstm'; label: string; gradNorm: number[]; rate: number | null }[];
}

/** `recur gradients --cell rnn,gru,lstm --forget-bias b …`: how far the gradient reaches in each
 *  untrained cell, the LSTM's forget gates opened by b_f (σ(b_f) of the cell kept per step). */
export function computeGates(p: GatesParams): GatesResult {
  if (!(Number.isFinite(p.forgetBias) && Math.abs(p.forgetBias) <= 10)) throw new RecurError(`b_f: expected a number in −10…10, got ${p.forgetBias}`);
  integerIn(p.seed, 'seed', 0);
  const k = jsKernels('float64');
  const H = GATES_HIDDEN, T = GATES_STEPS;
  const x = randomInput(T, 1, H, p.seed + 7919, k);
  const series = (['rnn', 'gru', 'lstm'] as const).map((cell) => {
    const stack = randomStack({
      cell, hidden: H, inputSize: H, activation: cell === 'rnn' ? 'tanh' : undefined,
      forgetBias: cell === 'lstm' ? p.forgetBias : undefined, whh: 'uniform', seed: p.seed,
    }, k);
    const flow = gradientNorms(stack, { x, T, B: 1 });
    return { cell, label: describeCell(stack.config), gradNorm: flow.gradNorm, rate: flow.rate };
  });
  return { distance: Array.from({ length: T }, (_, d) => d), series };
}

/** The command line printing the same numbers. */
export function gatesCommand(p: GatesParams): string {
  return `recur gradients --cell rnn,gru,lstm --hidden ${GATES_HIDDEN} --steps ${GATES_STEPS} --forget-bias ${p.forgetBias} --seed ${p.seed} --json`;
}

/** The trained-models figure's settings: a tanh RNN and an LSTM trained on the adding problem of
 *  length T, the LSTM's forget-gate bias b_f; the gradient flow measured during training. */
export interface TrainedParams {
  [key: string]: number | string | boolean;
  steps: number;
  forgetBias: number;
  seed: number;
}

/** Small enough to train in a couple of seconds in a Worker, large enough that the LSTM learns at
 *  T = 20 with seed 0 (float32 TypeScript kernels, as `--backend js`). */
export const TRAINED = { hidden: 16, batch: 32, lr: 0.01, budget: 400, evalEvery: 50, valSize: 64, flowEvery: 200 } as const;

/** One cell's run: the validation loss at every evaluation and the gradient flow at 0, 200 and 400 steps. */
export interface TrainedRun {
  cell: 'rnn' | 'lstm';
  step: number[];
  valLoss: number[];
  finalValLoss: number;
  solvedAt: number | null;
  flow: TaskFlow[];
}

export interface TrainedResult { baseline: number; forgetBias: number; distance: number[]; runs: [TrainedRun, TrainedRun] }

/** Select values arrive as strings: the settings as numbers. */
export function normTrained(p: TrainedParams): TrainedParams {
  return { steps: Number(p.steps), forgetBias: Number(p.forgetBias), seed: Number(p.seed) };
}

/** The options `recur task adding` builds from the command line below (its defaults for the rest). */
export function trainedTaskOptions(p: TrainedParams, cell: 'rnn' | 'lstm'): TaskOptions {
  return {
    task: 'adding', cell, T: p.steps, hidden: TRAINED.hidden, layers: 1, activation: 'tanh', whh: 'uniform', radius: undefined,
    forgetBias: p.forgetBias, batch: TRAINED.batch, lr: TRAINED.lr, optimizer: 'adam', clip: 1, budget: TRAINED.budget,
    evalEvery: TRAINED.evalEvery, valSize: TRAINED.valSize, seed: p.seed, stopWhenSolved: false, flowEvery: TRAINED.flowEvery,
  };
}

/** `recur task adding --cell rnn,lstm … --flow-every 200`: train both, measuring the gradient flow. */
export function computeTrained(settings: TrainedParams): TrainedResult {
  const p = normTrained(settings);
  integerIn(p.steps, 'T', 2, 100);
  if (!(Number.isFinite(p.forgetBias) && Math.abs(p.forgetBias) <= 10)) throw new RecurError(`b_f: expected a number in −10…10, got ${p.forgetBias}`);
  integerIn(p.seed, 'seed', 0);
  const k = jsKernels('float32');
  const run = (cell: 'rnn' | 'lstm'): TrainedRun => {
    const r = trainTask(trainedTaskOptions(p, cell), k);
    return { cell, step: r.history.map((h) => h.step), valLoss: r.history.map((h) => h.valLoss), finalValLoss: r.finalValLoss, solvedAt: r.solvedAt, flow: r.flow };
  };
  return { baseline: ADDING_BASELINE, forgetBias: p.forgetBias, distance: Array.from({ length: p.steps }, (_, d) => d), runs: [run('rnn'), run('lstm')] };
}

/** The command line printing the same numbers (the eval lines' valLoss, the end lines' flow). */
export function trainedCommand(settings: TrainedParams): string {
  const p = normTrained(settings);
  return `recur task adding --cell rnn,lstm --steps ${p.steps} --hidden ${TRAINED.hidden} --batch ${TRAINED.batch} --lr ${TRAINED.lr} ` +
    `--forget-bias ${p.forgetBias} --budget ${TRAINED.budget} --eval-every ${TRAINED.evalEvery} --val-size ${TRAINED.valSize} ` +
    `--flow-every ${TRAINED.flowEvery} --keep-going --seed ${p.seed} --backend js --json`;
}
