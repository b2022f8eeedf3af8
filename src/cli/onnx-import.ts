/**
 * @module cli/onnx-import
 * `recur import`: an ONNX file (a torch.onnx.export of nn.RNN/GRU/LSTM with nn.Embedding and
 * nn.Linear) converted into a recur model file that loadModel and every other command read.
 * `recur run-onnx`: an ONNX file run as it is on the tensors of a safetensors file (what
 * onnxruntime's InferenceSession.run does), for graphs that are no chain of recur layers (initial
 * states as inputs, several outputs, sequence_lens).
 */
import { basename } from 'node:path';
import { RecurError } from '../errors.js';
import { serializeSafetensors, tensorToFloat64, tensorToInt32, type TensorToWrite } from '../format/safetensors.js';
import { jsKernels } from '../kernels/js/index.js';
import type { LayerConfig } from '../nn/config.js';
import { saveModel } from '../nn/model-file.js';
import { firstNonFinite } from '../train/clip.js';
import { parseOptions, required, UsageError } from './args.js';
import { checkOutputFile, readBytes, readSafetensors, writeAtomic } from './files.js';

export const IMPORT_USAGE = `usage: recur import --onnx model.onnx --out model.safetensors [--output NAME] [--dtype float32|float64]

  Converts an ONNX model into a recur model file (loadModel, recur inspect, training and evaluation
  read it). The graph must be a chain of recur layers, as torch.onnx.export writes them:
    [nn.Embedding] → nn.RNN/GRU/LSTM (any layers, bidirectional, batch_first)
      → [last step y[-1] or final state h_n] → [nn.Linear (+ ReLU/tanh/sigmoid)] ...
  and take one input (and optionally each row's length, feeding sequence_lens). The converted model
  is run against the graph on random inputs before the
  file is written; anything else is refused in one line naming the node (use run-onnx for those).

  --onnx    the .onnx file (RNN, GRU, LSTM and the glue torch.onnx.export writes, any opset from 9)
  --out     the recur model file (safetensors; __metadata__ "onnx.input", "onnx.batchFirst", "onnx.lengths", ...)
  --output  the graph output the model computes, default the first (a bare nn.LSTM gives y, h_n, c_n)
  --dtype   the parameters' precision in the file, default float32`;

export const RUN_ONNX_USAGE = `usage: recur run-onnx --model model.onnx --input in.safetensors [--input ...] --out out.safetensors

  Runs an ONNX model as it is (ONNX's semantics, float64 inside) on one tensor per graph input and
  writes every graph output, float32, under its name. Any operator outside the supported set, or an
  attribute recur cannot honour (LSTM peepholes, clip, other activations), is refused naming the node.

  --model   the .onnx file
  --input   a safetensors file of tensors named as the graph's inputs (token ids I64 or I32), or a
            TensorProto .pb file (ONNX's test data: test_data_set_0/input_0.pb), named by its own
            name or else by its position among the .pb files; repeat for several files
  --out     the outputs by name, float32 (safetensors)`;

/** The ONNX modules, loaded only when an ONNX command runs (protobufjs and ONNX's schema would
 *  slow down the start of every other command). */
async function onnxModules() {
  const [imp, values, proto, tensors] = await Promise.all([
    import('../onnx/import/index.js'), import('../onnx/import/values.js'), import('../onnx/proto.js'), import('../onnx/tensors.js'),
  ]);
  return { importOnnx: imp.importOnnx, isIntType: values.isIntType, decodeTensor: proto.decodeTensor, readFloats: tensors.readFloats, readInts: tensors.readInts };
}

/** `recur import`: .onnx → a recur model file. */
export async function importCommand(args: string[]): Promise<number> {
  const o = parseOptions(args, { onnx: { type: 'string' }, out: { type: 'string' }, output: { type: 'string' }, dtype: { type: 'string' } });
  const path = required(o.onnx, '--onnx');
  const out = required(o.out, '--out');
  const dtype = o.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new UsageError(`--dtype: expected float32 or float64, got "${dtype}"`);
  checkOutputFile(out, '--out');
  const { importOnnx } = await onnxModules();
  const graph = importOnnx(readBytes(path, '--onnx'), { what: `--onnx ${path}` });
  const imported = graph.toModel({ kernels: jsKernels(dtype), ...(o.output === undefined ? {} : { output: o.output }) });
  const bytes = saveModel(imported.model, {
    'onnx.source': basename(path), 'onnx.input': imported.input, 'onnx.output': imported.output,
    'onnx.batchFirst': String(imported.batchFirst), ...(imported.lengths ? { 'onnx.lengths': imported.lengths } : {}),
  });
  writeAtomic(out, bytes, '--out');
  const root = imported.model.config;
  const layers = root.type === 'sequential' ? root.layers : [root]; // a bare stack is its one layer
  process.stdout.write(`${out}: ${layers.map(describe).join(' → ')}\n`);
  process.stdout.write(`input "${imported.input}" ${imported.batchFirst ? 'batch-first (B, T, …): model.forward(x, { batchFirst: true })' : 'time-major (T, B, …)'}; `
    + `${imported.lengths ? `lengths "${imported.lengths}" (each row's, as the input's lengths); ` : ''}`
    + `output "${imported.output}"; ${imported.model.params.list.reduce((n, p) => n + p.size, 0)} parameters\n`);
  return 0;
}

