/**
 * @module onnx/import/chain
 * The layers of a recognised chain: which nodes of a graph are recur layers and which are glue.
 *
 *   Gather(constant (V,E), ids)               → embedding
 *   RNN/GRU/LSTM, consecutive with one config → one recurrent layer of L layers
 *     (its output: Y → 'sequence', only Y_h used → 'final'; a sequence read as rows → reduce 'last')
 *   ReduceMean / ReduceMax right after the recurrent layer → reduce 'mean' / 'max' (over time)
 *   Gemm(x, constant), MatMul(x, constant) [+ Add constant] → linear
 *   Relu/Tanh/Sigmoid right after a linear    → that linear's activation
 *
 * Nodes computed from constants alone are folded. Everything else must be glue (reshapes,
 * transposes, slices, the zero initial states): the plan is only a candidate, which convert.ts
 * checks against the graph itself before it is returned.
 */
import { RecurError } from '../../errors.js';
import type { NodeProto } from '../proto.js';
import type { OnnxGraph } from './graph.js';
import { RECURRENT_OPS, recurrentSpec, type RecurrentNodeSpec } from './recurrent-op.js';
import { SHAPE_OPS } from './shape-ops.js';
import { floatAttr, intAttr, nodeLabel, type Value } from './values.js';

/** One recur layer of the plan and the nodes it comes from. */
export type PlannedLayer =
  | { kind: 'embedding'; node: NodeProto; weight: Value }
  | { kind: 'recurrent'; nodes: NodeProto[]; spec: RecurrentNodeSpec; output: 'sequence' | 'final' }
  | { kind: 'reduce'; mode: 'last' | 'mean' | 'max' }
  | { kind: 'linear'; nodes: NodeProto[]; weight: Float64Array; bias: Float64Array | undefined; O: number; I: number;
      activation: 'identity' | 'tanh' | 'relu' | 'sigmoid' };

const ACTIVATION_OPS: Record<string, 'tanh' | 'relu' | 'sigmoid'> = { Tanh: 'tanh', Relu: 'relu', Sigmoid: 'sigmoid' };

/** (R,C) → (C,R) */
function transposed(a: Float64Array, R: number, C: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[c * R + r] = a[r * C + c]!;
  return out;
}

/**
 * The candidate layers of a graph, in order; `shapes` are the shapes of every value on a probe run
 * (to tell a sequence read as rows), `init` the graph's constants (initializers, and what is computed
 * from them alone, such as weights sliced and concatenated without constant folding). A node with
 * no place in a chain is a RecurError naming it.
 */
export function planChain(graph: OnnxGraph, output: string, shapes: ReadonlyMap<string, readonly number[]>,
                          init: ReadonlyMap<string, Value>): PlannedLayer[] {
  const nodes = ancestors(graph.nodes, output);
  const consumers = new Map<string, NodeProto[]>();
  for (const n of nodes) for (const i of n.input ?? []) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const used = (name: string | undefined) => name !== undefined && name !== '' &&
    ((consumers.get(name)?.length ?? 0) > 0 || name === output);
  const refuse = (node: NodeProto, why: string): never => {
    throw new RecurError(`${graph.what}: ${nodeLabel(node)} ${why}, so the graph is no chain of recur layers (run the graph as it is: OnnxGraph.run, recur run-onnx)`);
  };
  const plan: PlannedLayer[] = [];
  const absorbed = new Set<NodeProto>();
  let lastLinear: LinearPlan | undefined;
  for (const node of nodes) {
    if (absorbed.has(node) || (node.output ?? []).every((o) => o === '' || init.has(o))) continue; // constant: folded
    const op = node.op_type;
    const [a, b] = node.input ?? [];
    if (op === 'Gather' && a !== undefined && init.has(a) && init.get(a)!.shape.length === 2 && !init.has(b ?? '')) {
      if (intAttr(node, 'axis', 0) !== 0) refuse(node, 'gathers along an axis other than 0');
      plan.push({ kind: 'embedding', node, weight: init.get(a)! });
      lastLinear = undefined;
    } else if (RECURRENT_OPS[op]) {
      const spec = recurrentSpec(node, `${graph.what}: ${nodeLabel(node)}`);
      if (spec.direction === 'reverse') refuse(node, 'runs in reverse only (recur layers run forward or both ways)');
      if (spec.layout !== 0) refuse(node, 'has layout 1');
      for (const k of [1, 2, 3]) if (node.input?.[k] && !init.has(node.input[k]!)) refuse(node, `computes its weights "${node.input[k]}" from an input`);
      if (node.input?.[4] && init.has(node.input[4])) refuse(node, 'takes constant sequence_lens (a recur model takes lengths with its input)');
      const prev = plan[plan.length - 1];
      const same = prev?.kind === 'recurrent' && JSON.stringify({ ...prev.spec, hiddenSize: 0 }) === JSON.stringify({ ...spec, hiddenSize: 0 }) &&
        hidden(init, prev.nodes[0]!) === hidden(init, node);
      if (same) prev.nodes.push(node);
      else plan.push({ kind: 'recurrent', nodes: [node], spec, output: 'sequence' });
      lastLinear = undefined;
    } else if (op === 'Gemm' || op === 'MatMul') {
      lastLinear = linearLayer(node, init, consumers, refuse);
      if (lastLinear.nodes[1]) absorbed.add(lastLinear.nodes[1]);
      plan.push(lastLinear);
    } else if (ACTIVATION_OPS[op] && lastLinear && lastLinear.activation === 'identity' &&
               a === lastLinear.nodes[lastLinear.nodes.length - 1]!.output![0]) {
      lastLinear.activation = ACTIVATION_OPS[op]!;
      lastLinear.nodes.push(node);
    } else if ((op === 'ReduceMean' || op === 'ReduceMax') && plan[plan.length - 1]?.kind === 'recurrent') {
      plan.push({ kind: 'reduce', mode: op === 'ReduceMean' ? 'mean' : 'max' });
      lastLinear = undefined;
    } else if (SHAPE_OPS[op] && !(node.input ?? []).some((n) => init.has(n) && !isSmallInt(init.get(n)!))) {
      // glue: shapes, indices, transposes, the zero initial states
    } else {
      refuse(node, 'has no recur layer to become');
    }
  }
  finishRecurrent(plan, shapes, used, graph);
  return plan;
}

