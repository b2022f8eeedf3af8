/**
 * @module models/lm-file
 * A language model checkpoint as one safetensors file.
 *
 * Tensors: `embedding.weight` (V,E) when an embedding is used; the stack's PyTorch names prefixed
 * `rnn.` (`rnn.weight_ih_l0`, ...); `head.weight` (V, D·H); `head.bias` (V). A checkpoint written
 * during training adds the optimizer's state, `optim.<state>.<param>` (PyTorch's state names, e.g.
 * `optim.exp_avg.rnn.weight_ih_l0`), and the carried hidden state `train.h`, `train.c`.
 * Metadata: `recur.config` = {"model": "lm", "tokenizer": {"kind", "tokens", "unk", "preprocess"},
 * "embeddingSize": E or null, "rnn": {the stack's config}}; `recur.train` = the training state (JSON).
 * tools/torch/charlm.py reads and writes the same format from PyTorch.
 */
import { gateCount } from '../cells/index.js';
import { RecurError } from '../errors.js';
import { checkTensorShapes, CONFIG_KEY, readConfig } from '../format/checkpoint.js';
import { tensorToFloat32, tensorToFloat64, type SafetensorsFile, type TensorToWrite } from '../format/safetensors.js';
import type { Kernels } from '../kernels/types.js';
import { parseRecurrentConfig } from '../layers/config.js';
import { Rng } from '../tensor/rng.js';
import { Vocab, type TokenizerConfig } from '../data/text.js';
import { LanguageModel, type LanguageModelConfig } from './language-model.js';

export { CONFIG_KEY };
export const TRAIN_KEY = 'recur.train';

/**
 * A language-model checkpoint as loadLm reads it: the model, its vocabulary, and what a trainer
 * saved to resume.
 */
export interface LmCheckpoint {
  model: LanguageModel;
  vocab: Vocab;      // the tokenizer the model was trained with
  /** Optimizer state and carried hidden state, by tensor name (`optim.*`, `train.*`). */
  extra: Map<string, Float32Array | Float64Array>;
  /** The parsed `recur.train` metadata, when the file has one. */
  train: unknown;
}

/**
 * The `recur.config` metadata of a language-model checkpoint: the tokenizer and the model's shape,
 * as JSON.
 */
export function lmConfigJson(model: LanguageModel, vocab: Vocab): string {
  return JSON.stringify({ model: 'lm', tokenizer: vocab.config(), embeddingSize: model.config.embeddingSize, rnn: model.config.rnn });
}

/** The model's tensors, named as the format says, followed by `extra`. */
export function lmTensors(model: LanguageModel, extra: readonly TensorToWrite[] = []): TensorToWrite[] {
  return [...model.params.list.map((p) => ({ name: p.name, shape: p.shape, data: p.data, dtype: 'F32' as const })), ...extra];
}

/**
 * A language model and its vocabulary from a parsed checkpoint, on kernels k; `what` (e.g. the
 * path) names the file in errors. A RecurError for a file that is not a recur checkpoint or does
 * not match its config.
 */
export function loadLm(file: SafetensorsFile, what: string, k: Kernels): LmCheckpoint {
  const o = readConfig(file, what);
  if (o.model !== 'lm') {
    throw new RecurError(`${what}: expected a language model checkpoint ("model": "lm"), got ${'model' in o ? JSON.stringify(o.model) : 'a recurrent stack (no "model" key)'}`);
  }
  const vocab = new Vocab(tokenizerConfig(o.tokenizer, `${what}: tokenizer`));
  const E = o.embeddingSize;
  if (E !== null && !(Number.isSafeInteger(E) && (E as number) >= 1)) {
    throw new RecurError(`${what}: "embeddingSize" must be a positive integer or null (one-hot), got ${JSON.stringify(E)}`);
  }
  const rnn = parseRecurrentConfig(o.rnn, `${what}: rnn`);
  const config: LanguageModelConfig = { vocabSize: vocab.size, embeddingSize: E as number | null, rnn };
  checkShapes(file, config, what);
  const model = new LanguageModel(config, k, new Rng(0));
  const toFloats = (name: string) => (k.dtype === 'float32' ? tensorToFloat32 : tensorToFloat64)(file.tensors.get(name)!, name);
  const params = new Map<string, { shape: number[]; values: ArrayLike<number> }>();
  const extra = new Map<string, Float32Array | Float64Array>();
  for (const [name, t] of file.tensors) {
    if (model.params.has(name)) params.set(name, { shape: t.shape, values: toFloats(name) });
    else if (name.startsWith('optim.') || name.startsWith('train.')) extra.set(name, toFloats(name));
    else throw new RecurError(`${what}: unexpected tensor "${name}"; expected ${model.params.list.map((p) => p.name).join(', ')} (and optim.*, train.*)`);
  }
  model.params.load(params, what);
  let train: unknown;
  if (file.metadata[TRAIN_KEY] !== undefined) {
    try { train = JSON.parse(file.metadata[TRAIN_KEY]); } catch { throw new RecurError(`${what}: "${TRAIN_KEY}" is not valid JSON`); }
  }
  return { model, vocab, extra, train };
}

/** Shapes first, before allocating: a config that does not match its tensors is a message. */
function checkShapes(file: SafetensorsFile, c: LanguageModelConfig, what: string): void {
  const V = c.vocabSize;
  const DH = (c.rnn.bidirectional ? 2 : 1) * c.rnn.hiddenSize;
  const I = c.embeddingSize ?? V;
  if (c.rnn.inputSize !== I) {
    throw new RecurError(`${what}: rnn.inputSize must be ${c.embeddingSize === null ? `the vocabulary size ${V} (one-hot input)` : `embeddingSize ${I}`}, got ${c.rnn.inputSize}`);
  }
  checkTensorShapes(file, [
    ...(c.embeddingSize !== null ? [{ name: 'embedding.weight', shape: [V, c.embeddingSize] }] : []),
    { name: 'head.weight', shape: [V, DH] }, { name: 'head.bias', shape: [V] },
    { name: 'rnn.weight_ih_l0', shape: [gateCount(c.rnn.cell) * c.rnn.hiddenSize, I] },
  ], what);
  const layers = file.tensors.size; // every layer-direction has a weight_ih: more layers than tensors cannot load
  if (c.rnn.numLayers > layers) throw new RecurError(`${what}: rnn.numLayers ${c.rnn.numLayers} but the file has only ${layers} tensors`);
}

function tokenizerConfig(raw: unknown, what: string): TokenizerConfig {
  const o = raw as Record<string, unknown>;
  if (typeof o !== 'object' || o === null) throw new RecurError(`${what}: expected an object, got ${JSON.stringify(raw)}`);
  if (o.kind !== 'char' && o.kind !== 'word') throw new RecurError(`${what}: "kind" must be "char" or "word", got ${JSON.stringify(o.kind)}`);
  if (!Array.isArray(o.tokens) || !o.tokens.every((t) => typeof t === 'string')) throw new RecurError(`${what}: "tokens" must be an array of strings`);
  if (o.unk !== null && o.unk !== undefined && typeof o.unk !== 'string') throw new RecurError(`${what}: "unk" must be a string or null, got ${JSON.stringify(o.unk)}`);
  const preprocess = o.preprocess ?? 'none';
  if (preprocess !== 'none' && preprocess !== 'd2l') throw new RecurError(`${what}: "preprocess" must be "none" or "d2l", got ${JSON.stringify(preprocess)}`);
  return { kind: o.kind, tokens: o.tokens as string[], unk: (o.unk ?? null) as string | null, preprocess };
}
