/**
 * @module nn/check
 * Runtime checks of layer configs, for configs that come from JSON (a model file) or untyped code:
 * one-line messages that name the field, what was expected and what came.
 */
import { describeValue, RecurError } from '../errors.js';

/** The value as a plain object, or an error. */
export function asObject(raw: unknown, what: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new RecurError(`${what}: expected an object, got ${describeValue(raw)}`);
  return raw as Record<string, unknown>;
}

/** Every key of o is one of `allowed`. */
export function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) throw new RecurError(`${what}: unknown key "${key}"; expected one of ${allowed.join(', ')}`);
  }
}

/** A positive safe integer. */
export function positiveInt(v: unknown, what: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 1) throw new RecurError(`${what}: expected a positive integer, got ${describeValue(v)}`);
  return v as number;
}

/** One of the listed strings. */
export function oneOf<T extends string>(v: unknown, list: readonly T[], what: string): T {
  if (!list.includes(v as T)) throw new RecurError(`${what}: expected one of ${list.map((s) => `"${s}"`).join(', ')}, got ${describeValue(v)}`);
  return v as T;
}

/** A boolean, or the fallback when absent. */
export function optionalBool(v: unknown, fallback: boolean, what: string): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new RecurError(`${what}: expected true or false, got ${describeValue(v)}`);
  return v;
}

/** `{ name }` when the layer is named (a non-empty name without dots), else `{}`. */
export function nameOf(v: unknown, what: string): { name?: string } {
  if (v === undefined) return {};
  if (typeof v !== 'string' || v === '' || v.includes('.')) throw new RecurError(`${what}: "name" must be a non-empty string without dots, got ${describeValue(v)}`);
  return { name: v };
}
