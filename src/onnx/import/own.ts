/**
 * @module onnx/import/own
 * recur's own exports back into the same recur Model. The file's `recur.config` (metadata_props,
 * written by the exporter) is the model's config; the weights are read back from the initializers
 * by inverting the exporter itself: a model of that config whose k-th parameter value is k + 1 is
 * exported with the file's options (read from its inputs), so that each element of each of its
 * initializers names the parameter element it was copied from, through every gate reordering,
 * transposition and bias concatenation (src/onnx/gates.ts, export/recurrent.ts). The file's
 * initializer of the same name gives that element's value. The model is then checked against the
 * graph itself on two probe batches (initial states fed zeros, recur's default), as convert.ts does.
 */
import { formatShape, RecurError } from '../../errors.js';
import { jsKernels } from '../../kernels/js/index.js';
import type { Kernels } from '../../kernels/types.js';
import { buildLayer } from '../../nn/build.js';
import type { LayerConfig } from '../../nn/config.js';
import { Model } from '../../nn/model.js';
import type { Layer, LayerInput } from '../../nn/types.js';
import { Rng } from '../../tensor/rng.js';
import { modelProto, type ExportOnnxOptions } from '../export/model.js';
import { DataType, type NodeProto, type TensorProto } from '../proto.js';
import type { ImportedModel, ToModelOptions } from './convert.js';
import type { OnnxGraph, OnnxTensor } from './graph.js';
import { attr, fromTensorProto, isIntType, type Value } from './values.js';

/** The metadata key of the model's config in a file recur exported. */
export const RECUR_CONFIG_KEY = 'recur.config';

/** Exact in float32: the largest parameter count whose indices the exported initializers carry. */
const MAX_INDEX = 2 ** 24;
const PROBES: readonly (readonly [number, number])[] = [[5, 3], [2, 4]];
const AGREE = 1e-9;

/** The root config stored in `recur.config`; a RecurError for a forecaster's export or bad JSON. */
function rootConfig(graph: OnnxGraph, text: string): LayerConfig {
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch { throw new RecurError(`${graph.what}: metadata "${RECUR_CONFIG_KEY}" is not JSON`); }
  const c = parsed as { model?: unknown; root?: unknown };
  if (c?.model !== 'layers' || typeof c.root !== 'object' || c.root === null) {
    throw new RecurError(`${graph.what}: metadata "${RECUR_CONFIG_KEY}" holds a ${JSON.stringify(c?.model ?? null)} model, not a model of layers; `
      + 'recur import converts models of layers (run a forecaster\'s export as it is: OnnxGraph.run, recur run-onnx)');
  }
  return c.root as LayerConfig;
}

/** The export options that wrote this graph, read from its inputs. */
function exportOptions(graph: OnnxGraph): ExportOnnxOptions & { kind: 'tokens' | 'sequence' | 'rows' } {
  const x = graph.inputs.find((v) => v.name === 'input');
  if (!x?.shape) throw new RecurError(`${graph.what}: recur's export has an input "input" of declared shape; this file has ${graph.inputs.map((v) => JSON.stringify(v.name)).join(', ')}`);
  const kind = isIntType(x.type) ? 'tokens' : x.shape.length === 2 ? 'rows' : 'sequence';
  const lengths = graph.inputs.some((v) => v.name === 'lengths');
  const initialStates = graph.inputs.some((v) => v.name !== 'input' && v.name !== 'lengths');
  return { kind, input: kind, lengths, initialStates, batchFirst: kind !== 'rows' && x.shape[0] === 'batch' };
}

/** Every float initializer of a graph and of its Scan bodies, by name (the exporter's names are unique across both). */
function floatConstants(inits: Iterable<[string, Value]>, nodes: readonly NodeProto[], what: string, into = new Map<string, Value>()): Map<string, Value> {
  for (const [name, v] of inits) if (v.type === DataType.FLOAT) into.set(name, v);
  for (const node of nodes) {
    const body = node.op_type === 'Scan' ? attr(node, 'body')?.g : undefined;
    if (!body) continue;
    const bodyInits = (body.initializer ?? []).filter((t) => t.data_type === DataType.FLOAT)
      .map((t: TensorProto): [string, Value] => [t.name ?? '', fromTensorProto(t, `${what}: initializer "${t.name}"`)]);
    floatConstants(bodyInits, body.node ?? [], what, into);
  }
  return into;
}

