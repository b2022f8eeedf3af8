/**
 * @module cli/args
 * Option parsing on node:util's parseArgs, with usage errors turned into one-line messages.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RecurError } from '../errors.js';

/** A mistake in how a command was called (an unknown option, a value out of range): printed on one
 *  line with a pointer to the command's --help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

type Values<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>>['values'];

/** The options of `args`, strictly: unknown options and stray words are usage errors. A string
 *  option's value may start with a minus (`--lr -1`): recur reads it as the value, so that the
 *  option's own range check answers, not parseArgs's "ambiguous" message. */
export function parseOptions<O extends Options>(args: string[], options: O): Values<O> {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && NEGATIVE.test(next)) {
      joined.push(`${a}=${next}`);
      i++;
    } else joined.push(a);
  }
  try {
    return parseArgs({ args: joined, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n').join(' '));
  }
}

/** A value that starts with a minus and reads as a number, or a list of them: "-1", "-.5", "-3,2", "-Infinity". */
const NEGATIVE = /^-(\d|\.\d|Infinity|inf|nan)/i;

/** The value of a required option, or a UsageError saying it is missing. */
export function required(value: string | undefined, option: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing ${option}`);
  return value;
}

/** Run a check of option values that throws RecurError (one from the library, such as the sampling
 *  options' or a recurrent config's), turning its error into a UsageError: exit 2, like every other
 *  bad option value. */
export function asUsage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RecurError) throw new UsageError(e.message);
    throw e;
  }
}
