/**
 * @module layers/config
 * The recurrent stack's configuration: what travels in a checkpoint's `__metadata__["recur.config"]`,
 * and its validation, so that a hand-written or PyTorch-made config fails with a clear message.
 */
import type { CellKind, ResidualForm } from '../cells/index.js';
import { describeValue, RecurError } from '../errors.js';
import type { Activation } from '../kernels/types.js';

/**
 * A recurrent stack's shape, as PyTorch's nn.RNN/GRU/LSTM arguments (cell, sizes, layers,
 * direction, bias, dropout); build one with recurrentConfig, which fills the defaults and checks
 * it.
 */
export interface RecurrentConfig {
  cell: CellKind;            // "rnn" | "gru" | "lstm" | "residual"
  inputSize: number;         // I
  hiddenSize: number;        // H
  numLayers: number;         // L, default 1
  bidirectional: boolean;    // D = 2 when true, default false
  nonlinearity: Activation;  // f of "rnn" and g of "residual": "tanh" (default) | "relu" | "identity"
  resetAfter: boolean;       // GRU only: reset gate after the recurrent product (PyTorch); default false (the notes, d2l)
  bias: boolean;             // b_ih and b_hh, default true
  residual: ResidualForm;    // residual only: "x" for h_{t-1} + g(x_t), "xh" for h_{t-1} + g(x_t, h_{t-1}); default "x"
  dropout: number;           // between layers in training mode, default 0
  forgetBias: number;        // LSTM only: added to the forget gate's b_ih at initialisation, default 0
}

const DEFAULTS = {
  numLayers: 1, bidirectional: false, nonlinearity: 'tanh', resetAfter: false, bias: true,
  residual: 'x', dropout: 0, forgetBias: 0,
} as const;

const CELLS: readonly CellKind[] = ['rnn', 'gru', 'lstm', 'residual'];
const ACTIVATIONS: readonly Activation[] = ['tanh', 'relu', 'identity'];
const FORMS: readonly ResidualForm[] = ['x', 'xh'];
const KEYS = new Set(['cell', 'inputSize', 'hiddenSize', ...Object.keys(DEFAULTS)]);

/** What `recurrentConfig` takes: the cell and sizes, and any of the other fields (their defaults
 *  as in RecurrentConfig). */
export type RecurrentOptions = Partial<Omit<RecurrentConfig, 'cell' | 'inputSize' | 'hiddenSize'>> &
  Pick<RecurrentConfig, 'cell' | 'inputSize' | 'hiddenSize'>;

/** A complete config from a partial one, every field checked (a NaN size or a dropout of 1 is a
 *  RecurError even where the types allow it). `what` names the source in errors. */
export function recurrentConfig(options: RecurrentOptions, what = 'config'): RecurrentConfig {
  return parseRecurrentConfig(options, what);
}

/** recurrentConfig for a config that comes from JSON (a file): anything may arrive. */
export function parseRecurrentConfig(raw: unknown, what = 'config'): RecurrentConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new RecurError(`${what}: expected a JSON object, got ${describeValue(raw)}`);
  }
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KEYS.has(key)) throw new RecurError(`${what}: unknown key "${key}"; expected one of ${[...KEYS].join(', ')}`);
  }
  const pick = <T>(key: string, fallback: T | undefined, check: (v: unknown) => v is T, expected: string): T => {
    const v = o[key] ?? fallback;
    if (v === undefined) throw new RecurError(`${what}: missing "${key}" (${expected})`);
    if (!check(v)) throw new RecurError(`${what}: "${key}" must be ${expected}, got ${describeValue(v)}`);
    return v;
  };
  const oneOf = <T extends string>(list: readonly T[]) => (v: unknown): v is T => list.includes(v as T);
  const posInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1;
  const bool = (v: unknown): v is boolean => typeof v === 'boolean';
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const quoted = (list: readonly string[]) => `one of ${list.map((s) => `"${s}"`).join(', ')}`;

  const config: RecurrentConfig = {
    cell: pick('cell', undefined, oneOf(CELLS), quoted(CELLS)),
    inputSize: pick('inputSize', undefined, posInt, 'a positive integer'),
    hiddenSize: pick('hiddenSize', undefined, posInt, 'a positive integer'),
    numLayers: pick('numLayers', DEFAULTS.numLayers, posInt, 'a positive integer'),
    bidirectional: pick('bidirectional', DEFAULTS.bidirectional, bool, 'true or false'),
    nonlinearity: pick('nonlinearity', DEFAULTS.nonlinearity, oneOf(ACTIVATIONS), quoted(ACTIVATIONS)),
    resetAfter: pick('resetAfter', DEFAULTS.resetAfter, bool, 'true or false'),
    bias: pick('bias', DEFAULTS.bias, bool, 'true or false'),
    residual: pick('residual', DEFAULTS.residual, oneOf(FORMS), quoted(FORMS)),
    dropout: pick('dropout', DEFAULTS.dropout, (v): v is number => finite(v) && v >= 0 && v < 1, 'a number in [0, 1)'),
    forgetBias: pick('forgetBias', DEFAULTS.forgetBias, finite, 'a finite number'),
  };
  // options of another cell: a value other than the default means a mistake
  if (config.cell !== 'gru' && config.resetAfter) throw new RecurError(`${what}: "resetAfter" applies to a "gru" only; this is a ${config.cell}`);
  if (config.cell !== 'lstm' && config.forgetBias !== 0) throw new RecurError(`${what}: "forgetBias" applies to an "lstm" only; this is a ${config.cell}`);
  if (config.cell !== 'residual' && config.residual !== 'x') throw new RecurError(`${what}: "residual" applies to a "residual" cell only; this is a ${config.cell}`);
  if ((config.cell === 'gru' || config.cell === 'lstm') && config.nonlinearity !== 'tanh') {
    throw new RecurError(`${what}: "nonlinearity" applies to "rnn" and "residual" cells only; a ${config.cell} uses σ and tanh, got "${config.nonlinearity}"`);
  }
  return config;
}
