/**
 * @module onnx/export
 * recur models as ONNX files: `exportOnnx` for a Model or a Forecaster in memory, `exportOnnxFile`
 * for the bytes of any file recur saves (a composed model, a recurrent stack, a language model, a
 * forecaster). See docs/onnx.md, "Export".
 */
import { RecurError } from '../../errors.js';
import { CONFIG_KEY } from '../../format/checkpoint.js';
import { parseSafetensors, type SafetensorsFile } from '../../format/safetensors.js';
import { jsKernels } from '../../kernels/js/index.js';
import { loadModel, type LoadModelOptions } from '../../nn/model-file.js';
import type { Model } from '../../nn/model.js';
import { Forecaster } from '../../timeseries/forecaster.js';
import { loadForecaster } from '../../timeseries/model-file.js';
import { encodeModel } from '../proto.js';
import { forecasterProto } from './forecaster.js';
import { modelProto, type ExportOnnxOptions } from './model.js';

export { ONNX_IR_VERSION, ONNX_OPSET, type ExportOnnxOptions } from './model.js';

/**
 * The .onnx bytes of a model (opset 14, float32).
 *
 * A `Model`: standard RNN/GRU/LSTM operators (a residual cell as a Scan over its step), embedding as
 * Gather, linear as Gemm or MatMul + Add, reducers over each row's valid steps. Inputs `input`,
 * `lengths` (int32 (B), unless `lengths: false`) and every recurrent layer's `h0`/`c0` (unless
 * `initialStates: false`); outputs `output` and every recurrent layer's `h_n`/`c_n`.
 *
 * A `Forecaster`: its one-step (open-loop) predictor in the data's units: `y_past` (B,P) and `x`
 * (B,Q,m) in, `y_next` (B) out; the layout options do not apply.
 *
 * A layer with no ONNX form (one defined outside recur) is a RecurError naming it.
 */
export function exportOnnx(model: Model<never> | Forecaster, options: ExportOnnxOptions = {}): Uint8Array {
  if (model instanceof Forecaster) {
    for (const key of ['batchFirst', 'lengths', 'initialStates', 'input'] as const) {
      if (options[key] !== undefined) throw new RecurError(`exportOnnx: "${key}" does not apply to a forecaster (its inputs are y_past and x)`);
    }
    return encodeModel(forecasterProto(model, options));
  }
  return encodeModel(modelProto(model, options));
}

/** What `exportOnnxFile` takes: the export's options, and how to read a PyTorch state_dict. */
export interface ExportOnnxFileOptions extends ExportOnnxOptions {
  /** For a file without recur's config (a PyTorch state_dict): its layers, as `loadModel` takes them. */
  load?: LoadModelOptions;
  /** Names the file in messages, default "model". */
  what?: string;
}

/**
 * The .onnx bytes of a safetensors file recur saved (or a PyTorch state_dict with `load.config`):
 * a composed model, a release-0.1 recurrent stack or language model (token ids in; its tokenizer in
 * the metadata as `recur.tokenizer`), or a forecaster. Parameters are read exactly (float64) and
 * written as float32.
 */
export function exportOnnxFile(bytes: Uint8Array | SafetensorsFile, options: ExportOnnxFileOptions = {}): Uint8Array {
  const what = options.what ?? 'model';
  const file = bytes instanceof Uint8Array ? parseSafetensors(bytes, what) : bytes;
  const { load, what: _what, ...exportOptions } = options;
  const k = jsKernels('float64');
  const config = fileConfig(file);
  if (load?.config && file.metadata[CONFIG_KEY] !== undefined) {
    throw new RecurError(`${what}: the file has its own "${CONFIG_KEY}"; layers are given only for a PyTorch state_dict without one`);
  }
  if (!load?.config && file.metadata[CONFIG_KEY] === undefined) {
    throw new RecurError(`${what}: no "${CONFIG_KEY}" in __metadata__ (a PyTorch state_dict?); give its layers: recur export --layers, or load.config`);
  }
  if (config?.model === 'forecast') return exportOnnx(loadForecaster(file, what, k), exportOptions);
  const model = loadModel(file, k, { ...load, what }) as Model<never>;
  if (config?.model === 'lm') {
    // a language model reads token ids (through an embedding or one-hot); its tokenizer rides along
    return exportOnnx(model, { input: 'tokens', ...exportOptions,
                               metadata: { 'recur.tokenizer': JSON.stringify(config.tokenizer), ...exportOptions.metadata } });
  }
  return exportOnnx(model, exportOptions);
}

/** The file's `recur.config` as an object, when it has one that parses. */
function fileConfig(file: SafetensorsFile): Record<string, unknown> | undefined {
  const raw = file.metadata[CONFIG_KEY];
  if (raw === undefined) return undefined;
  try {
    const o = JSON.parse(raw) as unknown;
    return typeof o === 'object' && o !== null ? o as Record<string, unknown> : undefined;
  } catch {
    return undefined; // loadModel says what is wrong with it
  }
}
