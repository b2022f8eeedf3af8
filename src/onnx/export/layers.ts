/**
 * @module onnx/export/layers
 * A composed model's layer tree as ONNX nodes, layer by layer, in recur's time-major layout:
 *
 *   embedding   Gather(weight, tokens)                          (T,B) int64 → (T,B,E)
 *   recurrent   exportRecurrent; token ids → one-hot first (Equal with 0..V−1, Cast)
 *               output 'final': h_n[(L−1)·D : L·D] → (B, D·H)
 *   linear      rows: Gemm(x, W, b, transB=1); a sequence: MatMul(x, Wᵀ) + b; then Tanh | Relu | Sigmoid
 *   dropout     nothing (identity at inference)
 *   reduce      over each row's valid steps t < n_b (lengths), as nn/reduce:
 *               last  GatherND(x as (B,T,F), n_b − 1, batch_dims=1)     without lengths: x[T−1]
 *               mean  ReduceSum(x ⊙ mask) / n_b                         without lengths: ReduceMean
 *               max   ReduceMax(where(mask, x, −∞))                     without lengths: ReduceMax
 * A layer defined outside recur (`custom:…`) has no export: a one-line RecurError names it.
 */
import { RecurError } from '../../errors.js';
import { parseRecurrentConfig } from '../../layers/config.js';
import type { LayerConfig } from '../../nn/config.js';
import type { FloatArray } from '../../tensor/types.js';
import { DataType, type ValueInfoProto } from '../proto.js';
import { valueInfo } from './graph.js';
import { exportRecurrent, transposed, type SequenceContext } from './recurrent.js';

/** A value between layers: token ids (T,B), a sequence (T,B,size) or rows (B,size). */
export interface Value {
  readonly name: string;
  readonly kind: 'tokens' | 'sequence' | 'rows';
  readonly size: number; // features; 0 for token ids
}

/** What the walk needs besides the graph: the parameters, and where initial and final states go. */
export interface LayerContext extends SequenceContext {
  /** A parameter's values by its full name (`rnn.weight_ih_l0`). */
  readonly param: (name: string) => FloatArray;
  /** Whether recurrent layers take their initial states as graph inputs. */
  readonly initialStates: boolean;
  /** Graph inputs and outputs the recurrent layers add (h0, c0; h_n, c_n). */
  readonly stateInputs: ValueInfoProto[];
  readonly stateOutputs: { value: string; info: ValueInfoProto }[];
}

/** The layer `config` (parameters under `prefix`) applied to v. */
export function exportLayer(ctx: LayerContext, config: LayerConfig, prefix: string, v: Value): Value {
  const what = `layer "${prefix.replace(/\.$/, '') || config.type}" (${config.type})`;
  switch (config.type) {
    case 'sequential':
      return config.layers.reduce((x, c, i) => exportLayer(ctx, c, `${prefix}${c.name ?? String(i)}.`, x), v);
    case 'dropout':
      if (v.kind === 'tokens') throw new RecurError(`${what}: expected floats, got token ids`);
      return v;
    case 'embedding':
      if (v.kind !== 'tokens') throw new RecurError(`${what}: expected token ids, got floats (export with input "tokens")`);
      return { name: ctx.g.op('Gather', [ctx.g.floats(`${prefix}weight`, [config.numEmbeddings, config.embeddingDim], ctx.param(`${prefix}weight`)), v.name], { axis: 0 }),
               kind: 'sequence', size: config.embeddingDim };
    case 'linear':
      return linearLayer(ctx, config, prefix, v, what);
    case 'reduce':
      if (v.kind !== 'sequence') throw new RecurError(`${what}: expected a sequence (T, B, F), got ${v.kind === 'tokens' ? 'token ids' : 'rows (B, F)'}`);
      return { name: reduceLayer(ctx, config.mode, v.name), kind: 'rows', size: v.size };
    case 'recurrent':
      return recurrentLayer(ctx, config, prefix, v, what);
    default:
      throw new RecurError(`${what}: a layer defined outside recur has no ONNX export; only recurrent, embedding, linear, dropout, reduce and sequential layers export`);
  }
}

