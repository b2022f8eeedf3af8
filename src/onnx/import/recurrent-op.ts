/**
 * @module onnx/import/recurrent-op
 * ONNX's RNN, GRU and LSTM operators run by recur's recurrent stack (one layer, one or two
 * directions). ONNX's equations are recur's cells once the gate blocks are put in recur's order
 * (onnx/gates) and B = [Wb ; Rb] is split into bias_ih and bias_hh:
 *
 *   RNN   H_t = f(X_t Wᵀ + H_{t−1} Rᵀ + Wb + Rb)                       f = Tanh | Relu
 *   GRU   linear_before_reset 0: recur's reset-before GRU; 1: reset-after (PyTorch's nn.GRU)
 *   LSTM  i,o,f,c with σ, tanh, tanh; no peepholes (P), no clip, no input_forget
 *
 *   X (T,B,I) [layout 1: (B,T,I)]   W (D,G·H,I)   R (D,G·H,H)   B (D,2·G·H)
 *   sequence_lens (B)   initial_h, initial_c (D,B,H) [layout 1: (B,D,H)]
 *   Y (T,D,B,H) [layout 1: (B,T,D,H)], zero after each row's length   Y_h, Y_c (D,B,H) [(B,D,H)]
 *
 * What recur cannot honour (other activations, alpha/beta other than Affine's identity, clip, input_forget, peepholes) is
 * refused when the model is imported, naming the node.
 */
import type { CellKind } from '../../cells/index.js';
import { formatShape, RecurError } from '../../errors.js';
import { jsKernels } from '../../kernels/js/index.js';
import type { RecurrentConfig } from '../../layers/config.js';
import { RecurrentStack } from '../../layers/recurrent.js';
import { Rng } from '../../tensor/rng.js';
import { onnxGateOrder, permuteGateRows } from '../gates.js';
import type { NodeProto } from '../proto.js';
import { attr, intAttr, makeValue, stringAttr, stringsAttr, type Value } from './values.js';

/** The recurrent operators' op types and their cells. */
export const RECURRENT_OPS: Record<string, CellKind> = { RNN: 'rnn', GRU: 'gru', LSTM: 'lstm' };

const DEFAULT_ACTIVATIONS: Record<string, string[]> = { RNN: ['Tanh'], GRU: ['Sigmoid', 'Tanh'], LSTM: ['Sigmoid', 'Tanh', 'Tanh'] };

/** What a recurrent node computes, read from its attributes. */
export interface RecurrentNodeSpec {
  readonly cell: CellKind;
  readonly direction: 'forward' | 'reverse' | 'bidirectional';
  readonly nonlinearity: 'tanh' | 'relu' | 'identity';
  readonly resetAfter: boolean;
  readonly layout: 0 | 1;
  readonly hiddenSize: number | undefined;
}

