/**
 * @module nn/build
 * Config → layer: the one place that knows every layer type, used by `sequential` and by
 * `loadModel`. A config from a file is checked here field by field; sizes left out are filled in
 * from the layer before. Layers defined outside recur join through `registerLayer`.
 */
import { RecurError } from '../errors.js';
import { describeValue } from '../errors.js';
import { asObject, nameOf, oneOf, onlyKeys, optionalBool, positiveInt } from './check.js';
import { Sequential } from './composite.js';
import type { LayerConfig, LinearActivation, RecurrentLayerConfig } from './config.js';
import { Dropout } from './dropout.js';
import { Embedding } from './embedding.js';
import { Linear } from './linear.js';
import { Recurrent } from './recurrent.js';
import { Reduce } from './reduce.js';
import type { Layer } from './types.js';

/** Builds a layer of your own from its config (as stored) and the feature size it receives
 *  (undefined when it is the first layer and none was given). */
export type LayerFactory = (config: Record<string, unknown>, inputSize: number | undefined, what: string) => Layer<never>;

const custom = new Map<string, LayerFactory>();

/** Make a layer type of your own buildable by `sequential` and loadable by `loadModel`. Its configs
 *  carry `type: 'custom:<name>'`; registering a type twice replaces the factory. */
export function registerLayer(type: `custom:${string}`, factory: LayerFactory): void {
  if (!/^custom:[A-Za-z0-9_-]+$/.test(type)) throw new RecurError(`registerLayer: expected a type "custom:<letters, digits, _ or ->", got ${JSON.stringify(type)}`);
  custom.set(type, factory);
}

const ACTIVATIONS: readonly LinearActivation[] = ['identity', 'tanh', 'relu', 'sigmoid'];
const TYPES = ['recurrent', 'embedding', 'linear', 'dropout', 'reduce', 'sequential'] as const;

/** A layer from its config; `inputSize` is the feature size it receives (from the layer before). */
export function buildLayer(raw: LayerConfig, inputSize: number | undefined, what = 'layer'): Layer<never> {
  const o = asObject(raw, what);
  const type = o.type;
  const at = `${what} (${typeof type === 'string' ? type : 'no type'})`;
  if (typeof type === 'string' && type.startsWith('custom:')) {
    const factory = custom.get(type);
    if (!factory) throw new RecurError(`${what}: layer type "${type}" is not registered; call registerLayer("${type}", factory) before loading`);
    return factory(o, inputSize, at);
  }
  const size = (key: string): number => {
    const given = o[key];
    if (given !== undefined) {
      const n = positiveInt(given, `${at}: "${key}"`);
      if (inputSize !== undefined && n !== inputSize) throw new RecurError(`${at}: "${key}" is ${n} but the layer before gives ${inputSize} features`);
      return n;
    }
    if (inputSize === undefined) throw new RecurError(`${at}: "${key}" is needed: nothing before this layer says how many features it receives`);
    return inputSize;
  };
  switch (oneOf(type, TYPES, `${what}: "type"`)) {
    case 'recurrent':
      // the stack's own validator checks the rest (and rejects unknown keys)
      return new Recurrent(raw as RecurrentLayerConfig, size('inputSize'), at);
    case 'embedding':
      onlyKeys(o, ['type', 'name', 'numEmbeddings', 'embeddingDim'], at);
      return new Embedding({ type: 'embedding', ...nameOf(o.name, at), numEmbeddings: positiveInt(o.numEmbeddings, `${at}: "numEmbeddings"`),
                             embeddingDim: positiveInt(o.embeddingDim, `${at}: "embeddingDim"`) });
    case 'linear':
      onlyKeys(o, ['type', 'name', 'inputSize', 'outputSize', 'bias', 'activation'], at);
      return new Linear({ type: 'linear', ...nameOf(o.name, at), outputSize: positiveInt(o.outputSize, `${at}: "outputSize"`),
                          bias: optionalBool(o.bias, true, `${at}: "bias"`),
                          activation: o.activation === undefined ? 'identity' : oneOf(o.activation, ACTIVATIONS, `${at}: "activation"`) },
                        size('inputSize'));
    case 'dropout':
      onlyKeys(o, ['type', 'name', 'p'], at);
      if (typeof o.p !== 'number') throw new RecurError(`${at}: "p" must be a number in [0, 1), got ${describeValue(o.p)}`);
      return new Dropout({ type: 'dropout', ...nameOf(o.name, at), p: o.p }, size('inputSize'));
    case 'reduce':
      onlyKeys(o, ['type', 'name', 'mode'], at);
      return new Reduce({ type: 'reduce', ...nameOf(o.name, at), mode: oneOf(o.mode, ['last', 'mean', 'max'] as const, `${at}: "mode"`) },
                        size('inputSize'));
    case 'sequential': {
      onlyKeys(o, ['type', 'name', 'inputSize', 'layers'], at);
      if (!Array.isArray(o.layers) || o.layers.length === 0) throw new RecurError(`${at}: "layers" must be a non-empty array, got ${describeValue(o.layers)}`);
      const first = o.inputSize === undefined ? inputSize : positiveInt(o.inputSize, `${at}: "inputSize"`);
      const layers: Layer[] = [];
      const names = new Set<string>();
      let n = first;
      o.layers.forEach((c: unknown, i: number) => {
        const layer = buildLayer(c as LayerConfig, n, `${at} layer ${i}`) as Layer;
        const name = layer.config.name ?? String(i);
        if (names.has(name)) throw new RecurError(`${at}: two layers are named "${name}"`);
        names.add(name);
        layers.push(layer);
        n = layer.outputSize;
      });
      return new Sequential(layers, first, nameOf(o.name, at).name);
    }
  }
}
