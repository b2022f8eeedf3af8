/**
 * @module onnx/import/graph
 * An imported ONNX graph, run node by node with the standard semantics of the operators recur
 * imports: RNN/GRU/LSTM by recur's recurrent stack, the glue and head operators in plain
 * TypeScript (float64). Every node is checked when the graph is made, so that a model outside the
 * supported set is refused at once, in one line naming the node and its op type.
 */
import { formatShape, RecurError } from '../../errors.js';
import { decodeModel, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from '../proto.js';
import { graphToModel, type ImportedModel, type ToModelOptions } from './convert.js';
import { checkMaskNode, MASK_OPS } from './mask-ops.js';
import { MATH_OPS } from './math-ops.js';
import { RECURRENT_OPS, recurrentSpec, runRecurrent } from './recurrent-op.js';
import { runScan, scanSpec } from './scan-op.js';
import { SHAPE_OPS, type OpFn } from './shape-ops.js';
import { checkType, fromTensorProto, isIntType, makeValue, nodeLabel, type Value } from './values.js';

/** A tensor given to or returned by `OnnxGraph.run`: row-major values and their shape. */
export interface OnnxTensor {
  readonly data: ArrayLike<number> | BigInt64Array;
  readonly shape: readonly number[];
}

/** A graph output: float64 values (integers for an integer output), row-major, and the ONNX data type. */
export interface OnnxResult {
  readonly data: Float64Array;
  readonly shape: readonly number[];
  /** ONNX's TensorProto.DataType: 1 FLOAT, 7 INT64, ... */
  readonly type: number;
}

/** A graph input or output as the model declares it: dims are sizes, symbolic names, or undefined. */
export interface OnnxValueInfo {
  readonly name: string;
  /** ONNX's TensorProto.DataType (1 FLOAT, 7 INT64, ...). */
  readonly type: number;
  /** The declared dimensions: a size, a name ("batch") or undefined when unknown; undefined when the rank is not declared. */
  readonly shape: readonly (number | string | undefined)[] | undefined;
}

const RUN: Record<string, OpFn> = { ...SHAPE_OPS, ...MATH_OPS, ...MASK_OPS };
for (const op of Object.keys(RECURRENT_OPS)) RUN[op] = (node, inputs, what) => runRecurrent(node, inputs, what);
// Scan runs its body graph with the interpreter itself: OnnxGraph.runNodes calls runScan
RUN.Scan = (_node, _inputs, what) => { throw new Error(`${what}: Scan is run by OnnxGraph.runNodes`); };

/** Every op type recur imports. */
export const SUPPORTED_OPS: readonly string[] = Object.keys(RUN).sort();

function valueInfo(v: ValueInfoProto): OnnxValueInfo {
  const t = v.type?.tensor_type;
  const dims = t?.shape?.dim;
  return { name: v.name, type: t?.elem_type ?? 0,
           shape: dims?.map((d) => (d.dim_value !== undefined ? Number(d.dim_value) : d.dim_param || undefined)) };
}

/** Every name in the graph is printable (messages quote them on one line). */
function checkNames(g: GraphProto, what: string): void {
  const check = (kind: string, name: string | undefined) => {
    if (name && /[\u0000-\u001f\u007f]/.test(name)) throw new RecurError(`${what}: ${kind} name ${JSON.stringify(name)} holds control characters`);
  };
  for (const v of [...(g.input ?? []), ...(g.output ?? [])]) check('value', v.name);
  for (const t of g.initializer ?? []) check('initializer', t.name);
  for (const n of g.node ?? []) {
    check('node', n.name);
    check('operator', n.op_type);
    check('domain', n.domain);
    for (const v of [...(n.input ?? []), ...(n.output ?? [])]) check('value', v);
  }
}

/** A model read from ONNX bytes, checked node by node, ready to run. */
export class OnnxGraph {
  /** The inputs to feed (graph inputs that are not initializers), in the model's order. */
  readonly inputs: readonly OnnxValueInfo[];
  /** The outputs `run` returns, in the model's order. */
  readonly outputs: readonly OnnxValueInfo[];
  /** The default domain's opset version. */
  readonly opset: number;
  /** The nodes in execution order. @internal */
  readonly nodes: readonly NodeProto[];
  /** The initializers (weights and constants) by name. @internal */
  readonly initializers: ReadonlyMap<string, Value>;
  /** Names the model in messages. */
  readonly what: string;
  /** The model's metadata_props (recur's own exports carry `recur.config`). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Each Scan body's initializers, read once. */
  private readonly bodyConstants = new Map<GraphProto, Map<string, Value>>();

  /** A graph from a decoded model (use `importOnnx` for the bytes of a file). @internal */
  constructor(model: ModelProto, what = 'ONNX model') {
    this.what = what;
    this.metadata = Object.fromEntries((model.metadata_props ?? []).map((p) => [p.key ?? '', p.value ?? '']));
    const g: GraphProto | undefined = model.graph;
    if (!g) throw new RecurError(`${what}: expected an ONNX model with a graph, got none`);
    const ops = (model.opset_import ?? []).filter((o) => !o.domain || o.domain === 'ai.onnx');
    if (ops.length === 0) throw new RecurError(`${what}: expected an opset_import of the default ONNX domain, got none`);
    this.opset = Number(ops[0]!.version);
    checkNames(g, what);
    const inits = new Map<string, Value>();
    for (const t of g.initializer ?? []) inits.set(t.name ?? '', fromTensorProto(t, `${what}: initializer "${t.name}"`));
    this.initializers = inits;
    this.inputs = (g.input ?? []).filter((v) => !inits.has(v.name)).map(valueInfo);
    this.outputs = (g.output ?? []).map(valueInfo);
    for (const v of this.inputs) checkType(v.type, `${what}: input "${v.name}"`);
    this.nodes = g.node ?? [];
    this.check();
  }

  /** Every node is supported, with attributes recur honours, and reads only values computed before it. */
  private check(): void {
    const known = new Set<string>(['', ...this.initializers.keys(), ...this.inputs.map((v) => v.name)]);
    this.checkNodes(this.nodes, known);
    for (const v of this.outputs) if (!known.has(v.name)) throw new RecurError(`${this.what}: output "${v.name}" is computed by no node`);
  }

  /** `checkNodes` over a list of nodes; `known` (the values computed so far) grows with their outputs.
   *  A Scan's body is checked the same way, seeing the outer values, its initializers and its inputs. */
  private checkNodes(nodes: readonly NodeProto[], known: Set<string>): void {
    for (const node of nodes) {
      const label = `${this.what}: ${nodeLabel(node)}`;
      if (node.domain && node.domain !== 'ai.onnx') throw new RecurError(`${label}: operator domain "${node.domain}" is not ONNX's default domain; recur cannot import it`);
      if (!RUN[node.op_type]) throw new RecurError(`${label}: recur does not import this operator (it imports ${SUPPORTED_OPS.join(', ')})`);
      if (RECURRENT_OPS[node.op_type]) recurrentSpec(node, label);
      checkMaskNode(node, label);
      if ((node.op_type === 'Softmax' || node.op_type === 'LogSoftmax') && this.opset < 13) {
        throw new RecurError(`${label}: opset ${this.opset} flattens its input before ${node.op_type}; recur imports it from opset 13 on`);
      }
      for (const name of node.input ?? []) {
        if (!known.has(name)) throw new RecurError(`${label}: input "${name}" is not computed before this node (is the graph sorted?)`);
      }
      if (node.op_type === 'Scan') {
        const { body } = scanSpec(node, label);
        const inner = new Set([...known, ...this.constantsOf(body, label).keys(), ...(body.input ?? []).map((v) => v.name)]);
        this.checkNodes(body.node ?? [], inner);
        for (const v of body.output ?? []) if (!inner.has(v.name)) throw new RecurError(`${label}: body output "${v.name}" is computed by no node`);
      }
      for (const name of node.output ?? []) known.add(name);
    }
  }

  /** A Scan body's initializers as values (read once). */
  private constantsOf(body: GraphProto, label: string): Map<string, Value> {
    let c = this.bodyConstants.get(body);
    if (!c) {
      c = new Map((body.initializer ?? []).map((t: TensorProto) => [t.name ?? '', fromTensorProto(t, `${label}: body initializer "${t.name}"`)]));
      this.bodyConstants.set(body, c);
    }
    return c;
  }

  /** The outputs for the given inputs (by name; integer inputs such as token ids as numbers or
   *  BigInt64Array). Values are computed in float64. */
  run(feeds: Readonly<Record<string, OnnxTensor>>): Record<string, OnnxResult> {
    const env = this.evaluate(feeds);
    const result: Record<string, OnnxResult> = {};
    for (const o of this.outputs) {
      const v = env.get(o.name)!;
      result[o.name] = { data: v.data, shape: v.shape, type: v.type };
    }
    return result;
  }

  /**
   * The graph as a recur Model (embedding → recurrent layers → last step or final state → linear,
   * as torch.onnx.export writes them), checked against the graph on probe inputs; a RecurError
   * naming the node or the difference when the graph is no such chain (run it with `run` instead).
   */
  toModel(options: ToModelOptions = {}): ImportedModel {
    return graphToModel(this, options);
  }

  /** Every value the graph computes for these inputs, by name (initializers included). @internal */
  evaluate(feeds: Readonly<Record<string, OnnxTensor>>): Map<string, Value> {
    const env = new Map<string, Value>(this.initializers);
    for (const name of Object.keys(feeds)) {
      if (!this.inputs.some((v) => v.name === name)) throw new RecurError(`${this.what}: no input named "${name}"; the inputs are ${this.inputs.map((v) => v.name).join(', ')}`);
    }
    for (const info of this.inputs) env.set(info.name, this.feed(info, feeds[info.name]));
    this.runNodes(this.nodes, env);
    return env;
  }

  /** Run `nodes` in order, adding their outputs to `env`; a Scan runs its body through this again. */
  private runNodes(nodes: readonly NodeProto[], env: Map<string, Value>): void {
    for (const node of nodes) {
      const inputs = (node.input ?? []).map((n) => (n === '' ? undefined : env.get(n)!));
      const label = `${this.what}: ${nodeLabel(node)}`;
      const outs = node.op_type === 'Scan'
        ? runScan(node, inputs, label, (body, values) => this.runBody(body, values, env, label))
        : RUN[node.op_type]!(node, inputs, label);
      (node.output ?? []).forEach((name, k) => {
        if (name === '') return;
        if (!outs[k]) throw new RecurError(`${label}: gives ${outs.length} output${outs.length === 1 ? '' : 's'}, but the graph names output ${k + 1} ${JSON.stringify(name)}`);
        env.set(name, outs[k]!);
      });
    }
  }

  /** One run of a Scan body: the outer values, its initializers and `values` as its inputs; its outputs. */
  private runBody(body: GraphProto, values: readonly Value[], outer: ReadonlyMap<string, Value>, label: string): Value[] {
    const env = new Map(outer);
    for (const [k, v] of this.constantsOf(body, label)) env.set(k, v);
    (body.input ?? []).forEach((v, i) => env.set(v.name, values[i]!));
    this.runNodes(body.node ?? [], env);
    return (body.output ?? []).map((v) => env.get(v.name)!);
  }

  /** A given input as a value, checked against the declared type, rank and fixed sizes. */
  private feed(info: OnnxValueInfo, t: OnnxTensor | undefined): Value {
    const what = `${this.what}: input "${info.name}"`;
    if (!t) throw new RecurError(`${what} is not given`);
    const shape = [...t.shape];
    const n = shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== n) throw new RecurError(`${what}: shape ${formatShape(shape)} holds ${n} values, got ${t.data.length}`);
    if (info.shape) {
      const ok = info.shape.length === shape.length && info.shape.every((d, i) => typeof d !== 'number' || d === shape[i]);
      if (!ok) throw new RecurError(`${what}: expected shape (${info.shape.map((d) => d ?? '?').join(', ')}), got ${formatShape(shape)}`);
    }
    const data = Float64Array.from(t.data as ArrayLike<number>, Number);
    const int = isIntType(info.type);
    for (let i = 0; i < n; i++) {
      const v = data[i]!;
      if (int ? !Number.isInteger(v) : !Number.isFinite(v)) throw new RecurError(`${what}: expected ${int ? 'integers' : 'finite numbers'}, got ${v} at index ${i}`);
    }
    return makeValue(info.type, shape, data);
  }
}

/** Read and check a model from the bytes of a .onnx file; `what` names it in messages. */
export function readOnnx(bytes: Uint8Array, what = 'ONNX model'): OnnxGraph {
  return new OnnxGraph(decodeModel(bytes, what), what);
}
