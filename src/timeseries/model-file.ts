/**
 * @module timeseries/model-file
 * A forecaster as one safetensors file, like the language models (models/lm-file).
 *
 * Tensors: an AR model's coefficients `ar.params` (F64, intercept first, then the lags in their
 * order); a neural model's parameters by name (F32): `net.{2l}.weight|bias` (NARX's MLP),
 * `rnn.<PyTorch name>` or `tdnn.{l}.weight|bias`, and `head.weight|bias`.
 * Metadata `recur.config` = {"model": "forecast", "kind", "target", "exog", "normalization":
 * {"log", "target": {mean, std}, "exog": [{mean, std}]}, and "ar" {lags, trend} | "narx"
 * {exogSize, inputDelays, feedbackDelays, hidden} | "seq" {kind, exogSize, hidden, layers, delays,
 * window, mode, burnIn}}. `extra` metadata (the data's name, split, seasonal period) rides along.
 */
import { RecurError } from '../errors.js';
import { checkNoExtraTensors, checkTensorShapes, CONFIG_KEY, floatTensors, readConfig } from '../format/checkpoint.js';
import { tensorToFloat64, type SafetensorsFile, type TensorToWrite } from '../format/safetensors.js';
import type { Kernels } from '../kernels/types.js';
import { Rng } from '../tensor/rng.js';
import { ArModel, arLags } from './ar.js';
import type { Normalization, Scale } from './data.js';
import { Forecaster, type ForecasterConfig } from './forecaster.js';
import { FORECAST_KINDS, type TrainableModel } from './model.js';
import { checkNarxConfig, type NarxConfig } from './narx.js';
import { checkSeqConfig, type SeqConfig } from './seq.js';

export { CONFIG_KEY };

/**
 * A Forecaster as a safetensors file's tensors and metadata (its config under `recur.config`, plus
 * `extra`).
 */
export function forecasterFile(f: Forecaster, extra: Record<string, string> = {}): { tensors: TensorToWrite[]; metadata: Record<string, string> } {
  const c = f.config;
  const config = { model: 'forecast', kind: c.kind, target: c.target, exog: c.exog, normalization: c.normalization,
                   ...(c.ar ? { ar: c.ar } : {}), ...(c.narx ? { narx: c.narx } : {}), ...(c.seq ? { seq: c.seq } : {}) };
  let tensors: TensorToWrite[];
  const ar = f.ar;
  if (ar) tensors = [{ name: 'ar.params', shape: [ar.params.length], data: ar.params, dtype: 'F64' }];
  else {
    const params = (f.model as TrainableModel).params;
    tensors = params.list.map((p) => ({ name: p.name, shape: p.shape, data: p.data, dtype: 'F32' as const }));
  }
  return { tensors, metadata: { ...extra, [CONFIG_KEY]: JSON.stringify(config) } };
}

/**
 * A Forecaster from a parsed file written by forecasterFile, on kernels k; `what` names the file in
 * errors.
 */
