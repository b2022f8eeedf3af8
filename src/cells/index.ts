/**
 * @module cells
 * Picks the cell a recurrent layer runs.
 */
import type { Activation, Kernels } from '../kernels/types.js';
import { gruCell } from './gru.js';
import { lstmCell } from './lstm.js';
import { residualCell, type ResidualForm } from './residual.js';
import { rnnCell } from './rnn.js';
import type { Cell } from './types.js';

/** The recurrence of a cell: the simple RNN, GRU, LSTM or a residual cell. */
export type CellKind = 'rnn' | 'gru' | 'lstm' | 'residual';

/**
 * Which cell to build and its variant: `nonlinearity` (rnn, residual), `resetAfter` (GRU: reset
 * gate after the recurrent product, as PyTorch) and `residual` (the residual form).
 */
export interface CellChoice {
  cell: CellKind;
  nonlinearity: Activation; // f of the rnn and residual cells
  resetAfter: boolean;      // GRU: reset gate after the recurrent product (PyTorch) or before it (the notes)
  residual: ResidualForm;   // residual cells: 'x' or 'xh'
}

/**
 * One layer-direction of the cell `c` on kernels `k`: forward and backward over a whole sequence
 * (most users want RecurrentStack, which builds these).
 */
export function createCell(k: Kernels, c: CellChoice): Cell {
  switch (c.cell) {
    case 'rnn': return rnnCell(k, c.nonlinearity) as Cell;
    case 'gru': return gruCell(k, c.resetAfter) as Cell;
    case 'lstm': return lstmCell(k) as Cell;
    case 'residual': return residualCell(k, c.nonlinearity, c.residual) as Cell;
  }
}

/** Gates per cell: the G in the (G*H, ·) weight shapes. */
export const gateCount = (cell: CellKind): number => (cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1);
/** Whether the cell has W_hh (and b_hh): all but the residual g(x_t; θ). */
export const hasRecurrentWeight = (c: Pick<CellChoice, 'cell' | 'residual'>): boolean =>
  c.cell !== 'residual' || c.residual === 'xh';

export type { Alloc, Cell, CellCache, CellWeights, SeqDims, StepViews } from './types.js';
export type { ResidualForm } from './residual.js';
