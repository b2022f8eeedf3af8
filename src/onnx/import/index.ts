/**
 * @module onnx/import
 * ONNX models into recur: `importOnnx(bytes)` reads and checks a .onnx file (a torch.onnx.export
 * of nn.RNN/GRU/LSTM with nn.Embedding and nn.Linear, or any graph of the supported operators)
 * and returns a graph that runs with ONNX's semantics; `graph.toModel()` turns a recognised chain
 * (embedding → recurrent layers → last step or final state → linear) into a recur Model that
 * saveModel writes and every other command reads.
 */
import { readOnnx, type OnnxGraph } from './graph.js';

export { OnnxGraph, SUPPORTED_OPS } from './graph.js';
export type { OnnxResult, OnnxTensor, OnnxValueInfo } from './graph.js';
export type { ImportedModel, ToModelOptions } from './convert.js';

/** How `importOnnx` reads a file. */
export interface ImportOnnxOptions {
  /** Names the model in messages, default "ONNX model". */
  what?: string;
}

/**
 * A model from the bytes of a .onnx file, every node checked: an operator outside the supported
 * set, or an attribute recur cannot honour (LSTM peepholes, clip, other activations), is a
 * RecurError in one line naming the node and its op type.
 */
export function importOnnx(bytes: Uint8Array, options: ImportOnnxOptions = {}): OnnxGraph {
  return readOnnx(bytes, options.what ?? 'ONNX model');
}