function linearLayer(ctx: LayerContext, c: Extract<LayerConfig, { type: 'linear' }>, prefix: string, v: Value, what: string): Value {
  const { g } = ctx;
  if (v.kind === 'tokens') throw new RecurError(`${what}: expected floats, got token ids; put an embedding first`);
  const I = v.size, O = c.outputSize;
  const w = ctx.param(`${prefix}weight`);
  const bias = c.bias === false ? undefined : g.floats(`${prefix}bias`, [O], ctx.param(`${prefix}bias`));
  let z: string;
  if (v.kind === 'rows') {
    // z = x Wᵀ + b                                                          (B,O)
    z = g.op('Gemm', [v.name, g.floats(`${prefix}weight`, [O, I], w), ...(bias ? [bias] : [])], { transB: 1 });
  } else {
    // every step: z = x Wᵀ + b                                              (T,B,O)
    z = g.op('MatMul', [v.name, g.floats(`${prefix}weight_T`, [I, O], transposed(w, O, I))]);
    if (bias) z = g.op('Add', [z, bias]);
  }
  const act = c.activation ?? 'identity';
  const y = act === 'identity' ? z : g.op(act === 'tanh' ? 'Tanh' : act === 'relu' ? 'Relu' : 'Sigmoid', [z]);
  return { name: y, kind: v.kind, size: O };
}

function recurrentLayer(ctx: LayerContext, config: Extract<LayerConfig, { type: 'recurrent' }>, prefix: string, v: Value, what: string): Value {
  const { g } = ctx;
  const { type: _t, name: _n, output, ...rest } = config;
  const c = parseRecurrentConfig(rest, what);
  if (v.kind === 'rows') throw new RecurError(`${what}: expected a sequence (T, B, ${c.inputSize}) or token ids, got rows (B, ${v.size})`);
  let x = v.name;
  if (v.kind === 'tokens') {
    // one-hot of size I: x[t,b,i] = (tokens[t,b] == i)                     (T,B,I)
    const range = g.ints(Array.from({ length: c.inputSize }, (_, i) => i));
    x = g.op('Cast', [g.op('Equal', [g.unsqueeze(v.name, [2]), range])], { to: DataType.FLOAT });
  }
  const D = c.bidirectional ? 2 : 1;
  const stateDims = [c.numLayers * D, 'batch', c.hiddenSize] as const;
  const stateInput = (name: string): string | undefined => {
    if (!ctx.initialStates) return undefined;
    const full = `${prefix}${name}`;
    if (!g.claim(full)) throw new RecurError(`${what}: the graph input name "${full}" is taken`);
    ctx.stateInputs.push(valueInfo(full, DataType.FLOAT, stateDims));
    return full;
  };
  const h0 = stateInput('h0');
  const c0 = c.cell === 'lstm' ? stateInput('c0') : undefined;
  const out = exportRecurrent(ctx, c, (n) => ctx.param(`${prefix}${n}`), x, h0, c0, prefix);
  ctx.stateOutputs.push({ value: out.hN, info: valueInfo(`${prefix}h_n`, DataType.FLOAT, stateDims) });
  if (out.cN !== undefined) ctx.stateOutputs.push({ value: out.cN, info: valueInfo(`${prefix}c_n`, DataType.FLOAT, stateDims) });
  if ((output ?? 'sequence') === 'sequence') return { name: out.y, kind: 'sequence', size: D * c.hiddenSize };
  // [h→_n ; h←_n] of the top layer: h_n[(L−1)·D : L·D] (D,B,H) → (B,D,H) → (B,D·H)
  const top = g.slice(out.hN, (c.numLayers - 1) * D, c.numLayers * D, 0);
  return { name: g.reshape(g.transpose(top, [1, 0, 2]), [0, -1]), kind: 'rows', size: D * c.hiddenSize };
}

/** A sequence x (T,B,F) → rows (B,F) over each row's valid steps. */
function reduceLayer(ctx: LayerContext, mode: 'last' | 'mean' | 'max', x: string): string {
  const { g } = ctx;
  if (ctx.lengths === undefined) {
    if (mode === 'last') return g.gather(x, -1, 0);
    return g.op(mode === 'mean' ? 'ReduceMean' : 'ReduceMax', [x], { axes: [0], keepdims: 0 });
  }
  if (mode === 'last') {
    // y_b = x[n_b − 1, b]: GatherND on (B,T,F) with indices (B,1)
    const last = g.op('Sub', [g.op('Cast', [ctx.lengths], { to: DataType.INT64 }), g.scalar(1)]);
    return g.op('GatherND', [g.transpose(x, [1, 0, 2]), g.unsqueeze(last, [1])], { batch_dims: 1 });
  }
  const mask = ctx.mask(x); // (T,B,1) bool
  if (mode === 'max') {
    // max over t < n_b: the padded steps as −∞
    return g.op('ReduceMax', [g.op('Where', [mask, x, g.floatScalar(-Infinity)])], { axes: [0], keepdims: 0 });
  }
  // (1/n_b) Σ_{t<n_b} x_t
  const sum = g.op('ReduceSum', [g.op('Mul', [x, g.op('Cast', [mask], { to: DataType.FLOAT })]), g.ints([0])], { keepdims: 0 });
  return g.op('Div', [sum, g.unsqueeze(g.op('Cast', [ctx.lengths], { to: DataType.FLOAT }), [1])]);
}
