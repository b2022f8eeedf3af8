/**
 * @module cli/info
 * `recur info`: what is running, so that a report or a benchmark can say so: the version, the
 * runtime, the kernel backend that `auto` (or --backend) picks and why, the threads it runs on, and
 * whether the native addon is available here (and with which instruction sets) or why not.
 */
import { availableParallelism } from 'node:os';
import { nativeIsas, nativeUnavailable, NativeKernels } from '../kernels/index.js';
import { parseOptions } from './args.js';
import { version } from './version.js';
import { BACKEND_OPTIONS, selectionFromOptions } from './backend.js';

export const INFO_USAGE = `usage: recur info [--backend auto|native|wasm-relaxed-simd|wasm-simd|js] [--threads N]

  Prints recur's version, the runtime, the kernel backend a command with the same options would run
  on and why (auto: the native addon where it loads and passes its self-check, else WebAssembly),
  the threads it runs on (default: the cores available), and whether the native addon is available.`;

export async function infoCommand(args: string[] = []): Promise<number> {
  const o = parseOptions(args, { ...BACKEND_OPTIONS });
  const { kernels: k, reason } = await selectionFromOptions(o);
  try {
    const why = await nativeUnavailable();
    const native = why === undefined ? `available (${(await nativeIsas()).join(', ')})` : `unavailable: ${why}`;
    const isa = k instanceof NativeKernels ? `${k.isa}, ` : '';
    process.stdout.write(`recur ${version()}\nnode ${process.version} (${process.platform}-${process.arch})\n` +
      `kernels ${k.name} (${isa}${k.dtype})\nchosen ${reason}\n` +
      `threads ${k.threads} (${availableParallelism()} cores available)\nnative ${native}\n`);
  } finally {
    k.dispose?.();
  }
  return 0;
}
