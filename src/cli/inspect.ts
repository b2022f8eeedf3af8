/**
 * @module cli/inspect
 * `recur inspect FILE`: the tensors of a safetensors file (name, dtype, shape, a few values) and
 * its recur config, so a user can see what a model or an output holds.
 */
import { formatShape } from '../errors.js';
import { tensorToFloat64 } from '../format/safetensors.js';
import { UsageError } from './args.js';
import { readSafetensors } from './files.js';

export const INSPECT_USAGE = 'usage: recur inspect FILE.safetensors';

export function inspectCommand(args: string[]): number {
  if (args.length !== 1 || args[0]!.startsWith('-')) throw new UsageError(`expected one file, got ${args.length === 0 ? 'none' : args.join(' ')}`);
  const path = args[0]!;
  const file = readSafetensors(path, 'file');
  const lines: string[] = [path];
  for (const [key, value] of Object.entries(file.metadata)) lines.push(`  metadata ${key}: ${value}`);
  const width = Math.max(0, ...[...file.tensors.keys()].map((n) => n.length));
  for (const [name, t] of file.tensors) {
    let preview = '';
    if (['F32', 'F64', 'F16', 'BF16'].includes(t.dtype)) {
      const v = tensorToFloat64(t, name);
      preview = `  [${Array.from(v.subarray(0, 4), (x) => x.toPrecision(5)).join(', ')}${v.length > 4 ? ', ...' : ''}]`;
    }
    lines.push(`  ${name.padEnd(width)} ${t.dtype.padEnd(4)} ${formatShape(t.shape)}${preview}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
