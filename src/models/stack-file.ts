/**
 * @module models/stack-file
 * A recurrent stack as a safetensors file: the tensors of torch.nn.RNN/GRU/LSTM's `state_dict`
 * (the same names and shapes) and the config as JSON in `__metadata__["recur.config"]`. So a PyTorch
 * model saved with its state_dict names loads here, and a stack saved here loads into PyTorch.
 *
 * `runStack` is what `recur run` does: forward (and, given output gradients, backward) on named
 * input tensors, with every input checked before any number is computed.
 */
import { formatShape, RecurError } from '../errors.js';
import {
  tensorToFloat32, tensorToFloat64, tensorToInt32, type SafeTensor, type SafetensorsFile, type TensorToWrite,
} from '../format/safetensors.js';
import type { Kernels } from '../kernels/types.js';
import { checkNoExtraTensors, checkTensorShapes, CONFIG_KEY, readConfig } from '../format/checkpoint.js';
import { parseRecurrentConfig, type RecurrentConfig } from '../layers/config.js';
import { recurrentParamSpecs, RecurrentStack } from '../layers/recurrent.js';
import { Rng } from '../tensor/rng.js';
import type { DType, FloatArray } from '../tensor/types.js';

/**
 * The `__metadata__` key under which recur stores a model's config as JSON in a safetensors file.
 */
export { CONFIG_KEY };

/** The config stored in a file's metadata, validated. */
export function readStackConfig(file: SafetensorsFile, what: string): RecurrentConfig {
  const raw = readConfig(file, what, 'expected the stack\'s config as JSON, e.g. {"cell":"lstm","inputSize":4,"hiddenSize":8}');
  return parseRecurrentConfig(raw, `${what}: ${CONFIG_KEY}`);
}

/** Load a stack's config and weights. Every parameter must be present with its exact shape. */
export function loadStack(file: SafetensorsFile, what: string, k: Kernels): RecurrentStack {
  const config = readStackConfig(file, what);
  checkTensors(file, config, what);
  const stack = new RecurrentStack(config, k, new Rng(0));
  const tensors = new Map<string, { shape: number[]; values: ArrayLike<number> }>();
  for (const [name, t] of file.tensors) tensors.set(name, { shape: t.shape, values: floats(t, name, what, k.dtype) });
  stack.params.load(tensors, what);
  return stack;
}

/**
 * The file's tensors against the config's names and shapes, before anything is allocated: a config
 * that does not match its tensors (a hiddenSize of 100000, a numLayers of 10^8) is a message, not an
 * allocation failure. Every layer and direction has a weight_ih, so a config with more layers than
 * the file has tensors misses one within the first `tensors + 1` layers: only those are listed.
 */
function checkTensors(file: SafetensorsFile, config: RecurrentConfig, what: string): void {
  const layers = Math.min(config.numLayers, file.tensors.size + 1);
  const specs = recurrentParamSpecs({ ...config, numLayers: layers });
  const context = `for this ${describeConfig(config)}`;
  checkTensorShapes(file, specs, what, context);
  checkNoExtraTensors(file, specs, what, [], context);
}

/** The stack as tensors and metadata, ready for serializeSafetensors. */
export function stackTensors(stack: RecurrentStack): { tensors: TensorToWrite[]; metadata: Record<string, string> } {
  return {
    tensors: stack.params.list.map((p) => ({ name: p.name, shape: p.shape, data: p.data })),
    metadata: { [CONFIG_KEY]: JSON.stringify(stack.config) },
  };
}

/**
 * The files of `recur run`: a model (a stack with its config), its input, and optionally the
 * gradient of its output to backpropagate.
 */
export interface RunFiles {
  model: SafetensorsFile;
  input: SafetensorsFile;
  grad?: SafetensorsFile | undefined;
  /** Names for messages, e.g. the file paths. */
  names?: { model?: string; input?: string; grad?: string };
}

/**
 * Forward, and backward when `grad` is given. Returns y, h_n (c_n), and with grad: dx, dh0 (dc0) and
 * grad.<param> for every parameter: the gradients of Σ y·dy + Σ h_n·dh_n + Σ c_n·dc_n.
 * Computes in `k.dtype`; writes float32 unless the input x is float64.
 */
