/**
 * @module onnx/import/convert
 * A recognised chain as a recur Model: the plan of chain.ts built as layers (embedding, recurrent,
 * reduce, linear), its parameters copied from the constants (gate blocks in recur's order), then
 * checked: the model and the graph run on two random probe batches (different lengths and batch
 * sizes) must agree to 1e-9, or the conversion is refused. So a graph that only looks like a chain
 * (a head on the first step, a bottom layer's state) is never silently converted into something else.
 */
import { formatShape, RecurError } from '../../errors.js';
import { jsKernels } from '../../kernels/js/index.js';
import type { Kernels } from '../../kernels/types.js';
import type { LayerConfig } from '../../nn/config.js';
import { Model, sequential } from '../../nn/model.js';
import type { LayerInput } from '../../nn/types.js';
import { Rng } from '../../tensor/rng.js';
import { planChain, type PlannedLayer } from './chain.js';
import { ownExportToModel, RECUR_CONFIG_KEY } from './own.js';
import type { OnnxGraph, OnnxTensor, OnnxValueInfo } from './graph.js';
import { RECURRENT_OPS, recurParams } from './recurrent-op.js';
import { isIntType, type Value } from './values.js';

/** A graph converted into a recur model, and how its input is laid out. */
export interface ImportedModel {
  /** The model, in evaluation mode. */
  readonly model: Model;
  /** True when the graph reads (B,T,…) (PyTorch's batch_first): call `model.forward(x, { batchFirst: true })`. */
  readonly batchFirst: boolean;
  /** The graph's input and output names. */
  readonly input: string;
  readonly output: string;
  /** The graph's input of each row's length, when it has one: pass it as the model input's `lengths`. */
  readonly lengths?: string;
}

/** Options of `toModel`. */
export interface ToModelOptions {
  /** The kernels the model runs on, default `jsKernels('float32')`. */
  kernels?: Kernels;
  /** The graph output the model computes, default the first (a bare nn.LSTM's export gives y, h_n, c_n: y). */
  output?: string;
}

const PROBES: readonly (readonly [number, number])[] = [[5, 3], [2, 4]];
const AGREE = 1e-9;

/** The graph's inputs as a recur model reads them: the sequence or token ids, and optionally each
 *  row's length (an integer vector feeding the recurrent nodes' sequence_lens). */
function modelInputs(graph: OnnxGraph): { data: OnnxValueInfo; lengths: OnnxValueInfo | undefined } {
  const ins = graph.inputs;
  const isLengths = (v: OnnxValueInfo) => isIntType(v.type) && v.shape?.length === 1;
  if (ins.length === 1) return { data: ins[0]!, lengths: undefined };
  if (ins.length === 2 && isLengths(ins[0]!) !== isLengths(ins[1]!)) {
    return isLengths(ins[1]!) ? { data: ins[0]!, lengths: ins[1]! } : { data: ins[1]!, lengths: ins[0]! };
  }
  throw new RecurError(`${graph.what}: a recur model takes one input (and each row's length); this graph takes ${ins.map((v) => JSON.stringify(v.name)).join(', ')} (run the graph as it is: OnnxGraph.run, recur run-onnx)`);
}

