/**
 * @module kernels/native
 * The native CPU backend (Node only): the kernels of native/src compiled to a Node-API addon
 * (`npm run build:native`, with g++; the npm package ships a prebuilt linux-x64 one). One build of
 * the kernels per instruction set (AVX-512, AVX2+FMA, the baseline: SSE2 or NEON), the widest the
 * CPU has chosen at load time, or one named by `isa` (tests run each that the CPU supports).
 * Arrays are shared with JS (any Float32Array, in place); `threads` run inside the addon.
 *
 *   const k = await loadNativeKernels({ threads: 2 });      // RecurError where it cannot load
 *   const why = await nativeUnavailable();                   // undefined, or why not (one line)
 */
import { RecurError } from '../../errors.js';
import { jsKernels } from '../js/index.js';
import type { Kernels } from '../types.js';
import { availableCores } from '../wasm/index.js';
import { loadAddon } from './addon.js';
import { NativeKernels } from './kernels.js';

export { NativeKernels } from './kernels.js';

/** Which build of the native kernels: the widest the CPU runs ('auto'), or exactly one. */
export type NativeIsa = 'auto' | 'avx512' | 'avx2' | 'generic';

/** Options of loadNativeKernels. */
export interface NativeKernelOptions {
  /** Which build (default 'auto'); one this CPU cannot run is a RecurError. */
  isa?: NativeIsa | undefined;
  /** Threads to run on, the caller's included (default 1); capped at `cores`. */
  threads?: number | undefined;
  /** The cores this process may use (default: os.availableParallelism()). */
  cores?: number | undefined;
  /** @internal Cut calls between threads from these sizes on (tests: 0, every call that can be cut). */
  split?: { gemmFlops?: number; elements?: number } | undefined;
}

/** undefined where the native backend can load here, else why not (one line). */
export async function nativeUnavailable(): Promise<string | undefined> {
  const addon = await loadAddon();
  return typeof addon === 'string' ? addon : undefined;
}

/** The instruction sets this CPU runs the native kernels with, widest first ([] without the addon). */
export async function nativeIsas(): Promise<Exclude<NativeIsa, 'auto'>[]> {
  const addon = await loadAddon();
  if (typeof addon === 'string') return [];
  const cpu = addon.cpu();
  return [...(cpu.avx512 ? ['avx512' as const] : []), ...(cpu.avx2 ? ['avx2' as const] : []), 'generic'];
}

/**
 * The native kernels on `threads` threads (default 1), with the build `isa` names. Throws a
 * RecurError where the addon is not built for this platform, does not load, or the CPU lacks `isa`.
 */
export async function loadNativeKernels(opts: NativeKernelOptions = {}): Promise<NativeKernels> {
  const addon = await loadAddon();
  if (typeof addon === 'string') throw new RecurError(`native kernels: ${addon}`);
  const isa = opts.isa ?? 'auto';
  if (!['auto', 'avx512', 'avx2', 'generic'].includes(isa)) {
    throw new RecurError(`native kernels: isa: expected auto, avx512, avx2 or generic, got ${String(isa)}`);
  }
  const requested = opts.threads ?? 1;
  if (!Number.isSafeInteger(requested) || requested < 1) {
    throw new RecurError(`native kernels: threads: expected an integer ≥ 1, got ${requested}`);
  }
  const threads = Math.min(requested, opts.cores ?? await availableCores());
  let ops;
  try {
    ops = addon.create(isa, threads);
  } catch (e) {
    throw new RecurError((e as Error).message);
  }
  const k = new NativeKernels(ops);
  if (opts.split) k.setSplit(opts.split.gemmFlops ?? 1 << 18, opts.split.elements ?? 1 << 13);
  return k;
}

/**
 * The start-up self-check of 'auto': a few kernels on small odd sizes against the JS reference
 * (gemm in all four transpose combinations, an LSTM step, the loss). undefined when they agree,
 * else what did not (one line).
 */
export function nativeSelfCheck(k: Kernels): string | undefined {
  const ref = jsKernels('float32');
  let seed = 7;
  const fill = (n: number, scale = 1): Float32Array =>
    Float32Array.from({ length: n }, () => { seed = (seed * 1103515245 + 12345) % 2147483648; return scale * (seed / 2147483648 - 0.5); });
  const close = (a: Float32Array, b: Float32Array, what: string): string | undefined => {
    let d = 0, s = 0;
    for (let i = 0; i < b.length; i++) { d = Math.max(d, Math.abs(a[i]! - b[i]!) || (Number.isNaN(a[i]) ? Infinity : 0)); s = Math.max(s, Math.abs(b[i]!)); }
    return d <= 1e-4 * Math.max(s, 1) ? undefined : `${what} differs from the reference by ${d.toExponential(2)}`;
  };
  const [M, N, K] = [37, 19, 300];
  for (const ta of [false, true]) for (const tb of [false, true]) {
    const A = fill(M * K), B = fill(K * N), C = fill(M * N);
    const C2 = C.slice();
    ref.gemm(ta, tb, M, N, K, A, B, C, true);
    k.gemm(ta, tb, M, N, K, A, B, C2, true);
    const bad = close(C2, C, `gemm(${ta}, ${tb})`);
    if (bad) return bad;
  }
  const [b, h] = [3, 21];
  const gates = fill(4 * b * h, 8), cPrev = fill(b * h), bias = fill(4 * h);
  const outs = [0, 1].map(() => ({ g: gates.slice(), c: new Float32Array(b * h), h: new Float32Array(b * h) }));
  ref.lstmForward(outs[0]!.g, bias, cPrev, outs[0]!.c, outs[0]!.h, b, h);
  k.lstmForward(outs[1]!.g, bias, cPrev, outs[1]!.c, outs[1]!.h, b, h);
  const bad = close(outs[1]!.g, outs[0]!.g, 'lstmForward gates') ?? close(outs[1]!.h, outs[0]!.h, 'lstmForward h');
  if (bad) return bad;
  const logits = fill(5 * 13, 10), targets = Int32Array.from([0, 12, 3, -100, 7]);
  const lossRef = ref.softmaxCrossEntropy(logits, targets, undefined, 5, 13, -100, 1);
  const loss = k.softmaxCrossEntropy(logits, targets, undefined, 5, 13, -100, 1);
  return Math.abs(loss - lossRef) <= 1e-4 * Math.max(1, Math.abs(lossRef)) ? undefined : `softmaxCrossEntropy ${loss} vs ${lossRef}`;
}
