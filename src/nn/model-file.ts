/**
 * @module nn/model-file
 * Any model as one safetensors file: its parameters under their PyTorch-style names
 * (`rnn.weight_ih_l0`, `head.weight`) and `recur.config` = {"model": "layers", "root": <the layer
 * tree's config>}. Files of earlier recur releases load too: a recurrent stack (a bare stack config,
 * the tensors of an nn.RNN/GRU/LSTM state_dict) and a language model ("model": "lm": embedding or
 * one-hot input → `rnn` → `head`).
 *
 * A PyTorch `state_dict` saved without a recur config loads with the config given in code
 * (`loadModel(bytes, kernels, { config })`); on that path a GRU is `resetAfter: true` (PyTorch's
 * form) unless the config says otherwise.
 */
import { RecurError } from '../errors.js';
import { checkNoExtraTensors, checkTensorShapes, CONFIG_KEY, floatTensors, readConfig } from '../format/checkpoint.js';
import { parseSafetensors, serializeSafetensors, type SafetensorsFile } from '../format/safetensors.js';
import type { Kernels } from '../kernels/types.js';
import { buildLayer } from './build.js';
import type { LayerConfig } from './config.js';
import { Model } from './model.js';
import type { Layer } from './types.js';

/** The `model` value of a composed model's config. */
export const LAYERS_MODEL = 'layers';

/** The model as a safetensors file; `metadata` rides along (string values). Parameters are stored
 *  in the model's dtype (F32 or F64). */
export function saveModel(model: Model<never>, metadata: Record<string, string> = {}): Uint8Array {
  if (CONFIG_KEY in metadata) throw new RecurError(`saveModel: metadata may not set "${CONFIG_KEY}" (the model's own config goes there)`);
  const dtype = model.kernels.dtype === 'float64' ? 'F64' as const : 'F32' as const;
  return serializeSafetensors(model.params.list.map((p) => ({ name: p.name, shape: p.shape, data: p.data, dtype })),
                              { ...metadata, [CONFIG_KEY]: JSON.stringify({ model: LAYERS_MODEL, root: model.config }) });
}

/** How `loadModel` reads a file: a config for a PyTorch state_dict, and the seed. */
export interface LoadModelOptions {
  /** For a file without `recur.config` (a PyTorch state_dict): one layer (a bare nn.GRU's names,
   *  `weight_ih_l0`) or a list of layers (a sequential: names `rnn.…`, `head.…` by the layers' `name`). */
  config?: LayerConfig | readonly LayerConfig[];
  /** With `config`: the first layer's input size when it does not say. */
  inputSize?: number;
  /** Seed of the model's Rng (dropout), default 0. */
  seed?: number;
  /** Names the file in messages, default "model". */
  what?: string;
}

/** A model from a file written by `saveModel` (or an earlier recur release, or PyTorch with
 *  `options.config`). Every tensor is checked by name and shape before any is used. */
export function loadModel(bytes: Uint8Array | SafetensorsFile, kernels: Kernels, options: LoadModelOptions = {}): Model {
  const what = options.what ?? 'model';
  const file = bytes instanceof Uint8Array ? parseSafetensors(bytes, what) : bytes;
  const root = rootConfig(file, what, options);
  const layer = buildLayer(root, root.type === 'sequential' ? undefined : options.inputSize, what) as Layer;
  const specs = layer.paramSpecs();
  checkTensorShapes(file, specs, what);
  checkNoExtraTensors(file, specs, what, ['optim.', 'train.']);
  const model = new Model(layer, { kernels, seed: options.seed ?? 0 });
  model.params.load(floatTensors(file, specs, kernels.dtype), what);
  return model;
}

/** The root layer's config: from the file, from an older recur file's config, or from the options. */
function rootConfig(file: SafetensorsFile, what: string, options: LoadModelOptions): LayerConfig {
  if (file.metadata[CONFIG_KEY] === undefined) {
    if (!options.config) throw new RecurError(`${what}: no "${CONFIG_KEY}" in __metadata__ (a PyTorch state_dict?); pass the model's layers as options.config`);
    // one layer: its names are the module's own (an nn.GRU's `weight_ih_l0`); a list: a sequential
    if (!Array.isArray(options.config)) return pytorchDefaults(options.config as LayerConfig);
    const layers = (options.config as readonly LayerConfig[]).map(pytorchDefaults);
    return { type: 'sequential', layers, ...(options.inputSize === undefined ? {} : { inputSize: options.inputSize }) };
  }
  if (options.config) throw new RecurError(`${what}: the file has its own "${CONFIG_KEY}"; options.config is only for files without one`);
  const o = readConfig(file, what);
  if (o.model === LAYERS_MODEL) {
    if (typeof o.root !== 'object' || o.root === null) throw new RecurError(`${what}: "root" must be the model's layer config (an object)`);
    return o.root as LayerConfig;
  }
  if (o.model === undefined) return { type: 'recurrent', ...o } as LayerConfig; // a stack: nn.RNN/GRU/LSTM's state_dict names
  if (o.model === 'lm') return languageModelLayers(o, what);
  if (o.model === 'forecast') throw new RecurError(`${what}: this is a forecaster file (AR, NARX, TDNN or RNN forecaster with its normalization): load it with loadForecaster`);
  throw new RecurError(`${what}: unknown "model" ${JSON.stringify(o.model)}; expected "${LAYERS_MODEL}", "lm", or a recurrent stack's config`);
}

/** A language model of an earlier release as layers: [embedding] → rnn → head, the same tensor names. */
function languageModelLayers(o: Record<string, unknown>, what: string): LayerConfig {
  const tokenizer = o.tokenizer as { tokens?: unknown } | undefined;
  if (!tokenizer || !Array.isArray(tokenizer.tokens)) throw new RecurError(`${what}: a language model's "tokenizer" must list its tokens`);
  const V = tokenizer.tokens.length;
  const E = o.embeddingSize;
  const rnn = { type: 'recurrent', name: 'rnn', ...(o.rnn as object) } as LayerConfig;
  return {
    type: 'sequential',
    layers: [
      ...(E === null ? [] : [{ type: 'embedding', name: 'embedding', numEmbeddings: V, embeddingDim: E as number } as LayerConfig]),
      rnn,
      { type: 'linear', name: 'head', outputSize: V },
    ],
  };
}

/** PyTorch's forms where a state_dict does not say: a GRU resets after the recurrent product. */
function pytorchDefaults(c: LayerConfig): LayerConfig {
  if (c.type === 'recurrent' && c.cell === 'gru' && c.resetAfter === undefined) return { ...c, resetAfter: true };
  if (c.type === 'sequential') return { ...c, layers: c.layers.map(pytorchDefaults) };
  return c;
}