/** The graph as a recur Model, checked against the graph; a RecurError when it is no chain of recur layers. */
export function graphToModel(graph: OnnxGraph, options: ToModelOptions = {}): ImportedModel {
  // recur's own export: the same model, from its config and its initializers
  const own = graph.metadata[RECUR_CONFIG_KEY];
  if (own !== undefined) return ownExportToModel(graph, own, options);
  const what = graph.what;
  const { data: input, lengths } = modelInputs(graph);
  if (graph.outputs.length === 0) throw new RecurError(`${what}: the graph has no output`);
  const output = options.output ?? graph.outputs[0]!.name;
  if (!graph.outputs.some((o) => o.name === output)) {
    throw new RecurError(`${what}: no output named ${JSON.stringify(output)}; the outputs are ${graph.outputs.map((o) => JSON.stringify(o.name)).join(', ')}`);
  }
  const rng = new Rng(1);
  const probes = PROBES.map(([p, q]) => {
    const x = probeInput(graph, input, p, q, rng);
    return { x, lengths: lengths && probeLengths(graph, input, lengths, x.shape, rng) };
  });
  const feeds = (pr: typeof probes[number]): Record<string, OnnxTensor> =>
    ({ [input.name]: pr.x, ...(lengths && pr.lengths ? { [lengths.name]: { data: pr.lengths, shape: [pr.lengths.length] } } : {}) });
  const first = graph.evaluate(feeds(probes[0]!));
  const shapes = new Map([...first].map(([k, v]) => [k, v.shape]));
  const constants = constantValues(graph, first);
  const plan = planChain(graph, output, shapes, constants);
  if (!plan.some((p) => p.kind === 'recurrent')) throw new RecurError(`${what}: no RNN, GRU or LSTM node; nothing for recur to import as a model`);
  const batchFirst = isBatchFirst(graph, plan, shapes, probes[0]!.x.shape);
  const inputSize = isIntType(input.type) ? undefined : probes[0]!.x.shape[probes[0]!.x.shape.length - 1];
  const configs = layerConfigs(plan, constants);
  const build = (k: Kernels) => {
    const m = sequential(configs, { kernels: k, ...(inputSize === undefined ? {} : { inputSize }) });
    fillParams(m, plan, configs, constants);
    return m.eval();
  };
  const check = build(jsKernels('float64'));
  for (const probe of probes) {
    const want = graph.run(feeds(probe))[output]!;
    const got = check.forward(asLayerInput(probe.x, isIntType(input.type), probe.lengths), { batchFirst });
    const same = got.shape.length === want.shape.length && got.shape.every((d, i) => d === want.shape[i]);
    let diff = same ? 0 : Infinity;
    for (let i = 0; same && i < want.data.length; i++) diff = Math.max(diff, Math.abs(got.data[i]! - want.data[i]!));
    if (!(diff <= AGREE)) {
      throw new RecurError(`${what}: the graph looks like a chain of recur layers (${plan.map((p) => p.kind).join(' → ')}) but computes something else `
        + `(${same ? `max difference ${diff.toExponential(2)}` : `shape ${formatShape(want.shape)} against ${formatShape(got.shape)}`} on a probe input); run the graph as it is: OnnxGraph.run, recur run-onnx`);
    }
  }
  return { model: build(options.kernels ?? jsKernels('float32')), batchFirst, input: input.name, output,
           ...(lengths ? { lengths: lengths.name } : {}) };
}

/** Random lengths in 1..T for a probe x, the longest T: B and T are told apart by the lengths'
 *  dimension (its name or size) against x's first two. */
function probeLengths(graph: OnnxGraph, data: OnnxValueInfo, lengths: OnnxValueInfo, shape: readonly number[], rng: Rng): Int32Array {
  const d = lengths.shape![0];
  const at = [0, 1].find((j) => d !== undefined && data.shape![j] === d) ?? (typeof d === 'number' && shape[0] === d && shape[1] !== d ? 0 : 1);
  const [B, T] = [shape[at]!, shape[1 - at]!];
  if (!(B >= 1 && T >= 1)) throw new RecurError(`${graph.what}: cannot tell the batch size of input ${JSON.stringify(lengths.name)}`);
  return Int32Array.from({ length: B }, (_, b) => (b === 0 ? T : 1 + Math.floor(rng.uniformIn(0, T)) % T));
}

/** The initializers and every value computed from them alone (never an RNN's output), from a probe run. */
function constantValues(graph: OnnxGraph, trace: ReadonlyMap<string, Value>): Map<string, Value> {
  const c = new Map(graph.initializers);
  for (const node of graph.nodes) {
    if (RECURRENT_OPS[node.op_type]) continue;
    if ((node.input ?? []).every((n) => n === '' || c.has(n))) {
      for (const o of node.output ?? []) if (o !== '' && trace.has(o)) c.set(o, trace.get(o)!);
    }
  }
  return c;
}

/** Random probe values for the input: symbolic sizes become p, then q; token ids fall in the embedding's range. */
function probeInput(graph: OnnxGraph, info: OnnxValueInfo, p: number, q: number, rng: Rng): OnnxTensor {
  if (!info.shape) throw new RecurError(`${graph.what}: input "${info.name}" declares no shape; recur cannot tell its layout`);
  const free = [p, q, 1, 1];
  let k = 0;
  const shape = info.shape.map((d) => (typeof d === 'number' ? d : free[k++]!));
  const n = shape.reduce((a, b) => a * b, 1);
  if (isIntType(info.type)) {
    const emb = graph.nodes.find((nd) => nd.op_type === 'Gather' && graph.initializers.get(nd.input?.[0] ?? '')?.shape.length === 2);
    const V = emb ? graph.initializers.get(emb.input![0]!)!.shape[0]! : 0;
    if (!V) throw new RecurError(`${graph.what}: input "${info.name}" holds integers but no embedding reads them`);
    return { data: Array.from({ length: n }, () => Math.floor(rng.uniformIn(0, V)) % V), shape };
  }
  return { data: Array.from({ length: n }, () => rng.uniformIn(-1, 1)), shape };
}

