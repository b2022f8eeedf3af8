/**
 * @module onnx/export/graph
 * A small builder of ONNX graphs: nodes with unique value names, initializers, int64 constants, and
 * the few node shapes the exporters repeat (Transpose, Reshape, Unsqueeze, Slice, Gather, Concat).
 * Every value name is made unique here, so that two layers of the same kind never collide.
 */
import { AttributeType, type AttributeProto, type GraphProto, type NodeProto, type TensorProto, type ValueInfoProto } from '../proto.js';
import { floatTensor, int64Tensor } from '../tensors.js';

/** An attribute value: a number is an int unless `float` says so; a string; int or string lists; float lists
 *  as `floats`; a graph. */
export type AttrValue = number | string | readonly number[] | readonly string[] | { float: number } | { floats: readonly number[] }
  | { graph: GraphProto };

const text = new TextEncoder();

/** One attribute of a node from a plain value. */
export function attribute(name: string, v: AttrValue): AttributeProto {
  if (typeof v === 'number') return { name, type: AttributeType.INT, i: v };
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: text.encode(v) };
  if (isList(v)) {
    if (v.length > 0 && typeof v[0] === 'string') return { name, type: AttributeType.STRINGS, strings: (v as string[]).map((s) => text.encode(s)) };
    return { name, type: AttributeType.INTS, ints: [...(v as number[])] };
  }
  if ('float' in v) return { name, type: AttributeType.FLOAT, f: v.float };
  if ('floats' in v) return { name, type: AttributeType.FLOATS, floats: [...v.floats] };
  return { name, type: AttributeType.GRAPH, g: v.graph };
}

const isList = (v: AttrValue): v is readonly number[] | readonly string[] => Array.isArray(v);

/** A float or int64 tensor type with dimensions given as numbers (fixed) or names (symbolic). */
export function valueInfo(name: string, elemType: number, dims: readonly (number | string)[]): ValueInfoProto {
  return {
    name,
    type: { tensor_type: { elem_type: elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } },
  };
}

/** Nodes and initializers of one graph (the main graph, or a Scan body), with unique names. */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used: Set<string>;
  private readonly constants = new Map<string, string>();

  /** `used` is shared with the enclosing graph's builder for a subgraph: names stay unique across both. */
  constructor(used: Set<string> = new Set()) {
    this.used = used;
  }

  /** A fresh value name starting with `base`. */
  name(base: string): string {
    let n = base;
    for (let i = 1; this.used.has(n); i++) n = `${base}_${i}`;
    this.used.add(n);
    return n;
  }

  /** Claim an exact name (a graph input or output); false when it is taken. */
  claim(name: string): boolean {
    if (this.used.has(name)) return false;
    this.used.add(name);
    return true;
  }

  /** A builder for a subgraph whose names never clash with this graph's. */
  subgraph(): GraphBuilder {
    return new GraphBuilder(this.used);
  }

  /** A node; returns its output names (fresh ones from `outputs` as bases, or `''` for an unused output). */
  node(op: string, inputs: readonly string[], outputs: readonly string[] | number, attrs: Record<string, AttrValue> = {}): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.name(op.toLowerCase())) : outputs.map((o) => (o === '' ? '' : this.name(o)));
    this.nodes.push({
      name: this.name(`${op}_node`), op_type: op, input: [...inputs], output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** A node with one output. */
  op(op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, base = op.toLowerCase()): string {
    return this.node(op, inputs, [base], attrs)[0]!;
  }

  /** An Identity node whose output is the exact name `name` (a graph output, claimed before). */
  output(value: string, name: string): void {
    this.nodes.push({ name: this.name(`Identity_node`), op_type: 'Identity', input: [value], output: [name] });
  }

  /** A float32 initializer. */
  floats(base: string, dims: readonly number[], data: ArrayLike<number>): string {
    const name = this.name(base);
    this.initializers.push(floatTensor(name, dims, data));
    return name;
  }

  /** An int64 initializer, shared between uses of the same values. */
  ints(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `${dims.join('x')}:${values.join(',')}`;
    let name = this.constants.get(key);
    if (name === undefined) {
      name = this.name('const');
      this.initializers.push(int64Tensor(name, dims, values));
      this.constants.set(key, name);
    }
    return name;
  }

  /** An int64 scalar. */
  scalar(v: number): string { return this.ints([v], []); }

  /** A float32 scalar. */
  floatScalar(v: number): string {
    const key = `f:${v}`;
    let name = this.constants.get(key);
    if (name === undefined) {
      name = this.name('constf');
      this.initializers.push({ ...floatTensor(name, [], [v]) });
      this.constants.set(key, name);
    }
    return name;
  }

  /** x with its axes permuted. */
  transpose(x: string, perm: readonly number[]): string { return this.op('Transpose', [x], { perm }); }
  /** x in `shape` (0 keeps a dimension, −1 takes the rest). */
  reshape(x: string, shape: readonly number[]): string { return this.op('Reshape', [x, this.ints(shape)]); }
  /** x with size-1 axes inserted at `axes`. */
  unsqueeze(x: string, axes: readonly number[]): string { return this.op('Unsqueeze', [x, this.ints(axes)]); }
  /** xs joined along `axis` (one value: itself). */
  concat(xs: readonly string[], axis: number): string { return xs.length === 1 ? xs[0]! : this.op('Concat', xs, { axis }); }
  /** x[start:end] along `axis`. */
  slice(x: string, start: number, end: number, axis: number): string {
    return this.op('Slice', [x, this.ints([start]), this.ints([end]), this.ints([axis])]);
  }
  /** x.index_select(axis, indices), or x[index] along axis for a scalar index (the axis is dropped). */
  gather(x: string, index: number | readonly number[], axis: number): string {
    const i = typeof index === 'number' ? this.scalar(index) : this.ints(index);
    return this.op('Gather', [x, i], { axis });
  }
}
