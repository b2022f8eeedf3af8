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