/** The node's spec; a RecurError naming the node for anything recur cannot compute. */
export function recurrentSpec(node: NodeProto, what: string): RecurrentNodeSpec {
  const op = node.op_type;
  const cell = RECURRENT_OPS[op]!;
  const refuse = (why: string): never => { throw new RecurError(`${what}: ${why}; recur cannot import it`); };
  const direction = stringAttr(node, 'direction', 'forward');
  if (direction !== 'forward' && direction !== 'reverse' && direction !== 'bidirectional') refuse(`direction ${JSON.stringify(direction)} is none of forward, reverse, bidirectional`);
  const D = direction === 'bidirectional' ? 2 : 1;
  if (attr(node, 'clip')) refuse('has attribute "clip"');
  // the identity is RNN's Affine with α = 1, β = 0 (as recur's export writes it); other α, β are refused
  const affine = op === 'RNN' && (stringsAttr(node, 'activations') ?? []).some((a) => a === 'Affine');
  const alpha = attr(node, 'activation_alpha')?.floats, beta = attr(node, 'activation_beta')?.floats;
  const identity = affine && alpha !== undefined && alpha.length === D && alpha.every((v) => v === 1) && (beta ?? []).every((v) => v === 0)
    && (beta === undefined || beta.length === D);
  for (const name of ['activation_alpha', 'activation_beta']) if (attr(node, name) && !identity) refuse(`has attribute "${name}"`);
  if (op === 'LSTM' && intAttr(node, 'input_forget', 0) !== 0) refuse('has input_forget = 1 (coupled input and forget gates)');
  if (op === 'LSTM' && (node.input?.[7] ?? '') !== '') refuse(`has peephole weights (input P "${node.input![7]}")`);
  const layout = intAttr(node, 'layout', 0);
  if (layout !== 0 && layout !== 1) refuse(`layout ${layout} is neither 0 nor 1`);
  const lbr = intAttr(node, 'linear_before_reset', 0);
  if (op === 'GRU' && lbr !== 0 && lbr !== 1) refuse(`linear_before_reset ${lbr} is neither 0 nor 1`);
  const given = stringsAttr(node, 'activations');
  let nonlinearity: 'tanh' | 'relu' | 'identity' = 'tanh';
  if (given) {
    const per = given.length / D;
    const dirs = Array.from({ length: D }, (_, d) => given.slice(d * per, (d + 1) * per).join(','));
    const ok = (s: string) => (op === 'RNN' ? s === 'Tanh' || s === 'Relu' || (s === 'Affine' && identity) : s === DEFAULT_ACTIVATIONS[op]!.join(','));
    if (!Number.isInteger(per) || dirs.some((s) => !ok(s)) || dirs.some((s) => s !== dirs[0])) {
      refuse(`has activations [${given.map((a) => (/^\w+$/.test(a) ? a : JSON.stringify(a))).join(', ')}]; recur computes ${op === 'RNN' ? 'Tanh, Relu or Affine (α = 1, β = 0)' : `[${DEFAULT_ACTIVATIONS[op]!.join(', ')}]`}, the same in both directions`);
    }
    if (op === 'RNN' && dirs[0] === 'Relu') nonlinearity = 'relu';
    if (op === 'RNN' && dirs[0] === 'Affine') nonlinearity = 'identity';
  }
  const h = attr(node, 'hidden_size');
  return { cell, direction: direction as RecurrentNodeSpec['direction'], nonlinearity, resetAfter: op === 'GRU' && lbr === 1,
           layout: layout as 0 | 1, hiddenSize: h === undefined ? undefined : Number(h.i ?? 0) };
}

/** recur's parameters from ONNX's W, R, B of one direction: the gate blocks in recur's order. */
export function recurParams(spec: RecurrentNodeSpec, H: number, W: Value, R: Value, B: Value | undefined, d: number) {
  const order = onnxGateOrder(spec.cell);
  const GH = order.length * H;
  const I = W.shape[2]!;
  const rows = (v: Value, from: number, cols: number) => permuteGateRows(v.data.subarray(from, from + GH * cols), order, H, cols, false);
  return {
    weightIh: rows(W, d * GH * I, I),                                 // (G·H, I)
    weightHh: rows(R, d * GH * H, H),                                 // (G·H, H)
    biasIh: B ? rows(B, d * 2 * GH, 1) : new Float64Array(GH),        // (G·H)
    biasHh: B ? rows(B, d * 2 * GH + GH, 1) : new Float64Array(GH),   // (G·H)
  };
}

/** Swap the first two axes of a (P,Q,F) array. */
function swap01(src: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }, P: number, Q: number, F: number): Float64Array {
  const out = new Float64Array(src.length);
  for (let p = 0; p < P; p++) for (let q = 0; q < Q; q++) out.set(src.subarray((p * Q + q) * F, (p * Q + q + 1) * F), (q * P + p) * F);
  return out;
}

/** Each row's steps 0..n_b−1 in reverse order (a sequence (T,B,F)); padded steps stay as they are. */
function reverseRows(src: Float64Array, B: number, F: number, lengths: Int32Array): Float64Array {
  const out = new Float64Array(src.length);
  for (let b = 0; b < B; b++) {
    const n = lengths[b]!;
    for (let t = 0; t < n; t++) out.set(src.subarray(((n - 1 - t) * B + b) * F, ((n - 1 - t) * B + b + 1) * F), (t * B + b) * F);
  }
  return out;
}

const kernels = jsKernels('float64');

/** A one-layer stack holding the node's weights (both directions), in recur's gate order. */
function stackFor(spec: RecurrentNodeSpec, I: number, H: number, W: Value, R: Value, B: Value | undefined): RecurrentStack {
  const D = spec.direction === 'bidirectional' ? 2 : 1;
  const config: RecurrentConfig = {
    cell: spec.cell, inputSize: I, hiddenSize: H, numLayers: 1, bidirectional: D === 2, nonlinearity: spec.nonlinearity,
    resetAfter: spec.resetAfter, bias: true, residual: 'x', dropout: 0, forgetBias: 0,
  };
  const stack = new RecurrentStack(config, kernels, new Rng(0));
  for (let d = 0; d < D; d++) {
    const p = recurParams(spec, H, W, R, B, d);
    const s = `l0${d === 1 ? '_reverse' : ''}`;
    stack.params.get(`weight_ih_${s}`).data.set(p.weightIh);
    stack.params.get(`weight_hh_${s}`).data.set(p.weightHh);
    stack.params.get(`bias_ih_${s}`).data.set(p.biasIh);
    stack.params.get(`bias_hh_${s}`).data.set(p.biasHh);
  }
  return stack;
}

