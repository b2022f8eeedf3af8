/**
 * @module kernels/native/addon
 * Loading the native addon (native/src, built by `npm run build:native` into
 * dist/native/recur-<platform>-<arch>.node and shipped in the package): Node only, found beside
 * this module's compiled file (dist/src/kernels/native → dist/native) through `require`. Browsers
 * never get this far (the caller checks for Node first), and the Node modules are imported by
 * computed specifiers that bundlers leave alone. What the addon's functions take is checked by
 * kernels/native/kernels before every call.
 */

/** The CPU features the addon reports. */
export interface NativeCpu {
  avx2: boolean;
  avx512: boolean;
  arch: string;
}

/** One `create`d backend of the addon: its functions work in place on the typed arrays given. */
export interface NativeOps {
  readonly isa: string;
  readonly threads: number;
  readonly lanes: number;
  readonly mr: number;
  readonly nr: number;
  readonly kc: number;
  dispose(): void;
  split(gemmFlops: number, elements: number): void;
  parallelCalls(): number;
  peak(): { gflops: number; ghz: number };
  gemm(ta: number, tb: number, M: number, N: number, K: number, A: Float32Array, B: Float32Array,
       C: Float32Array, acc: number): void;
  fillRows(out: Float32Array, v: Float32Array, R: number, N: number): void;
  addRowSums(out: Float32Array, A: Float32Array, R: number, N: number): void;
  add(out: Float32Array, a: Float32Array, b: Float32Array, n: number): void;
  activationForward(f: number, z: Float32Array, b: Float32Array | null, B: number, H: number): void;
  activationBackward(f: number, dz: Float32Array, dh: Float32Array, a: Float32Array, n: number): void;
  lstmForward(...a: (Float32Array | number | null)[]): void;
  lstmBackward(...a: (Float32Array | number)[]): void;
  gruAfterForward(...a: (Float32Array | number | null)[]): void;
  gruAfterBackward(...a: (Float32Array | number)[]): void;
  gruBeforeGates(...a: (Float32Array | number | null)[]): void;
  gruBeforeOutput(...a: (Float32Array | number | null)[]): void;
  gruBeforeOutputBackward(...a: (Float32Array | number)[]): void;
  gruBeforeGatesBackward(...a: (Float32Array | number)[]): void;
  oneHotProject(out: Float32Array, idx: Int32Array, W: Float32Array, b: Float32Array | null, R: number, N: number,
                I: number): void;
  oneHotProjectBackward(dW: Float32Array, dOut: Float32Array, idx: Int32Array, R: number, N: number, I: number): void;
  softmaxCrossEntropy(logits: Float32Array, targets: Int32Array, dLogits: Float32Array | null, R: number, V: number,
                      ignoreIndex: number, scale: number): number;
  sequence(op: number, f: number, xh: number, w: Float32Array | null, bias: Float32Array | null,
           lens: Int32Array | null, B: number, H: number, T: number, reverse: number, ...arrays: Float32Array[]): void;
}

/** The addon's module. */
export interface NativeAddon {
  cpu(): NativeCpu;
  create(isa: string, threads: number): NativeOps;
}

let loaded: Promise<NativeAddon | string> | undefined;

/** The addon, or why it cannot load here (one line). Loaded once per process. */
export function loadAddon(): Promise<NativeAddon | string> {
  loaded ??= load();
  return loaded;
}

async function load(): Promise<NativeAddon | string> {
  const p = (globalThis as { process?: { versions?: { node?: string }; platform?: string; arch?: string } }).process;
  if (typeof p?.versions?.node !== 'string') return 'not Node (the native backend is a Node addon)';
  const file = `recur-${p.platform}-${p.arch}.node`;
  try {
    const specifier = 'node:module';
    const mod = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as {
      createRequire(url: string): (id: string) => unknown;
    };
    return mod.createRequire(import.meta.url)(`../../../native/${file}`) as NativeAddon;
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0] ?? '';
    return /Cannot find module/.test(msg)
      ? `no native build for ${p.platform}-${p.arch} (dist/native/${file}: npm run build:native builds it with g++)`
      : `dist/native/${file} did not load: ${msg}`;
  }
}
