/**
 * @module onnx/export/recurrent
 * A recurrent stack as ONNX nodes: one standard RNN, GRU or LSTM operator per layer (both
 * directions in one node), and the residual cells, which no ONNX operator computes, as a Scan per
 * layer and direction whose body is the cell's step.
 *
 *   rnn        RNN  (activations Tanh | Relu | Affine(α=1, β=0) for identity)
 *   gru        GRU  (linear_before_reset = 1 for resetAfter, 0 for the notes' form)
 *   lstm       LSTM (no peepholes, input_forget 0)
 *   residual   Scan: h_t = h_{t−1} + f(z_t [+ W_hh h_{t−1} + b_hh]),  z_t = W_ih x_t + b_ih
 *
 * ONNX's Y is (T, D, B, H); recur's next layer reads (T, B, D·H): Transpose (0,2,1,3) + Reshape.
 * h0 (L·D, B, H) is sliced per layer (index layer·D + direction, as PyTorch's), Y_h concatenated back.
 * Padded steps (t ≥ length) give y = 0 and leave the state unchanged, as the operators' sequence_lens.
 */
import type { RecurrentConfig } from '../../layers/config.js';
import type { FloatArray } from '../../tensor/types.js';
import { onnxGateOrder, permuteGateRows } from '../gates.js';
import { DataType } from '../proto.js';
import { valueInfo, type AttrValue, type GraphBuilder } from './graph.js';

/** What the stack's export reads besides its input: lengths, per-step mask, and the initial states. */
export interface SequenceContext {
  readonly g: GraphBuilder;
  /** int32 (B), each row's valid steps; undefined: every row has T. */
  readonly lengths: string | undefined;
  /** bool (T,B,1): t < length, for a sequence value `seq` (T,B,·). Only asked for when `lengths` is set. */
  mask(seq: string): string;
}

/** The stack's outputs: y (T,B,D·H), h_n and (LSTM) c_n (L·D,B,H). */
export interface RecurrentValues {
  y: string;
  hN: string;
  cN: string | undefined;
}

/** ONNX's name for f of the RNN operator; identity is Affine with α = 1, β = 0. */
const RNN_ACTIVATION = { tanh: 'Tanh', relu: 'Relu', identity: 'Affine' } as const;
/** TensorProto.DataType BOOL (the mask's type). */
export const BOOL = 9;
/** f of a residual cell's step as an ONNX operator. */
const RESIDUAL_ACTIVATION = { tanh: 'Tanh', relu: 'Relu', identity: 'Identity' } as const;

/**
 * The stack `c` applied to x (T,B,I), with its parameters read by `param(name)` (PyTorch's names,
 * `weight_ih_l0`...). `h0`, `c0` (L·D,B,H) are value names, or undefined for zeros.
 */
export function exportRecurrent(ctx: SequenceContext, c: RecurrentConfig, param: (name: string) => FloatArray, x: string,
                                h0: string | undefined, c0: string | undefined, prefix = ''): RecurrentValues {
  const { g } = ctx;
  const D = c.bidirectional ? 2 : 1;
  const hs: string[] = [];
  const cs: string[] = [];
  let input = x;
  for (let l = 0; l < c.numLayers; l++) {
    const I = l === 0 ? c.inputSize : D * c.hiddenSize;
    // this layer's initial states: h0[l·D : (l+1)·D]                        (D,B,H)
    const h0l = h0 === undefined ? undefined : g.slice(h0, l * D, (l + 1) * D, 0);
    const c0l = c0 === undefined ? undefined : g.slice(c0, l * D, (l + 1) * D, 0);
    const out = c.cell === 'residual'
      ? residualLayer(ctx, c, l, I, param, input, h0l, prefix)
      : operatorLayer(ctx, c, l, I, param, input, h0l, c0l, prefix);
    hs.push(out.hN);
    if (out.cN !== undefined) cs.push(out.cN);
    input = out.y;
  }
  return { y: input, hN: g.concat(hs, 0), cN: cs.length > 0 ? g.concat(cs, 0) : undefined };
}

