/**
 * @module cli/numbers
 * Option values as numbers, with messages that name the option, what was expected and what came.
 */
import { UsageError } from './args.js';

export function intOption(v: string | undefined, option: string, fallback: number, min = 1): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${option}: expected an integer ≥ ${min}, got "${v}"`);
  return n;
}

export function numberOption(v: string | undefined, option: string, fallback: number,
                             check: (n: number) => boolean = () => true, expected = 'a number'): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`${option}: expected ${expected}, got "${v}"`);
  return n;
}

export function choiceOption<T extends string>(v: string | undefined, option: string, choices: readonly T[], fallback: T): T {
  if (v === undefined) return fallback;
  if (!choices.includes(v as T)) throw new UsageError(`${option}: expected one of ${choices.join(', ')}, got "${v}"`);
  return v as T;
}

/** The most values a command may ask the kernels for: 2³⁰ (4 GiB of float32), the wasm backends'
 *  ceiling, checked the same on every backend before anything is allocated. */
export const MAX_VALUES = 2 ** 30;

/** Throw a UsageError naming `options` when a run would need more than MAX_VALUES values. */
export function checkSize(values: number, options: string): void {
  if (!(values <= MAX_VALUES)) {
    throw new UsageError(`${options}: the run would need about ${values.toPrecision(2)} values (${(values * 4 / 2 ** 30).toPrecision(2)} GiB as float32), ` +
      `more than the ${MAX_VALUES / 2 ** 30 * 4} GiB recur's kernels hold; use smaller sizes`);
  }
}

/** A table cell: `text` right-aligned in `width` columns, with at least one space before it, so
 *  that a long number never runs into its neighbour. */
export function cell(text: string, width: number): string {
  return text.length >= width ? ` ${text}` : text.padStart(width);
}
