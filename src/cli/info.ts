/**
 * @module cli/info
 * `recur info`: what is running, so that a report or a benchmark can say so.
 */
import { createRequire } from 'node:module';
import { jsKernels } from '../kernels/js/index.js';

export function infoCommand(): number {
  const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };
  const k = jsKernels('float32');
  process.stdout.write(`recur ${pkg.version}\nnode ${process.version} (${process.platform}-${process.arch})\nkernels ${k.name} (${k.dtype})\n`);
  return 0;
}