/** One layer in the summary line. */
function describe(c: LayerConfig): string {
  switch (c.type) {
    case 'embedding': return `embedding(${c.numEmbeddings}, ${c.embeddingDim})`;
    case 'recurrent': return `${c.cell}(H=${c.hiddenSize}, layers=${c.numLayers ?? 1}${c.bidirectional ? ', bidirectional' : ''}, ${c.output ?? 'sequence'})`;
    case 'reduce': return c.mode === 'last' ? 'last step' : `${c.mode} over time`;
    case 'linear': return `linear(${c.inputSize} → ${c.outputSize}${c.activation && c.activation !== 'identity' ? `, ${c.activation}` : ''})`;
    default: return c.type;
  }
}

/** `recur run-onnx`: run the graph on the tensors of the input files. */
export async function runOnnxCommand(args: string[]): Promise<number> {
  const o = parseOptions(args, { model: { type: 'string' }, input: { type: 'string', multiple: true }, out: { type: 'string' } });
  const path = required(o.model, '--model');
  const inputs = o.input ?? [];
  if (inputs.length === 0) throw new UsageError('missing --input');
  const out = required(o.out, '--out');
  checkOutputFile(out, '--out');
  const { importOnnx, isIntType, decodeTensor, readFloats, readInts } = await onnxModules();
  const graph = importOnnx(readBytes(path, '--model'), { what: `--model ${path}` });
  const names = graph.inputs.map((v) => `"${v.name}"`).join(', ');
  const feeds: Record<string, { data: ArrayLike<number>; shape: number[] }> = {};
  const give = (name: string, where: string, value: { data: ArrayLike<number>; shape: number[] }) => {
    if (!graph.inputs.some((v) => v.name === name)) throw new RecurError(`${where}: tensor "${name}" is no input of the graph (${names})`);
    if (feeds[name]) throw new RecurError(`${where}: tensor "${name}" is given twice`);
    feeds[name] = value;
  };
  let pb = 0;
  for (const file of inputs) {
    if (file.endsWith('.pb')) {
      // one TensorProto (ONNX's test data: input_<k>.pb), named, or by position among the .pb files
      const t = decodeTensor(readBytes(file, '--input'), `--input ${file}`);
      const name = t.name || graph.inputs[pb]?.name || `input ${pb}`;
      const data = isIntType(t.data_type ?? 0) ? readInts(t, `--input ${file}`) : readFloats(t, `--input ${file}`);
      give(name, `--input ${file}`, { data, shape: (t.dims ?? []).map(Number) });
      pb++;
      continue;
    }
    const st = readSafetensors(file, '--input');
    for (const [name, t] of st.tensors) {
      const info = graph.inputs.find((v) => v.name === name);
      const where = `--input ${file}: tensor "${name}"`;
      give(name, `--input ${file}`, { data: info && isIntType(info.type) ? tensorToInt32(t, where) : tensorToFloat64(t, where), shape: t.shape });
    }
  }
  const missing = graph.inputs.find((v) => !feeds[v.name]);
  if (missing) throw new RecurError(`--input: expected a tensor for each graph input (${names}), got none named "${missing.name}"`);
  const result = graph.run(feeds);
  const tensors: TensorToWrite[] = Object.entries(result).map(([name, r]) => {
    const data = Float32Array.from(r.data);
    const bad = firstNonFinite(data);
    if (bad !== -1) throw new RecurError(`--out ${out}: output "${name}" is ${data[bad]} at index ${bad} (beyond float32 or not finite): the model or its inputs overflow; nothing written`);
    return { name, shape: r.shape, data };
  });
  writeAtomic(out, serializeSafetensors(tensors, { 'onnx.source': basename(path) }), '--out');
  return 0;
}