/** A planned linear layer. */
type LinearPlan = Extract<PlannedLayer, { kind: 'linear' }>;

/** nn.Linear from Gemm(x, W[, C]) (W (O,I) with transB, else (I,O); α and β folded in) or from
 *  MatMul(x, W (I,O)) and the Add of a constant bias that alone reads its result. */
function linearLayer(node: NodeProto, init: ReadonlyMap<string, Value>, consumers: ReadonlyMap<string, NodeProto[]>,
                     refuse: (node: NodeProto, why: string) => never): LinearPlan {
  const op = node.op_type;
  const [x, b, c] = node.input ?? [];
  if (!init.has(b ?? '') || init.has(x ?? '')) refuse(node, 'has no constant weight as its second input');
  const W = init.get(b!)!;
  if (W.shape.length !== 2) refuse(node, 'has a weight that is not a matrix');
  if (op === 'Gemm' && intAttr(node, 'transA', 0) !== 0) refuse(node, 'transposes its input (transA)');
  const tB = op === 'Gemm' && intAttr(node, 'transB', 0) === 1;
  const [O, I] = tB ? [W.shape[0]!, W.shape[1]!] : [W.shape[1]!, W.shape[0]!];
  const alpha = op === 'Gemm' ? floatAttr(node, 'alpha', 1) : 1;
  const weight = (tB ? Float64Array.from(W.data) : transposed(W.data, I, O)).map((v) => alpha * v);  // (O,I)
  const nodes = [node];
  let bias: Float64Array | undefined;
  if (op === 'Gemm' && c) {
    if (!init.has(c) || init.get(c)!.data.length !== O) refuse(node, `has a bias C that is no constant of ${O} values`);
    bias = init.get(c)!.data.map((v) => floatAttr(node, 'beta', 1) * v);
  } else if (op === 'MatMul') {
    const next = consumers.get(node.output![0]!) ?? [];
    const add = next.length === 1 && next[0]!.op_type === 'Add' ? next[0]! : undefined;
    const other = add?.input?.find((n) => n !== node.output![0]);
    if (add && other && init.has(other) && init.get(other)!.data.length === O) {
      bias = Float64Array.from(init.get(other)!.data);
      nodes.push(add);
    }
  }
  return { kind: 'linear', nodes, weight, bias, O, I, activation: 'identity' };
}

/** The nodes `output` depends on, in graph order. */
function ancestors(all: readonly NodeProto[], output: string): NodeProto[] {
  const need = new Set([output]);
  const keep: NodeProto[] = [];
  for (let i = all.length - 1; i >= 0; i--) {
    const n = all[i]!;
    if (!(n.output ?? []).some((o) => need.has(o))) continue;
    keep.push(n);
    for (const x of n.input ?? []) need.add(x);
  }
  return keep.reverse();
}

/** An integer constant (axes, indices, shapes) that glue may read. */
const isSmallInt = (v: Value) => v.type !== 1 && v.type !== 11;

/** H of a recurrent node (its attribute, or R's last dimension). */
function hidden(init: ReadonlyMap<string, Value>, node: NodeProto): number {
  const R = init.get(node.input?.[2] ?? '');
  return recurrentSpec(node, '').hiddenSize ?? R?.shape[2] ?? 0;
}

/** Each recurrent layer's output ('final' when only its Y_h is read), and a reduce where a sequence is read as rows. */
function finishRecurrent(plan: PlannedLayer[], shapes: ReadonlyMap<string, readonly number[]>, used: (n: string | undefined) => boolean,
                         graph: OnnxGraph): void {
  for (let i = 0; i < plan.length; i++) {
    const p = plan[i]!;
    if (p.kind !== 'recurrent') continue;
    const last = p.nodes[p.nodes.length - 1]!;
    if (!used(last.output?.[0]) && used(last.output?.[1])) p.output = 'final';
    const next = plan[i + 1];
    if (p.output === 'sequence' && next?.kind === 'linear') {
      const x = next.nodes[0]!.input![0]!;
      if (shapes.get(x)?.length === 2) plan.splice(i + 1, 0, { kind: 'reduce', mode: 'last' });
    }
    if (p.output === 'final' && next?.kind === 'recurrent') {
      throw new RecurError(`${graph.what}: ${nodeLabel(next.nodes[0]!)} reads the final state of the layer before, so the graph is no chain of recur layers (run the graph as it is: OnnxGraph.run, recur run-onnx)`);
    }
  }
}