export function runStack(files: RunFiles, k: Kernels): TensorToWrite[] {
  const mName = files.names?.model ?? 'model';
  const iName = files.names?.input ?? 'input';
  const gName = files.names?.grad ?? 'grad';
  const stack = loadStack(files.model, mName, k);
  const c = stack.config;
  const D = c.bidirectional ? 2 : 1;
  const H = c.hiddenSize;
  const LD = c.numLayers * D;
  const lstm = c.cell === 'lstm';

  const input = files.input.tensors;
  allowOnly(input, ['x', 'h0', 'lengths', ...(lstm ? ['c0'] : [])], iName, lstm ? '' : ` (c0 is for LSTM only; this model is a ${c.cell})`);
  const xT = input.get('x');
  if (!xT) throw new RecurError(`${iName}: missing tensor "x" (T, B, ${c.inputSize})`);
  if (xT.shape.length !== 3 || xT.shape[2] !== c.inputSize || xT.shape[0] === 0 || xT.shape[1] === 0) {
    throw new RecurError(`${iName}: tensor "x": expected shape (T, B, ${c.inputSize}) with T, B ≥ 1, got ${formatShape(xT.shape)}`);
  }
  const [T, B] = xT.shape as [number, number];
  const stateShape = [LD, B, H];
  const x = finite(floats(xT, 'x', iName, k.dtype), 'x', iName);
  const h0 = optional(input, 'h0', stateShape, iName, k.dtype);
  const c0 = lstm ? optional(input, 'c0', stateShape, iName, k.dtype) : undefined;
  const lengths = readLengths(input.get('lengths'), T, B, iName);

  const out = stack.forward(x, T, B, { h0, c0, lengths });
  const outDtype = xT.dtype === 'F64' ? 'F64' : 'F32';
  const result: TensorToWrite[] = [
    { name: 'y', shape: [T, B, D * H], data: out.y, dtype: outDtype },
    { name: 'h_n', shape: stateShape, data: out.hN, dtype: outDtype },
  ];
  if (out.cN) result.push({ name: 'c_n', shape: stateShape, data: out.cN, dtype: outDtype });
  if (!files.grad) return result;

  const grad = files.grad.tensors;
  allowOnly(grad, ['dy', 'dh_n', ...(lstm ? ['dc_n'] : [])], gName, lstm ? '' : ` (dc_n is for LSTM only; this model is a ${c.cell})`);
  const dy = optional(grad, 'dy', [T, B, D * H], gName, k.dtype);
  if (!dy) throw new RecurError(`${gName}: missing tensor "dy" ${formatShape([T, B, D * H])}`);
  const dhN = optional(grad, 'dh_n', stateShape, gName, k.dtype);
  const dcN = lstm ? optional(grad, 'dc_n', stateShape, gName, k.dtype) : undefined;
  stack.params.zeroGrad();
  const g = stack.backward(dy, dhN, dcN);
  result.push({ name: 'dx', shape: [T, B, c.inputSize], data: g.dx!, dtype: outDtype });
  result.push({ name: 'dh0', shape: stateShape, data: g.dh0, dtype: outDtype });
  if (g.dc0) result.push({ name: 'dc0', shape: stateShape, data: g.dc0, dtype: outDtype });
  for (const p of stack.params.list) result.push({ name: `grad.${p.name}`, shape: p.shape, data: p.grad, dtype: outDtype });
  return result;
}

function describeConfig(c: RecurrentConfig): string {
  const form = c.cell === 'gru' ? (c.resetAfter ? ' (reset after)' : ' (reset before)') : c.cell === 'residual' ? ` (${c.residual})` : '';
  return `${c.numLayers}-layer ${c.bidirectional ? 'bidirectional ' : ''}${c.cell}${form}`;
}

function floats(t: SafeTensor, name: string, what: string, dtype: DType): FloatArray {
  try {
    return dtype === 'float32' ? tensorToFloat32(t, name) : tensorToFloat64(t, name);
  } catch (e) {
    if (e instanceof RecurError) throw new RecurError(`${what}: ${e.message}`);
    throw e;
  }
}

function finite(a: FloatArray, name: string, what: string): FloatArray {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!)) throw new RecurError(`${what}: tensor "${name}": expected finite values, got ${a[i]} at index ${i}`);
  }
  return a;
}

function optional(tensors: Map<string, SafeTensor>, name: string, shape: number[], what: string, dtype: DType): FloatArray | undefined {
  const t = tensors.get(name);
  if (!t) return undefined;
  if (t.shape.length !== shape.length || t.shape.some((n, i) => n !== shape[i])) {
    throw new RecurError(`${what}: tensor "${name}": expected shape ${formatShape(shape)}, got ${formatShape(t.shape)}`);
  }
  return finite(floats(t, name, what, dtype), name, what);
}

function allowOnly(tensors: Map<string, SafeTensor>, names: string[], what: string, hint: string): void {
  for (const name of tensors.keys()) {
    if (!names.includes(name)) throw new RecurError(`${what}: unexpected tensor "${name}"; expected ${names.join(', ')}${hint}`);
  }
}

function readLengths(t: SafeTensor | undefined, T: number, B: number, what: string): Int32Array | undefined {
  if (!t) return undefined;
  if (t.shape.length !== 1 || t.shape[0] !== B) {
    throw new RecurError(`${what}: tensor "lengths": expected shape (${B}), got ${formatShape(t.shape)}`);
  }
  if (t.dtype !== 'I64' && t.dtype !== 'I32') {
    throw new RecurError(`${what}: tensor "lengths": expected dtype I64 or I32, got ${t.dtype}`);
  }
  let lengths: Int32Array;
  try {
    lengths = tensorToInt32(t, 'lengths');
  } catch (e) {
    if (e instanceof RecurError) throw new RecurError(`${what}: ${e.message}`);
    throw e;
  }
  for (let b = 0; b < B; b++) {
    const n = lengths[b]!;
    if (n < 1 || n > T) throw new RecurError(`${what}: tensor "lengths": expected every length in 1..${T} (T), got ${n} at index ${b}`);
  }
  return lengths;
}