/** Layer l as one RNN/GRU/LSTM node over both directions. */
function operatorLayer(ctx: SequenceContext, c: RecurrentConfig, l: number, I: number, param: (name: string) => FloatArray,
                       x: string, h0: string | undefined, c0: string | undefined, prefix: string): RecurrentValues {
  const { g } = ctx;
  const H = c.hiddenSize;
  const D = c.bidirectional ? 2 : 1;
  const order = onnxGateOrder(c.cell);
  const G = order.length;
  const suffixes = Array.from({ length: D }, (_, dir) => `l${l}${dir === 1 ? '_reverse' : ''}`);
  // W (D, G·H, I), R (D, G·H, H): recur's blocks in ONNX's gate order, the directions stacked
  const stack = (kind: 'weight_ih' | 'weight_hh' | 'bias_ih' | 'bias_hh', cols: number): Float64Array[] =>
    suffixes.map((s) => permuteGateRows(param(`${kind}_${s}`), order, H, cols, true));
  const W = g.floats(`${prefix}W_l${l}`, [D, G * H, I], join(stack('weight_ih', I)));
  const R = g.floats(`${prefix}R_l${l}`, [D, G * H, H], join(stack('weight_hh', H)));
  // B (D, 2·G·H) = [Wb ; Rb] per direction
  let B = '';
  if (c.bias) {
    const bi = stack('bias_ih', 1), bh = stack('bias_hh', 1);
    B = g.floats(`${prefix}B_l${l}`, [D, 2 * G * H], join(suffixes.flatMap((_, d) => [bi[d]!, bh[d]!])));
  }
  const attrs: Record<string, AttrValue> = { hidden_size: H, direction: D === 2 ? 'bidirectional' : 'forward' };
  if (c.cell === 'rnn') {
    attrs.activations = Array<string>(D).fill(RNN_ACTIVATION[c.nonlinearity]);
    if (c.nonlinearity === 'identity') {
      attrs.activation_alpha = { floats: Array<number>(D).fill(1) };
      attrs.activation_beta = { floats: Array<number>(D).fill(0) };
    }
  }
  if (c.cell === 'gru') attrs.linear_before_reset = c.resetAfter ? 1 : 0;
  const op = c.cell === 'rnn' ? 'RNN' : c.cell === 'gru' ? 'GRU' : 'LSTM';
  const inputs = [x, W, R, B, ctx.lengths ?? '', h0 ?? ''];
  if (op === 'LSTM') inputs.push(c0 ?? '');
  const outs = g.node(op, trimOptional(inputs), op === 'LSTM' ? [`${prefix}Y_l${l}`, `${prefix}Y_h_l${l}`, `${prefix}Y_c_l${l}`] : [`${prefix}Y_l${l}`, `${prefix}Y_h_l${l}`],
                      attrs);
  // Y (T,D,B,H) → (T,B,D,H) → (T,B,D·H)
  const y = g.reshape(g.transpose(outs[0]!, [0, 2, 1, 3]), [0, 0, -1]);
  return { y, hN: outs[1]!, cN: outs[2] };
}

