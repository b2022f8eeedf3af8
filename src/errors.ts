/**
 * @module errors
 * A user's mistake (bad shape, bad file, bad option) is a RecurError: the CLI prints its message on
 * one line and exits non-zero, with no stack trace. Anything else that escapes is a bug in recur.
 */
/**
 * A user's mistake (a bad shape, file, option or value): its message is one line saying what was
 * expected and what came. Anything else recur throws is a bug.
 */
export class RecurError extends Error {
  override readonly name = 'RecurError';
}

/** Throw a RecurError saying what was expected and what came. */
export function expectThat(ok: boolean, what: string, expected: string, got: string): asserts ok {
  if (!ok) throw new RecurError(`${what}: expected ${expected}, got ${got}`);
}

/** A short description of a value for a message: a string quoted, an array or object by kind. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/** Shapes print as PyTorch prints them: (3, 2, 4). */
export function formatShape(shape: readonly number[]): string {
  return `(${shape.join(', ')})`;
}