/** ONNX's Y (T,D,B,H), or (B,T,D,H) with layout 1, from recur's y (T,B,D·H). */
function onnxY(y: Float64Array, T: number, B: number, D: number, H: number, layout: 0 | 1): Float64Array {
  const Y = new Float64Array(T * D * B * H);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      for (let d = 0; d < D; d++) {
        const to = layout === 1 ? ((b * T + t) * D + d) * H : ((t * D + d) * B + b) * H;
        Y.set(y.subarray(((t * B + b) * D + d) * H, ((t * B + b) * D + d + 1) * H), to);
      }
    }
  }
  return Y;
}

/** Run one RNN/GRU/LSTM node on its inputs (undefined where the name is empty); its outputs Y, Y_h[, Y_c]. */
export function runRecurrent(node: NodeProto, inputs: readonly (Value | undefined)[], what: string): Value[] {
  const spec = recurrentSpec(node, what);
  const [x0, W, R, Bias, lens, h0in, c0in] = inputs;
  if (!x0 || !W || !R) throw new RecurError(`${what}: inputs X, W and R are needed`);
  if (x0.shape.length !== 3) throw new RecurError(`${what}: expected X of rank 3, got shape ${formatShape(x0.shape)}`);
  const D = spec.direction === 'bidirectional' ? 2 : 1;
  const G = onnxGateOrder(spec.cell).length;
  const H = spec.hiddenSize ?? R.shape[2]!;
  const [T, B, I] = spec.layout === 1 ? [x0.shape[1]!, x0.shape[0]!, x0.shape[2]!] : x0.shape as [number, number, number];
  const expect = (v: Value | undefined, name: string, shape: number[]) => {
    if (v && (v.shape.length !== shape.length || v.shape.some((n, i) => n !== shape[i]))) {
      throw new RecurError(`${what}: expected ${name} of shape ${formatShape(shape)}, got ${formatShape(v.shape)}`);
    }
  };
  const stateShape = spec.layout === 1 ? [B, D, H] : [D, B, H];
  ([[W, 'W', [D, G * H, I]], [R, 'R', [D, G * H, H]], [Bias, 'B', [D, 2 * G * H]], [lens, 'sequence_lens', [B]],
    [h0in, 'initial_h', stateShape], [c0in, 'initial_c', stateShape]] as const).forEach(([v, name, shape]) => expect(v, name, [...shape]));
  if (T < 1 || B < 1) throw new RecurError(`${what}: expected at least one step and one row, got X of shape ${formatShape(x0.shape)}`);
  const lengths = lens ? Int32Array.from(lens.data) : new Int32Array(B).fill(T);
  lengths.forEach((n, b) => {
    if (n < 1 || n > T) throw new RecurError(`${what}: expected sequence_lens in 1..${T}, got ${n} at row ${b}`);
  });
  const stack = stackFor(spec, I, H, W, R, Bias);
  // time-major (T,B,I); a reverse-only node runs forward over each row's steps reversed
  let x: Float64Array<ArrayBufferLike> = spec.layout === 1 ? swap01(x0.data, B, T, I) : x0.data;
  if (spec.direction === 'reverse') x = reverseRows(x, B, I, lengths);
  const state = (v: Value | undefined) => (v && spec.layout === 1 ? swap01(v.data, B, D, H) : v?.data);
  const out = stack.forward(x, T, B, { h0: state(h0in), c0: state(c0in), lengths: lens ? lengths : undefined });
  let y: Float64Array<ArrayBufferLike> = Float64Array.from(out.y);                                         // (T,B,D·H)
  if (spec.direction === 'reverse') y = reverseRows(y, B, H, lengths);
  const final = (s: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }) => (spec.layout === 1 ? swap01(s, D, B, H) : Float64Array.from(s));
  const type = x0.type;
  const outs = [makeValue(type, spec.layout === 1 ? [B, T, D, H] : [T, D, B, H], onnxY(y, T, B, D, H, spec.layout)),
                makeValue(type, stateShape, final(out.hN))];
  if (spec.cell === 'lstm') outs.push(makeValue(type, stateShape, final(out.cN!)));
  return outs;
}