/** Whether the input is (B,T,…): its first two sizes against the first recurrent node's X (T,B,·). */
function isBatchFirst(graph: OnnxGraph, plan: PlannedLayer[], shapes: ReadonlyMap<string, readonly number[]>, given: readonly number[]): boolean {
  const rec = plan.find((p) => p.kind === 'recurrent') as Extract<PlannedLayer, { kind: 'recurrent' }>;
  const x = shapes.get(rec.nodes[0]!.input![0]!)!;
  if (given[0] === x[0] && given[1] === x[1]) return false;
  if (given[0] === x[1] && given[1] === x[0]) return true;
  throw new RecurError(`${graph.what}: input "${graph.inputs[0]!.name}" of shape ${formatShape(given)} does not reach the first RNN as (T, B, …) or (B, T, …)`);
}

/** The plan as layer configs, named as PyTorch modules usually are: embedding, rnn, head. */
function layerConfigs(plan: PlannedLayer[], constants: ReadonlyMap<string, Value>): LayerConfig[] {
  const count = (k: PlannedLayer['kind']) => plan.filter((p) => p.kind === k).length;
  const seen: Record<string, number> = {};
  const nameOf = (k: PlannedLayer['kind'], base: string) => {
    const i = seen[k] = (seen[k] ?? -1) + 1;
    return count(k) === 1 ? base : `${base}${i}`;
  };
  return plan.map((p): LayerConfig => {
    switch (p.kind) {
      case 'embedding':
        return { type: 'embedding', name: nameOf('embedding', 'embedding'), numEmbeddings: p.weight.shape[0]!, embeddingDim: p.weight.shape[1]! };
      case 'reduce':
        return { type: 'reduce', mode: p.mode, name: nameOf('reduce', p.mode) };
      case 'linear':
        return { type: 'linear', name: nameOf('linear', 'head'), inputSize: p.I, outputSize: p.O, bias: p.bias !== undefined, activation: p.activation };
      case 'recurrent': {
        const W = constants.get(p.nodes[0]!.input![2]!)!;
        const base = { type: 'recurrent' as const, name: nameOf('recurrent', 'rnn'), hiddenSize: p.spec.hiddenSize ?? W.shape[2]!,
                       numLayers: p.nodes.length, bidirectional: p.spec.direction === 'bidirectional', output: p.output,
                       bias: p.nodes.some((n) => (n.input?.[3] ?? '') !== '') }; // no B anywhere: nn.RNN(bias=False)
        if (p.spec.cell === 'gru') return { ...base, cell: 'gru', resetAfter: p.spec.resetAfter };
        if (p.spec.cell === 'lstm') return { ...base, cell: 'lstm' };
        return { ...base, cell: 'rnn', nonlinearity: p.spec.nonlinearity };
      }
    }
  });
}

/** Copy the constants into the model's parameters (names as in `layerConfigs`). */
function fillParams(model: Model, plan: PlannedLayer[], configs: LayerConfig[], constants: ReadonlyMap<string, Value>): void {
  const set = (name: string, v: ArrayLike<number>) => model.params.get(name).data.set(v);
  plan.forEach((p, i) => {
    const name = configs[i]!.name!;
    if (p.kind === 'embedding') set(`${name}.weight`, p.weight.data);
    if (p.kind === 'linear') {
      set(`${name}.weight`, p.weight);
      if (p.bias) set(`${name}.bias`, p.bias);
    }
    if (p.kind !== 'recurrent') return;
    p.nodes.forEach((node, l) => {
      const [W, R, B] = [1, 2, 3].map((k) => constants.get(node.input?.[k] ?? ''));
      const H = R!.shape[2]!;
      for (let d = 0; d < (p.spec.direction === 'bidirectional' ? 2 : 1); d++) {
        const q = recurParams(p.spec, H, W!, R!, B, d);
        const s = `${name}.%_l${l}${d === 1 ? '_reverse' : ''}`;
        set(s.replace('%', 'weight_ih'), q.weightIh);
        set(s.replace('%', 'weight_hh'), q.weightHh);
        if (model.params.has(s.replace('%', 'bias_ih'))) {
          set(s.replace('%', 'bias_ih'), q.biasIh);
          set(s.replace('%', 'bias_hh'), q.biasHh);
        }
      }
    });
  });
}

/** A probe as the model's input: token ids (Int32Array) or floats, with each row's length. */
function asLayerInput(t: OnnxTensor, ints: boolean, lengths: Int32Array | undefined): LayerInput {
  const data = Array.from(t.data as ArrayLike<number>, Number);
  if (ints) return { tokens: Int32Array.from(data), shape: [t.shape[0]!, t.shape[1]!], lengths };
  return { data: Float64Array.from(data), shape: [...t.shape], lengths };
}
