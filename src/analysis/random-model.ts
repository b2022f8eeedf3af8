/**
 * @module analysis/random-model
 * Random recurrent stacks for teaching: the notes' claims about W_hh in one line.
 *
 * Cells by name: rnn, gru (reset gate before the recurrent product, the notes), gru-after (PyTorch),
 * lstm, residual (h_t = h_{t−1} + g(x_t)), residual-xh (h_t = h_{t−1} + g(x_t, h_{t−1})).
 *
 * Every parameter starts from PyTorch's U(−1/√H, 1/√H); then each (H,H) gate block of every
 * weight_hh is, by `whh`:
 *   uniform     left as it is
 *   orthogonal  a Haar-random orthogonal Q: a normal matrix, every |λ| = 1, so ‖(ρQ)^d v‖ = ρ^d ‖v‖
 *   identity    I (Le, Jaitly & Hinton's IRNN with relu)
 * and, given `radius` ρ, multiplied by ρ / ρ(block) so that its spectral radius is exactly ρ.
 */
import type { CellKind, ResidualForm } from '../cells/index.js';
import { RecurError } from '../errors.js';
import type { Activation, Kernels } from '../kernels/types.js';
import { recurrentConfig, type RecurrentConfig } from '../layers/config.js';
import type { ParamSet } from '../layers/params.js';
import { RecurrentStack } from '../layers/recurrent.js';
import { Rng } from '../tensor/rng.js';
import type { FloatArray } from '../tensor/types.js';
import { randomOrthogonal, spectralRadius } from './linalg.js';

/**
 * The cells the analysis tools build by name (the GRU in both reset forms, the residual cell in
 * both).
 */
export const CELL_NAMES = ['rnn', 'gru', 'gru-after', 'lstm', 'residual', 'residual-xh'] as const;
/** One of CELL_NAMES. */
export type CellName = (typeof CELL_NAMES)[number];
/** The ways randomStack can initialise W_hh. */
export const WHH_INITS = ['uniform', 'orthogonal', 'identity'] as const;
/** One of WHH_INITS. */
export type WhhInit = (typeof WHH_INITS)[number];

/** The sizes and options of a cell to analyse. */
export interface CellOptions {
  hidden: number;
  inputSize: number;
  layers?: number | undefined;
  bidirectional?: boolean | undefined;
  activation?: Activation | undefined;  // rnn and residual cells; default tanh
  forgetBias?: number | undefined;      // lstm
}

/** The stack config of a named cell. */
export function cellConfig(name: CellName, o: CellOptions): RecurrentConfig {
  const base = {
    inputSize: o.inputSize, hiddenSize: o.hidden, numLayers: o.layers ?? 1, bidirectional: o.bidirectional ?? false,
  };
  const f = o.activation ?? 'tanh';
  const gated = (cell: CellKind) => ({ ...base, cell, ...(cell === 'lstm' ? { forgetBias: o.forgetBias ?? 0 } : {}) });
  switch (name) {
    case 'rnn': return recurrentConfig({ ...base, cell: 'rnn', nonlinearity: f });
    case 'gru': return recurrentConfig({ ...gated('gru'), resetAfter: false });
    case 'gru-after': return recurrentConfig({ ...gated('gru'), resetAfter: true });
    case 'lstm': return recurrentConfig(gated('lstm'));
    case 'residual': return recurrentConfig({ ...base, cell: 'residual', nonlinearity: f, residual: 'x' satisfies ResidualForm });
    case 'residual-xh': return recurrentConfig({ ...base, cell: 'residual', nonlinearity: f, residual: 'xh' satisfies ResidualForm });
  }
}

/** A readable name: "rnn (tanh)", "gru (reset before)", "lstm", "residual (xh, tanh)". */
export function describeCell(c: RecurrentConfig): string {
  const layers = `${c.numLayers > 1 ? `${c.numLayers}-layer ` : ''}${c.bidirectional ? 'bidirectional ' : ''}`;
  switch (c.cell) {
    case 'rnn': return `${layers}rnn (${c.nonlinearity})`;
    case 'gru': return `${layers}gru (reset ${c.resetAfter ? 'after' : 'before'})`;
    case 'lstm': return `${layers}lstm${c.forgetBias !== 0 ? ` (forget bias ${c.forgetBias})` : ''}`;
    case 'residual': return `${layers}residual (${c.residual}, ${c.nonlinearity})`;
  }
}

/**
 * How to initialise W_hh: PyTorch's uniform, orthogonal or identity, optionally scaled to a
 * spectral radius.
 */
export interface RecurrentInit {
  whh?: WhhInit | undefined;   // default uniform
  radius?: number | undefined; // scale every gate block of W_hh to this spectral radius
}

/**
 * Re-initialises every weight_hh of a stack's parameters as `init` says. `prefix` is the stack's
 * name prefix inside a larger model ("rnn."). The residual "x" form has no weight_hh.
 */
export function initRecurrentWeights(params: ParamSet, config: RecurrentConfig, init: RecurrentInit, rng: Rng, prefix = ''): void {
  const H = config.hiddenSize;
  const whh = init.whh ?? 'uniform';
  const names = params.list.map((p) => p.name).filter((n) => n.startsWith(`${prefix}weight_hh_`));
  if (names.length === 0) {
    if (whh !== 'uniform' || init.radius !== undefined) {
      throw new RecurError(`the ${describeCell(config)} cell has no W_hh (h_t = h_{t−1} + g(x_t)): --radius and --whh do not apply; use residual-xh`);
    }
    return;
  }
  if (init.radius !== undefined && !(Number.isFinite(init.radius) && init.radius >= 0)) {
    throw new RecurError(`radius: expected a finite number ≥ 0, got ${init.radius}`);
  }
  for (const name of names) {
    const w = params.get(name).data;
    const G = w.length / (H * H);
    for (let g = 0; g < G; g++) {
      const block = w.subarray(g * H * H, (g + 1) * H * H);
      if (whh === 'orthogonal') block.set(randomOrthogonal(H, rng));
      else if (whh === 'identity') for (let i = 0; i < H * H; i++) block[i] = i % (H + 1) === 0 ? 1 : 0;
      if (init.radius !== undefined) scaleToRadius(block, H, init.radius, `${name} gate ${g}`);
    }
  }
}

function scaleToRadius(block: FloatArray, H: number, radius: number, what: string): void {
  const rho = spectralRadius(Float64Array.from(block), H);
  if (!(rho > 1e-300)) throw new RecurError(`${what}: spectral radius 0 (a nilpotent block) cannot be scaled to ${radius}`);
  const s = radius / rho;
  for (let i = 0; i < block.length; i++) block[i]! *= s;
}

/** A seeded random stack for the analyses: the cell, its options and W_hh's initialisation. */
export interface RandomModelSpec extends CellOptions, RecurrentInit {
  cell: CellName;
  seed: number;
}

/** A seeded random stack: PyTorch's init, then W_hh as `spec` asks. */
export function randomStack(spec: RandomModelSpec, k: Kernels): RecurrentStack {
  const config = cellConfig(spec.cell, spec);
  const rng = new Rng(spec.seed);
  const stack = new RecurrentStack(config, k, rng);
  initRecurrentWeights(stack.params, config, spec, rng);
  return stack;
}

/** x (T,B,I) ~ N(0, 1), seeded. */
export function randomInput(T: number, B: number, I: number, seed: number, k: Kernels): FloatArray {
  const rng = new Rng(seed);
  const x = k.alloc(T * B * I);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  return x;
}
