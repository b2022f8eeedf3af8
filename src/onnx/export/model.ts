/**
 * @module onnx/export/model
 * A recur model (`Model`: a composed model, a recurrent stack, a language model) as an ONNX
 * ModelProto.
 *
 * Opset 14, deliberately: it is the newest version of RNN, GRU and LSTM (the one with `layout`),
 * Gather/Gemm/GatherND are at their 13 forms, ReduceMean/ReduceMax still take `axes` as an
 * attribute (an input from 18 on), and it runs on every ONNX Runtime since 1.8 and comes out of
 * torch.onnx.export since torch 1.13. IR version 8 (ONNX 1.10+).
 *
 * Batch-first inputs are transposed at the graph's edges, not given to the operators as `layout = 1`:
 * ONNX Runtime's CPU RNN/GRU/LSTM refuse that layout.
 *
 * Graph inputs (batch and time are symbolic):
 *   input     float (T,B,I) time-major, (B,T,I) batch-first; token ids int64 (T,B) / (B,T); rows (B,I)
 *   lengths   int32 (B), each in 1..T, when the export takes lengths (ONNX's sequence_lens type)
 *   <layer>h0, <layer>c0  float (L·D,B,H) per recurrent layer, when it takes initial states: pass zeros
 *             for recur's default
 * Graph outputs: output (the model's), and <layer>h_n, <layer>c_n (L·D,B,H) of every recurrent layer.
 */
import { RecurError } from '../../errors.js';
import type { LayerConfig } from '../../nn/config.js';
import type { Model } from '../../nn/model.js';
import { DataType, type ModelProto, type ValueInfoProto } from '../proto.js';
import { GraphBuilder, valueInfo } from './graph.js';
import { exportLayer, type LayerContext, type Value } from './layers.js';

/** The opset every export targets (see the module comment for why 14). */
export const ONNX_OPSET = 14;
/** The ONNX IR version of the files recur writes. */
export const ONNX_IR_VERSION = 8;

/** How `exportOnnx` lays out the graph's inputs. */
export interface ExportOnnxOptions {
  /** (B,T,…) inputs and sequence outputs, PyTorch's batch_first; default false (time-major). */
  batchFirst?: boolean;
  /** A `lengths` input (int32 (B)) with each row's valid steps; default true for a sequence input. */
  lengths?: boolean;
  /** Initial states `h0` (and `c0`) of every recurrent layer as inputs; default true (pass zeros for
   *  recur's default). Without them the graph starts from zeros. */
  initialStates?: boolean;
  /** What the model reads: `'tokens'` (int64 ids), `'sequence'` (floats (T,B,I)) or `'rows'` (B,I);
   *  default tokens when the first layer is an embedding, else a sequence. */
  input?: 'tokens' | 'sequence' | 'rows';
  /** More metadata_props (string values): a language model's tokenizer, say. */
  metadata?: Record<string, string>;
  /** recur's version, written as producer_version and `recur.version`. */
  producerVersion?: string;
}

/** The first layer that reads the model's input. */
function firstLayer(c: LayerConfig): LayerConfig {
  return c.type === 'sequential' && c.layers.length > 0 ? firstLayer(c.layers[0]!) : c;
}