/** The model of `root` on kernels `k` with the weights of the graph's initializers. */
function readWeights(graph: OnnxGraph, root: LayerConfig, opts: ExportOnnxOptions, k: Kernels): Model<never> {
  const build = (kernels: Kernels) => new Model(buildLayer(root, undefined, graph.what) as Layer<never>, { kernels, seed: 0 });
  const ref = build(jsKernels('float64'));
  const n = ref.params.data.length;
  if (n >= MAX_INDEX) throw new RecurError(`${graph.what}: ${n} parameters; recur reads back its own exports of fewer than ${MAX_INDEX}`);
  for (let i = 0; i < n; i++) ref.params.data[i] = i + 1;
  const proto = modelProto(ref, opts).graph!;
  const indexOf = floatConstants((proto.initializer ?? []).map((t) => [t.name ?? '', fromTensorProto(t, 'export')]), proto.node ?? [], 'export');
  const given = floatConstants(graph.initializers, graph.nodes, graph.what);
  const model = build(k);
  const seen = new Uint8Array(n);
  for (const [name, idx] of indexOf) {
    const v = given.get(name);
    const same = v && v.shape.length === idx.shape.length && v.shape.every((d, i) => d === idx.shape[i]);
    if (!same) {
      throw new RecurError(`${graph.what}: recur's export of this config has an initializer "${name}" of shape ${formatShape(idx.shape)}; `
        + `the file has ${v ? `shape ${formatShape(v.shape)}` : 'none'} (was the file changed after the export?)`);
    }
    idx.data.forEach((j, e) => {
      if (Number.isInteger(j) && j >= 1 && j <= n) { model.params.data[j - 1] = v.data[e]!; seen[j - 1] = 1; }
    });
  }
  const missing = seen.indexOf(0);
  if (missing >= 0) {
    const p = model.params.list.find((q) => missing >= q.offset && missing < q.offset + q.size)!;
    throw new RecurError(`${graph.what}: no initializer holds parameter "${p.name}"`);
  }
  return model.eval();
}

/** Probe inputs in the export's layout: x, each row's length, and zero initial states. */
function probeFeeds(graph: OnnxGraph, root: LayerConfig, kind: string, batchFirst: boolean, T: number, B: number, rng: Rng) {
  const x = graph.inputs.find((v) => v.name === 'input')!;
  const first = firstLayer(root);
  const V = first.type === 'embedding' ? first.numEmbeddings : (first as { inputSize?: number }).inputSize ?? 1;
  const F = kind === 'tokens' ? 1 : Number(x.shape![x.shape!.length - 1]);
  const rows = kind === 'rows' ? B : T * B;
  const data = Float64Array.from({ length: rows * F }, () => (kind === 'tokens' ? Math.floor(rng.uniformIn(0, V)) % V : rng.uniformIn(-1, 1)));
  const lengths = Int32Array.from({ length: B }, (_, b) => (b === 0 ? T : 1 + Math.floor(rng.uniformIn(0, T)) % T));
  const dims = kind === 'rows' ? [B, F] : [...(batchFirst ? [B, T] : [T, B]), ...(kind === 'tokens' ? [] : [F])];
  const feeds: Record<string, OnnxTensor> = { input: { data, shape: dims } };
  if (graph.inputs.some((v) => v.name === 'lengths')) feeds.lengths = { data: lengths, shape: [B] };
  for (const s of graph.inputs.filter((v) => v.name !== 'input' && v.name !== 'lengths')) {
    const shape = s.shape!.map((d) => (typeof d === 'number' ? d : B));
    feeds[s.name] = { data: new Float64Array(shape.reduce((a, b) => a * b, 1)), shape };
  }
  const input: LayerInput = kind === 'tokens' ? { tokens: Int32Array.from(data), shape: [dims[0]!, dims[1]!], lengths: feeds.lengths && lengths }
    : { data, shape: dims, ...(feeds.lengths ? { lengths } : {}) };
  return { feeds, input };
}

function firstLayer(c: LayerConfig): LayerConfig {
  return c.type === 'sequential' && c.layers.length > 0 ? firstLayer(c.layers[0]!) : c;
}

/** recur's own export (its `recur.config` given) as the same Model, checked against the graph. */
export function ownExportToModel(graph: OnnxGraph, configText: string, options: ToModelOptions = {}): ImportedModel {
  const root = rootConfig(graph, configText);
  const { kind, ...opts } = exportOptions(graph);
  if (options.output !== undefined && options.output !== 'output') {
    throw new RecurError(`${graph.what}: recur's own export converts to the model that computes "output"; "${options.output}" is one of its layers' final states`);
  }
  const check = readWeights(graph, root, opts, jsKernels('float64'));
  const rng = new Rng(1);
  for (const [T, B] of PROBES) {
    const { feeds, input } = probeFeeds(graph, root, kind, opts.batchFirst === true, T, B, rng);
    const want = graph.run(feeds).output!;
    const got = check.forward(input as never, { batchFirst: opts.batchFirst === true });
    const same = got.shape.length === want.shape.length && got.shape.every((d, i) => d === want.shape[i]);
    let diff = same ? 0 : Infinity;
    for (let i = 0; same && i < want.data.length; i++) diff = Math.max(diff, Math.abs(got.data[i]! - want.data[i]!));
    if (!(diff <= AGREE)) {
      throw new RecurError(`${graph.what}: the model of its "${RECUR_CONFIG_KEY}" computes something else than the graph `
        + `(${same ? `max difference ${diff.toExponential(2)}` : `shape ${formatShape(want.shape)} against ${formatShape(got.shape)}`} on a probe input); `
        + 'was the file changed after the export? Run it as it is: OnnxGraph.run, recur run-onnx');
    }
  }
  const model = readWeights(graph, root, opts, options.kernels ?? jsKernels('float32'));
  return { model: model as unknown as Model, batchFirst: opts.batchFirst === true, input: 'input', output: 'output',
           ...(opts.lengths ? { lengths: 'lengths' } : {}) };
}
