/**
 * @module cli/export
 * `recur export`: any model file recur saves (a composed model, a recurrent stack, a language model,
 * a forecaster), or a PyTorch state_dict with its layers, as an ONNX file (docs/onnx.md, "Export").
 * The output is written atomically: a refused export leaves no file, and the one that was there.
 */
import { RecurError } from '../errors.js';
import type { LayerConfig } from '../nn/config.js';
import { exportOnnxFile, ONNX_OPSET } from '../onnx/export/index.js';
import { decodeModel } from '../onnx/proto.js';
import { parseOptions, required } from './args.js';
import { checkOutputFile, MAX_TEXT, readBytes, readSafetensors, writeAtomic } from './files.js';
import { choiceOption } from './numbers.js';
import { version } from './version.js';

export const EXPORT_USAGE = `usage: recur export --onnx OUT.onnx --checkpoint M [--batch-first] [--no-lengths] [--no-states]
                    [--input tokens|sequence|rows] [--layers JSON|FILE]

  Writes the model as ONNX (opset ${ONNX_OPSET}, float32): RNN, GRU and LSTM operators (a residual cell as a
  Scan), embedding as Gather, linear layers as Gemm or MatMul + Add, reducers over each row's steps.

  --checkpoint   a model file recur saved: a composed model, a recurrent stack, a language model
                 (token ids in, its tokenizer in the metadata), or a forecaster (its one-step predictor:
                 y_past and x in the data's units in, y_next out)
  --layers       for a PyTorch state_dict without recur's config: its layers as JSON (one layer config,
                 or a list for a sequential), inline or in a file
  --batch-first  inputs (B,T,...) and sequence outputs (B,T,F); default time-major (T,B,...)
  --no-lengths   no "lengths" input (int32 (B)): every row has T steps
  --no-states    no initial-state inputs (h0, c0): recurrent layers start from zeros
  --input        what the model reads; default token ids after an embedding or for a language model,
                 else a sequence of floats`;

export function exportCommand(args: string[]): number {
  const o = parseOptions(args, {
    onnx: { type: 'string' }, checkpoint: { type: 'string' }, 'batch-first': { type: 'boolean' }, 'no-lengths': { type: 'boolean' },
    'no-states': { type: 'boolean' }, input: { type: 'string' }, layers: { type: 'string' },
  });
  const out = required(o.onnx, '--onnx');
  const path = required(o.checkpoint, '--checkpoint');
  const input = o.input === undefined ? undefined : choiceOption(o.input, '--input', ['tokens', 'sequence', 'rows'] as const, 'sequence');
  checkOutputFile(out, '--onnx'); // a bad output path fails before the work
  const file = readSafetensors(path, '--checkpoint');
  const bytes = exportOnnxFile(file, {
    what: `--checkpoint ${path}`, producerVersion: version(),
    ...(o['batch-first'] ? { batchFirst: true } : {}), ...(o['no-lengths'] ? { lengths: false } : {}),
    ...(o['no-states'] ? { initialStates: false } : {}), ...(input === undefined ? {} : { input }),
    ...(o.layers === undefined ? {} : { load: { config: readLayers(o.layers) } }),
  });
  writeAtomic(out, bytes, '--onnx');
  const graph = decodeModel(bytes, out).graph!;
  const names = (vs: { name: string }[] | undefined) => (vs ?? []).map((v) => v.name).join(', ');
  process.stdout.write(`wrote ${out} (${bytes.length} bytes, opset ${ONNX_OPSET}): inputs ${names(graph.input)}; outputs ${names(graph.output)}\n`);
  return 0;
}

/** --layers: JSON inline (starting with { or [) or the path of a JSON file. */
function readLayers(value: string): LayerConfig | LayerConfig[] {
  const inline = /^\s*[[{]/.test(value);
  const text = inline ? value : new TextDecoder().decode(readBytes(value, '--layers', MAX_TEXT));
  try {
    return JSON.parse(text) as LayerConfig | LayerConfig[];
  } catch (e) {
    throw new RecurError(`--layers${inline ? '' : ` ${value}`}: expected JSON layer configs, got text that does not parse (${(e as Error).message})`);
  }
}