/** A Model as a ModelProto (see `exportOnnx`). */
export function modelProto(model: Model<never>, options: ExportOnnxOptions = {}): ModelProto {
  const config = model.config;
  const input = options.input ?? (firstLayer(config).type === 'embedding' ? 'tokens' : 'sequence');
  if (options.lengths === true && input === 'rows') throw new RecurError('exportOnnx: "lengths" needs a sequence input; this export reads rows (B, I)');
  if (options.batchFirst === true && input === 'rows') throw new RecurError('exportOnnx: "batchFirst" needs a sequence input; this export reads rows (B, I)');
  const withLengths = input !== 'rows' && options.lengths !== false;
  const batchFirst = options.batchFirst === true;
  const g = new GraphBuilder();
  for (const n of ['input', 'output', 'lengths']) g.claim(n);
  const inputSize = inputSizeOf(config);
  const inputs: ValueInfoProto[] = [];
  const seqDims = (F: number | undefined): (number | string)[] =>
    [...(batchFirst ? ['batch', 'time'] : ['time', 'batch']), ...(F === undefined ? [] : [F])];
  inputs.push(input === 'tokens' ? valueInfo('input', DataType.INT64, seqDims(undefined))
    : valueInfo('input', DataType.FLOAT, input === 'rows' ? ['batch', inputSize ?? 'features'] : seqDims(inputSize)));
  if (withLengths) inputs.push(valueInfo('lengths', DataType.INT32, ['batch']));
  let mask: string | undefined;
  const ctx: LayerContext = {
    g,
    lengths: withLengths ? 'lengths' : undefined,
    mask: (seq) => (mask ??= stepMask(g, seq, 'lengths')),
    param: (name) => model.params.get(name).data,
    initialStates: options.initialStates !== false,
    stateInputs: [],
    stateOutputs: [],
  };
  // recur computes time-major: a batch-first input is transposed once here
  const x = batchFirst ? g.transpose('input', input === 'tokens' ? [1, 0] : [1, 0, 2]) : 'input';
  const kind = input === 'rows' ? 'rows' : input === 'tokens' ? 'tokens' : 'sequence';
  const y: Value = exportLayer(ctx, config, '', { name: x, kind, size: inputSize ?? 0 });
  if (y.kind === 'tokens') throw new RecurError('exportOnnx: the model returns its token ids unchanged; nothing to export');
  g.output(batchFirst && y.kind === 'sequence' ? g.transpose(y.name, [1, 0, 2]) : y.name, 'output');
  for (const s of ctx.stateOutputs) {
    if (!g.claim(s.info.name)) throw new RecurError(`exportOnnx: two outputs would be named "${s.info.name}"`);
    g.output(s.value, s.info.name);
  }
  const output = valueInfo('output', DataType.FLOAT, y.kind === 'rows' ? ['batch', y.size] : seqDims(y.size));
  return {
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: 'recur',
    ...(options.producerVersion === undefined ? {} : { producer_version: options.producerVersion }),
    doc_string: describeIo(input, batchFirst, withLengths, ctx.stateInputs.length > 0),
    graph: {
      name: 'recur', node: g.nodes, initializer: g.initializers,
      input: [...inputs, ...ctx.stateInputs], output: [output, ...ctx.stateOutputs.map((s) => s.info)],
    },
    metadata_props: metadataProps({ 'recur.config': JSON.stringify({ model: 'layers', root: config }), ...options.metadata }, options.producerVersion),
  };
}

/** recur.version first, then the rest in order. */
export function metadataProps(entries: Record<string, string>, version: string | undefined): { key: string; value: string }[] {
  return [...(version === undefined ? [] : [{ key: 'recur.version', value: version }]),
          ...Object.entries(entries).map(([key, value]) => ({ key, value }))];
}

/** The feature size the first layer reads (undefined for an embedding). */
function inputSizeOf(c: LayerConfig): number | undefined {
  const first = firstLayer(c) as { inputSize?: number; type: string };
  if (first.type === 'embedding' || first.type.startsWith('custom:')) return undefined; // a custom layer is refused by the walk
  if (first.inputSize === undefined) {
    if (c.type === 'sequential' && typeof (c as { inputSize?: number }).inputSize === 'number') return (c as { inputSize: number }).inputSize;
    throw new RecurError(`exportOnnx: the first layer (${first.type}) does not say its input size`);
  }
  return first.inputSize;
}

/** mask (T,B,1) bool: t < lengths[b], for the sequence `seq` (T,B,·). */
function stepMask(g: GraphBuilder, seq: string, lengths: string): string {
  // T = shape(seq)[0];  steps (T,1) = 0..T−1;  n (1,B)
  const T = g.gather(g.op('Shape', [seq]), 0, 0);
  const steps = g.unsqueeze(g.op('Range', [g.scalar(0), T, g.scalar(1)]), [1]);
  const n = g.unsqueeze(g.op('Cast', [lengths], { to: DataType.INT64 }), [0]);
  return g.unsqueeze(g.op('Less', [steps, n]), [2]);
}

function describeIo(input: string, batchFirst: boolean, lengths: boolean, states: boolean): string {
  const layout = batchFirst ? '(batch, time' : '(time, batch';
  const x = input === 'tokens' ? `input: token ids, int64 ${layout})` : input === 'rows' ? 'input: float (batch, features)' : `input: float ${layout}, features)`;
  return [`recur model. ${x}.`,
          lengths ? 'lengths: int32 (batch), each row\'s valid steps (1..time).' : '',
          states ? 'h0/c0 inputs: initial states (layers·directions, batch, hidden); zeros for recur\'s default.' : '',
          'h_n/c_n outputs: the final states, each row at its own last step.'].filter((s) => s !== '').join(' ');
}
