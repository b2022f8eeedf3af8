/**
 * @module format/checkpoint
 * The one reader of a recur file's config and the one shape check, shared by every model file
 * (composed models, language models, stacks, forecasters): the config is JSON in
 * `__metadata__["recur.config"]`; tensors are checked by name and shape before any is used.
 */
import { formatShape, RecurError } from '../errors.js';
import type { ParamSpec } from '../layers/params.js';
import { tensorToFloat32, tensorToFloat64 } from './safetensors-convert.js';
import type { SafetensorsFile } from './safetensors-common.js';
import type { DType } from '../tensor/types.js';

/** The metadata key holding a recur file's config. */
export const CONFIG_KEY = 'recur.config';

/** The file's `recur.config` parsed as a JSON object; `hint` says what was expected when it is absent. */
export function readConfig(file: SafetensorsFile, what: string, hint = 'this is not a recur checkpoint'): Record<string, unknown> {
  const text = file.metadata[CONFIG_KEY];
  if (text === undefined) throw new RecurError(`${what}: no "${CONFIG_KEY}" in __metadata__; ${hint}`);
  let raw: unknown;
  try { raw = JSON.parse(text); } catch (e) { throw new RecurError(`${what}: "${CONFIG_KEY}" is not valid JSON (${(e as Error).message})`); }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new RecurError(`${what}: "${CONFIG_KEY}" must be a JSON object`);
  return raw as Record<string, unknown>;
}

/** Each spec's tensor is in the file with exactly its shape. `context` ends the messages (e.g.
 *  "for this 2-layer gru"). */
export function checkTensorShapes(file: SafetensorsFile, specs: readonly ParamSpec[], what: string, context = ''): void {
  const tail = context ? ` ${context}` : '';
  for (const p of specs) {
    const t = file.tensors.get(p.name);
    if (!t) throw new RecurError(`${what}: missing tensor "${p.name}" ${formatShape(p.shape)}${tail}`);
    if (t.shape.length !== p.shape.length || t.shape.some((n, i) => n !== p.shape[i])) {
      throw new RecurError(`${what}: tensor "${p.name}": expected shape ${formatShape(p.shape)}${tail}, got ${formatShape(t.shape)}`);
    }
  }
}

/** No tensor outside `specs` (and names starting with one of `allowedPrefixes`). */
export function checkNoExtraTensors(file: SafetensorsFile, specs: readonly ParamSpec[], what: string,
                                    allowedPrefixes: readonly string[] = [], context = ''): void {
  const expected = new Set(specs.map((p) => p.name));
  for (const name of file.tensors.keys()) {
    if (!expected.has(name) && !allowedPrefixes.some((p) => name.startsWith(p))) {
      throw new RecurError(`${what}: unexpected tensor "${name}"${context ? ` ${context}` : ''}; expected ${[...expected].join(', ')}${allowedPrefixes.length ? ` (and ${allowedPrefixes.map((p) => `${p}*`).join(', ')})` : ''}`);
    }
  }
}

/** The named tensors as floats of `dtype`, for ParamSet.load. */
export function floatTensors(file: SafetensorsFile, specs: readonly ParamSpec[], dtype: DType): Map<string, { shape: readonly number[]; values: ArrayLike<number> }> {
  const convert = dtype === 'float32' ? tensorToFloat32 : tensorToFloat64;
  const out = new Map<string, { shape: readonly number[]; values: ArrayLike<number> }>();
  for (const p of specs) out.set(p.name, { shape: p.shape, values: convert(file.tensors.get(p.name)!, p.name) });
  return out;
}