export function loadForecaster(file: SafetensorsFile, what: string, k: Kernels): Forecaster {
  const o = readConfig(file, what);
  if (o.model !== 'forecast') {
    throw new RecurError(`${what}: expected a forecaster checkpoint ("model": "forecast"), got ${'model' in o ? JSON.stringify(o.model) : 'no "model" key'}`);
  }
  const kind = o.kind as ForecasterConfig['kind'];
  if (!FORECAST_KINDS.includes(kind)) throw new RecurError(`${what}: "kind" must be one of ${FORECAST_KINDS.join(', ')}, got ${JSON.stringify(o.kind)}`);
  if (typeof o.target !== 'string') throw new RecurError(`${what}: "target" must be the target column's name`);
  if (!Array.isArray(o.exog) || !o.exog.every((e) => typeof e === 'string')) throw new RecurError(`${what}: "exog" must be a list of column names`);
  const normalization = readNormalization(o.normalization, (o.exog as string[]).length, what);
  const config: ForecasterConfig = { kind, target: o.target, exog: o.exog as string[], normalization };
  const tensor = (name: string, shape: readonly number[]) => {
    checkTensorShapes(file, [{ name, shape }], what);
    return file.tensors.get(name)!;
  };
  if (kind === 'ar') {
    const a = o.ar as { lags?: unknown; trend?: unknown } | undefined;
    if (!a || !Array.isArray(a.lags) || (a.trend !== 'c' && a.trend !== 'n')) throw new RecurError(`${what}: "ar" must be {"lags": [...], "trend": "c" | "n"}`);
    const lags = arLags(a.lags as number[], `${what}: ar.lags`);
    config.ar = { lags, trend: a.trend };
    const k0 = (a.trend === 'c' ? 1 : 0) + lags.length;
    const params = tensorToFloat64(tensor('ar.params', [k0]), 'ar.params');
    for (const v of params) if (!Number.isFinite(v)) throw new RecurError(`${what}: "ar.params" has a non-finite value`);
    return new Forecaster(config, new ArModel(config.ar, params));
  }
  if (kind === 'narx') {
    config.narx = o.narx as NarxConfig;
    if (typeof config.narx !== 'object' || config.narx === null) throw new RecurError(`${what}: a NARX checkpoint needs "narx"`);
    checkNarxConfig(config.narx, `${what}: narx`);
  } else {
    config.seq = o.seq as SeqConfig;
    if (typeof config.seq !== 'object' || config.seq === null) throw new RecurError(`${what}: a ${kind} checkpoint needs "seq"`);
    checkSeqConfig(config.seq, `${what}: seq`);
    if (config.seq.kind !== kind) throw new RecurError(`${what}: "kind" ${kind} but seq.kind ${config.seq.kind}`);
  }
  checkSizesAgainstFile(file, config, what); // before allocating a model of the config's sizes
  const f = Forecaster.createNeural(config, k, new Rng(0));
  if (f.model.exogSize !== config.exog.length) throw new RecurError(`${what}: the model reads ${f.model.exogSize} exogenous columns but "exog" names ${config.exog.length}`);
  const params = f.model.params;
  checkTensorShapes(file, params.list, what);
  checkNoExtraTensors(file, params.list, what);
  params.load(floatTensors(file, params.list, k.dtype), what);
  return f;
}

function readNormalization(raw: unknown, m: number, what: string): Normalization {
  const o = raw as Record<string, unknown>;
  const scale = (s: unknown, name: string): Scale => {
    const v = s as Record<string, unknown>;
    if (typeof v !== 'object' || v === null || typeof v.mean !== 'number' || typeof v.std !== 'number' || !Number.isFinite(v.mean) || !(v.std > 0)) {
      throw new RecurError(`${what}: normalization.${name} must be {"mean": a number, "std": a number > 0}`);
    }
    return { mean: v.mean, std: v.std };
  };
  if (typeof o !== 'object' || o === null || typeof o.log !== 'boolean' || !Array.isArray(o.exog) || o.exog.length !== m) {
    throw new RecurError(`${what}: "normalization" must be {"log": true | false, "target": {mean, std}, "exog": [${m} × {mean, std}]}`);
  }
  return { log: o.log, target: scale(o.target, 'target'), exog: o.exog.map((e, i) => scale(e, `exog[${i}]`)) };
}

/** A layer size larger than every dimension of the file's tensors cannot match them: say so before
 *  allocating a model of that size (a hand-edited `hidden` of 3e9 is a message, not a RangeError). */
function checkSizesAgainstFile(file: SafetensorsFile, c: ForecasterConfig, what: string): void {
  let largest = 0;
  for (const t of file.tensors.values()) for (const n of t.shape) largest = Math.max(largest, n);
  const sizes: [string, number][] = c.narx ? c.narx.hidden.map((h, i) => [`narx.hidden[${i}]`, h] as [string, number])
    : c.seq ? [['seq.hidden', c.seq.hidden]] : [];
  // every layer has at least one tensor of its own
  if (c.seq && c.seq.layers > file.tensors.size) {
    throw new RecurError(`${what}: seq.layers is ${c.seq.layers}, but the file has only ${file.tensors.size} tensors: the config does not match the tensors`);
  }
  for (const [name, n] of sizes) {
    if (n > largest) throw new RecurError(`${what}: ${name} is ${n}, but no tensor in the file has a dimension that large (the largest is ${largest}): the config does not match the tensors`);
  }
}
