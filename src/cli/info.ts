/**
 * @module cli/info
 * `recur info`: what is running, so that a report or a benchmark can say so: the version, the
 * runtime, the kernel backend that `auto` (or --backend) picks and the threads it runs on.
 */
import { availableParallelism } from 'node:os';
import { parseOptions } from './args.js';
import { version } from './version.js';
import { BACKEND_OPTIONS, backendFromOptions } from './backend.js';

export const INFO_USAGE = `usage: recur info [--backend auto|wasm-relaxed-simd|wasm-simd|js] [--threads N]

  Prints recur's version, the runtime, and the kernel backend and thread count a command with the
  same options would run on (threads default to the cores available).`;

export async function infoCommand(args: string[] = []): Promise<number> {
  const o = parseOptions(args, { ...BACKEND_OPTIONS });
  const k = await backendFromOptions(o);
  try {
    process.stdout.write(`recur ${version()}\nnode ${process.version} (${process.platform}-${process.arch})\n` +
      `kernels ${k.name} (${k.dtype})\nthreads ${k.threads} (${availableParallelism()} cores available)\n`);
  } finally {
    k.dispose?.();
  }
  return 0;
}
