/**
 * @module onnx/import/scan-op
 * ONNX's Scan (opset 9 on), the loop recur's exporter writes for a residual cell: N state variables
 * and M scan inputs; the body runs once per step t over axis 0,
 *   (s_1..s_N, y_1..y_K) = body(s_1..s_N, x_1[t]..x_M[t])
 * and the outputs are the final states and each y stacked over the steps. A direction of 1 reads
 * (or writes) the steps last to first. Scan axes other than 0 are refused, naming the node.
 */
import { formatShape, RecurError } from '../../errors.js';
import type { GraphProto, NodeProto } from '../proto.js';
import { elementCount } from '../tensors.js';
import { attr, checkElements, intAttr, intsAttr, makeValue, type Value } from './values.js';

/** What a Scan node does: its body, N states and M scan inputs, and each one's direction. */
export interface ScanSpec {
  body: GraphProto;
  N: number;
  M: number;
  inputDirections: number[];
  outputDirections: number[];
}

/** The node's Scan attributes, checked; a RecurError naming the node for what recur cannot run. */
export function scanSpec(node: NodeProto, what: string): ScanSpec {
  const body = attr(node, 'body')?.g;
  if (!body) throw new RecurError(`${what}: expected a "body" graph attribute, got none`);
  const M = intAttr(node, 'num_scan_inputs', 0);
  const N = (node.input ?? []).length - M;
  const K = (body.output ?? []).length - N;
  if (!(M >= 1 && N >= 0 && K >= 0) || (body.input ?? []).length !== N + M) {
    throw new RecurError(`${what}: ${(node.input ?? []).length} inputs with num_scan_inputs ${M} do not fit a body of ${(body.input ?? []).length} inputs and ${(body.output ?? []).length} outputs`);
  }
  for (const name of ['scan_input_axes', 'scan_output_axes']) {
    const axes = intsAttr(node, name);
    if (axes && axes.some((a) => a !== 0)) throw new RecurError(`${what}: ${name} [${axes}]; recur runs Scan over axis 0 only`);
  }
  const dirs = (name: string, n: number): number[] => {
    const d = intsAttr(node, name) ?? new Array<number>(n).fill(0);
    if (d.length !== n || d.some((v) => v !== 0 && v !== 1)) throw new RecurError(`${what}: expected ${n} ${name} of 0 or 1, got [${d}]`);
    return d;
  };
  if (attr(node, 'directions')) throw new RecurError(`${what}: has attribute "directions" (Scan of opset 8); recur runs Scan from opset 9 on`);
  return { body, N, M, inputDirections: dirs('scan_input_directions', M), outputDirections: dirs('scan_output_directions', K) };
}

/** Runs the body once on its inputs (states, then this step's slices); its outputs in order. */
export type BodyRunner = (body: GraphProto, inputs: readonly Value[]) => Value[];

/** Run a Scan node: the final states, then every scan output stacked over the steps (T, …). */
export function runScan(node: NodeProto, inputs: readonly (Value | undefined)[], what: string, runBody: BodyRunner): Value[] {
  const { body, N, inputDirections, outputDirections } = scanSpec(node, what);
  const given = inputs.map((v, k) => {
    if (!v) throw new RecurError(`${what}: input ${k} is needed but not given`);
    return v;
  });
  const scans = given.slice(N);
  const T = scans[0]!.shape[0];
  for (const x of scans) {
    if (x.shape.length < 1 || x.shape[0] !== T) throw new RecurError(`${what}: the scan inputs differ in their number of steps: ${scans.map((s) => formatShape(s.shape)).join(', ')}`);
  }
  let states = given.slice(0, N);
  const steps: Value[][] = []; // steps[i] = the scan outputs of iteration i
  for (let i = 0; i < T!; i++) {
    const slices = scans.map((x, j) => {
      const t = inputDirections[j] === 1 ? T! - 1 - i : i;
      const inner = elementCount(x.shape.slice(1));
      return makeValue(x.type, x.shape.slice(1), x.data.slice(t * inner, (t + 1) * inner));
    });
    const outs = runBody(body, [...states, ...slices]);
    states = outs.slice(0, N);
    steps.push(outs.slice(N));
  }
  const K = outputDirections.length;
  const stacked = Array.from({ length: K }, (_, k) => {
    const first = steps[0]?.[k];
    const inner = first ? first.shape : [];
    const n = elementCount(inner);
    checkElements([T!, ...inner], what);
    const data = new Float64Array(T! * n);
    steps.forEach((s, i) => {
      const v = s[k]!;
      if (v.shape.length !== inner.length || v.shape.some((d, j) => d !== inner[j])) throw new RecurError(`${what}: scan output ${k} changes shape between steps`);
      data.set(v.data, (outputDirections[k] === 1 ? T! - 1 - i : i) * n);
    });
    return makeValue(first?.type ?? 1, [T!, ...inner], data);
  });
  return [...states, ...stacked];
}