/** Layer l of a residual cell: per direction, a Scan over the steps whose body is the cell's step. */
function residualLayer(ctx: SequenceContext, c: RecurrentConfig, l: number, I: number, param: (name: string) => FloatArray,
                       x: string, h0: string | undefined, prefix: string): RecurrentValues {
  const { g } = ctx;
  const H = c.hiddenSize;
  const D = c.bidirectional ? 2 : 1;
  const mask = ctx.lengths === undefined ? undefined : ctx.mask(x);
  const ys: string[] = [];
  const hs: string[] = [];
  for (let dir = 0; dir < D; dir++) {
    const s = `${prefix}l${l}${dir === 1 ? '_reverse' : ''}`;
    const own = `l${l}${dir === 1 ? '_reverse' : ''}`; // the parameters' own suffix
    // z = x W_ihᵀ + b_ih for every step                                     (T,B,H)
    let z = g.op('MatMul', [x, g.floats(`W_ih_${s}_T`, [I, H], transposed(param(`weight_ih_${own}`), H, I))]);
    if (c.bias) z = g.op('Add', [z, g.floats(`b_ih_${s}`, [H], param(`bias_ih_${own}`))]);
    // the initial state of this direction (B,H): h0[dir], or zeros of x's batch
    const start = h0 !== undefined ? g.gather(h0, dir, 0) : zerosLike(g, x, H);
    const body = residualStep(g, c, s, (n) => param(`${n}_${own}`), mask !== undefined);
    const [hN, y] = g.node('Scan', mask === undefined ? [start, z] : [start, z, mask], [`h_n_${s}`, `Y_${s}`], {
      body: { graph: body }, num_scan_inputs: mask === undefined ? 1 : 2,
      scan_input_directions: Array<number>(mask === undefined ? 1 : 2).fill(dir), scan_output_directions: [dir],
    });
    ys.push(y!);
    hs.push(g.unsqueeze(hN!, [0]));
  }
  return { y: g.concat(ys, 2), hN: g.concat(hs, 0), cN: undefined };
}

/**
 * The Scan body of one residual step (its values named after `s`; `param` reads this direction's W_hh, b_hh):
 *   a = z_t (+ h_{t−1} W_hhᵀ + b_hh for form "xh");  h = h_{t−1} + f(a)
 *   with a mask: h_t = m_t ? h : h_{t−1},  y_t = m_t ? h_t : 0;  without: h_t = y_t = h.
 */
function residualStep(outer: GraphBuilder, c: RecurrentConfig, s: string, param: (kind: 'weight_hh' | 'bias_hh') => FloatArray, masked: boolean) {
  const b = outer.subgraph();
  const H = c.hiddenSize;
  const hPrev = b.name(`h_prev_${s}`), zt = b.name(`z_${s}_t`), mt = b.name(`m_${s}_t`);
  let a = zt;
  if (c.residual === 'xh') {
    a = b.op('Add', [b.op('MatMul', [hPrev, b.floats(`W_hh_${s}_T`, [H, H], transposed(param('weight_hh'), H, H))]), a]);
    if (c.bias) a = b.op('Add', [a, b.floats(`b_hh_${s}`, [H], param('bias_hh'))]);
  }
  const hNew = b.op('Add', [hPrev, b.op(RESIDUAL_ACTIVATION[c.nonlinearity], [a])]);
  const h = masked ? b.op('Where', [mt, hNew, hPrev]) : hNew;
  const y = masked ? b.op('Where', [mt, h, b.floatScalar(0)]) : b.op('Identity', [h]);
  const inputs = [valueInfo(hPrev, DataType.FLOAT, ['batch', H]), valueInfo(zt, DataType.FLOAT, ['batch', H])];
  if (masked) inputs.push(valueInfo(mt, BOOL, ['batch', 1]));
  return {
    name: `residual_step_${s}`, node: b.nodes, initializer: b.initializers, input: inputs,
    output: [valueInfo(h, DataType.FLOAT, ['batch', H]), valueInfo(y, DataType.FLOAT, ['batch', H])],
  };
}

/** Zeros (B,H) for the batch of x (T,B,·). */
function zerosLike(g: GraphBuilder, x: string, H: number): string {
  const batch = g.slice(g.op('Shape', [x]), 1, 2, 0); // (1) = [B]
  return g.op('ConstantOfShape', [g.concat([batch, g.ints([H])], 0)]);
}

/** Wᵀ (I,O) of W (O,I), row-major. */
export function transposed(w: ArrayLike<number>, O: number, I: number): Float64Array {
  const out = new Float64Array(O * I);
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) out[i * O + o] = w[o * I + i]!;
  return out;
}

function join(parts: readonly ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p as ArrayLike<number>, at); at += p.length; }
  return out;
}

/** Trailing optional inputs left out ('' in the middle stays: "not given"). */
function trimOptional(inputs: string[]): string[] {
  let n = inputs.length;
  while (n > 0 && inputs[n - 1] === '') n--;
  return inputs.slice(0, n);
}
