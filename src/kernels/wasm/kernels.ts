/**
 * @module kernels/wasm/kernels
 * The Kernels interface over the wasm module's exports. Each call turns its arrays into addresses:
 *
 *   fast path   a Float32Array whose buffer is the module's memory (from alloc, or a subarray of
 *               one) is passed as its byteOffset: no copy, no allocation.
 *   slow path   any other Float32Array (or Int32Array of targets) is copied, whole, into a block of
 *               wasm memory for the call; arrays the kernel writes are copied back afterwards and
 *               the blocks freed. Correct, but it costs a copy each way and a block per array.
 *               The same array object passed twice (in place) shares one block; distinct views
 *               that overlap in the same foreign buffer are not supported.
 *   errors      a Float64Array, or an array shorter than the shapes say, is a RecurError.
 */
import { RecurError } from '../../errors.js';
import type { FloatArray } from '../../tensor/types.js';
import type { Activation, Kernels } from '../types.js';
import type { WasmExports } from './exports.js';
import type { WasmHeap } from './heap.js';

type Flavor = 'wasm-relaxed-simd' | 'wasm-simd';
type Foreign = Float32Array | Int32Array;

export class WasmKernels implements Kernels {
  readonly name: Flavor;
  readonly dtype = 'float32' as const;
  readonly module: WebAssembly.Module;
  readonly exports: WasmExports;
  readonly heap: WasmHeap;
  /** The scratch block of this thread's gemm calls (exports.gemmScratchBytes() bytes). */
  readonly gemmScratch: number;
  private view: Float32Array;
  // the current call's slow-path copies
  private pending = 0;
  private readonly pendArr: Foreign[] = [];
  private readonly pendAt: number[] = [];
  private readonly pendLen: number[] = [];
  private readonly pendOut: boolean[] = [];

  constructor(name: Flavor, module: WebAssembly.Module, exports: WasmExports, heap: WasmHeap) {
    this.name = name;
    this.module = module;
    this.exports = exports;
    this.heap = heap;
    this.gemmScratch = heap.allocBytes(exports.gemmScratchBytes());
    this.view = new Float32Array(heap.buffer);
  }

  alloc = (length: number): Float32Array => this.heap.alloc(length);

  free = (a: FloatArray): void => {
    if (this.heap.owns(a.buffer)) this.heap.freeBytes(a.byteOffset);
  };

  gemm = (transA: boolean, transB: boolean, M: number, N: number, K: number,
          A: FloatArray, B: FloatArray, C: FloatArray, accumulate: boolean): void => {
    const a = this.at(A, M * K, false, 'gemm A');
    const b = this.at(B, K * N, false, 'gemm B');
    const c = this.at(C, M * N, true, 'gemm C');
    this.exports.gemm(transA ? 1 : 0, transB ? 1 : 0, M, N, K, a, transA ? M : K, b, transB ? K : N, c, N,
                      accumulate ? 1 : 0, this.gemmScratch);
    if (this.pending !== 0) this.finish();
  };

  fillRows = (out: FloatArray, v: FloatArray, R: number, N: number): void => {
    const o = this.at(out, R * N, true, 'fillRows out');
    this.exports.fillRows(o, this.at(v, N, false, 'fillRows v'), R, N);
    if (this.pending !== 0) this.finish();
  };

  addRowSums = (out: FloatArray, A: FloatArray, R: number, N: number): void => {
    const o = this.at(out, N, true, 'addRowSums out');
    this.exports.addRowSums(o, this.at(A, R * N, false, 'addRowSums A'), R, N);
    if (this.pending !== 0) this.finish();
  };

  add = (out: FloatArray, a: FloatArray, b: FloatArray, n: number): void => {
    const o = this.at(out, n, true, 'add out');
    this.exports.add(o, this.at(a, n, false, 'add a'), this.at(b, n, false, 'add b'), n);
    if (this.pending !== 0) this.finish();
  };

  activationForward = (f: Activation, z: FloatArray, b: FloatArray | undefined, B: number, H: number): void => {
    const code = this.activation(f);
    const zz = this.at(z, B * H, true, 'activationForward z');
    this.exports.activationForward(code, zz, this.opt(b, H, 'activationForward b'), B, H);
    if (this.pending !== 0) this.finish();
  };

  activationBackward = (f: Activation, dz: FloatArray, dh: FloatArray, a: FloatArray, n: number): void => {
    const code = this.activation(f);
    const d = this.at(dz, n, true, 'activationBackward dz');
    this.exports.activationBackward(code, d, this.at(dh, n, false, 'activationBackward dh'),
                                    this.at(a, n, false, 'activationBackward a'), n);
    if (this.pending !== 0) this.finish();
  };

  lstmForward = (gates: FloatArray, bHh: FloatArray | undefined, cPrev: FloatArray, c: FloatArray, h: FloatArray,
                 B: number, H: number): void => {
    const BH = B * H;
    this.exports.lstmForward(this.at(gates, 4 * BH, true, 'lstmForward gates'), this.opt(bHh, 4 * H, 'lstmForward bHh'),
      this.at(cPrev, BH, false, 'lstmForward cPrev'), this.at(c, BH, true, 'lstmForward c'),
      this.at(h, BH, true, 'lstmForward h'), B, H);
    if (this.pending !== 0) this.finish();
  };

  lstmBackward = (dGates: FloatArray, dcPrev: FloatArray, dh: FloatArray, dc: FloatArray, gates: FloatArray,
                  c: FloatArray, cPrev: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    this.exports.lstmBackward(this.at(dGates, 4 * BH, true, 'lstmBackward dGates'),
      this.at(dcPrev, BH, true, 'lstmBackward dcPrev'), this.at(dh, BH, false, 'lstmBackward dh'),
      this.at(dc, BH, false, 'lstmBackward dc'), this.at(gates, 4 * BH, false, 'lstmBackward gates'),
      this.at(c, BH, false, 'lstmBackward c'), this.at(cPrev, BH, false, 'lstmBackward cPrev'), B, H);
    if (this.pending !== 0) this.finish();
  };

  gruAfterForward = (gates: FloatArray, hw: FloatArray, bHh: FloatArray | undefined, hPrev: FloatArray,
                     h: FloatArray, hn: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    this.exports.gruAfterForward(this.at(gates, 3 * BH, true, 'gruAfterForward gates'),
      this.at(hw, 3 * BH, false, 'gruAfterForward hw'), this.opt(bHh, 3 * H, 'gruAfterForward bHh'),
      this.at(hPrev, BH, false, 'gruAfterForward hPrev'), this.at(h, BH, true, 'gruAfterForward h'),
      this.at(hn, BH, true, 'gruAfterForward hn'), B, H);
    if (this.pending !== 0) this.finish();
  };

  gruAfterBackward = (dXw: FloatArray, dHw: FloatArray, dhPrev: FloatArray, dh: FloatArray, gates: FloatArray,
                      hn: FloatArray, hPrev: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    this.exports.gruAfterBackward(this.at(dXw, 3 * BH, true, 'gruAfterBackward dXw'),
      this.at(dHw, 3 * BH, true, 'gruAfterBackward dHw'), this.at(dhPrev, BH, true, 'gruAfterBackward dhPrev'),
      this.at(dh, BH, false, 'gruAfterBackward dh'), this.at(gates, 3 * BH, false, 'gruAfterBackward gates'),
      this.at(hn, BH, false, 'gruAfterBackward hn'), this.at(hPrev, BH, false, 'gruAfterBackward hPrev'), B, H);
    if (this.pending !== 0) this.finish();
  };

  gruBeforeGates = (gates: FloatArray, hwRz: FloatArray, bHh: FloatArray | undefined, hPrev: FloatArray,
                    rh: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    this.exports.gruBeforeGates(this.at(gates, 3 * BH, true, 'gruBeforeGates gates'),
      this.at(hwRz, 2 * BH, false, 'gruBeforeGates hwRz'), this.opt(bHh, 3 * H, 'gruBeforeGates bHh'),
      this.at(hPrev, BH, false, 'gruBeforeGates hPrev'), this.at(rh, BH, true, 'gruBeforeGates rh'), B, H);
    if (this.pending !== 0) this.finish();
  };

  gruBeforeOutput = (gates: FloatArray, hwN: FloatArray, bHh: FloatArray | undefined, hPrev: FloatArray,
                     h: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    this.exports.gruBeforeOutput(this.at(gates, 3 * BH, true, 'gruBeforeOutput gates'),
      this.at(hwN, BH, false, 'gruBeforeOutput hwN'), this.opt(bHh, 3 * H, 'gruBeforeOutput bHh'),
      this.at(hPrev, BH, false, 'gruBeforeOutput hPrev'), this.at(h, BH, true, 'gruBeforeOutput h'), B, H);
    if (this.pending !== 0) this.finish();
  };

  gruBeforeOutputBackward = (dGates: FloatArray, dHwN: FloatArray, dhPrev: FloatArray, dh: FloatArray,
                             gates: FloatArray, hPrev: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    this.exports.gruBeforeOutputBackward(this.at(dGates, 3 * BH, true, 'gruBeforeOutputBackward dGates'),
      this.at(dHwN, BH, true, 'gruBeforeOutputBackward dHwN'), this.at(dhPrev, BH, true, 'gruBeforeOutputBackward dhPrev'),
      this.at(dh, BH, false, 'gruBeforeOutputBackward dh'), this.at(gates, 3 * BH, false, 'gruBeforeOutputBackward gates'),
      this.at(hPrev, BH, false, 'gruBeforeOutputBackward hPrev'), B, H);
    if (this.pending !== 0) this.finish();
  };

  gruBeforeGatesBackward = (dGates: FloatArray, dHwRz: FloatArray, dhPrev: FloatArray, dRh: FloatArray,
                            gates: FloatArray, hPrev: FloatArray, B: number, H: number): void => {
    const BH = B * H;
    this.exports.gruBeforeGatesBackward(this.at(dGates, 3 * BH, true, 'gruBeforeGatesBackward dGates'),
      this.at(dHwRz, 2 * BH, true, 'gruBeforeGatesBackward dHwRz'), this.at(dhPrev, BH, true, 'gruBeforeGatesBackward dhPrev'),
      this.at(dRh, BH, false, 'gruBeforeGatesBackward dRh'), this.at(gates, 3 * BH, false, 'gruBeforeGatesBackward gates'),
      this.at(hPrev, BH, false, 'gruBeforeGatesBackward hPrev'), B, H);
    if (this.pending !== 0) this.finish();
  };

  softmaxCrossEntropy = (logits: FloatArray, targets: Int32Array, dLogits: FloatArray | undefined, R: number,
                         V: number, ignoreIndex: number, scale: number): number => {
    if (!(targets instanceof Int32Array) || targets.length < R) {
      this.fail(`softmaxCrossEntropy: expected targets as an Int32Array of at least ${R} values`);
    }
    for (let r = 0; r < R; r++) {
      const y = targets[r]!;
      if (y !== ignoreIndex && !(y >= 0 && y < V)) {
        this.fail(`softmaxCrossEntropy: target ${y} at row ${r} is outside 0..${V - 1} and is not the ignore index ${ignoreIndex}`);
      }
    }
    const l = this.at(logits, R * V, false, 'softmaxCrossEntropy logits');
    const t = this.heap.owns(targets.buffer) ? targets.byteOffset : this.copyIn(targets, false);
    const d = dLogits ? this.at(dLogits, R * V, true, 'softmaxCrossEntropy dLogits') : 0;
    const loss = this.exports.softmaxCrossEntropy(l, t, d, R, V, ignoreIndex, scale);
    if (this.pending !== 0) this.finish();
    return loss;
  };

  // ---------------------------------------------------------------------------------------------

  /** The address of `a`'s first float for a kernel that uses n of them (and writes them if `out`). */
  private at(a: FloatArray, n: number, out: boolean, what: string): number {
    if (a.buffer === this.heap.buffer && a instanceof Float32Array && a.length >= n) return a.byteOffset;
    return this.atSlow(a, n, out, what);
  }

  private atSlow(a: FloatArray, n: number, out: boolean, what: string): number {
    if (!(a instanceof Float32Array)) {
      this.fail(`${what}: the ${this.name} kernels compute in float32, got a ${a?.constructor?.name ?? typeof a}`);
    }
    if (a.length < n) this.fail(`${what}: expected at least ${n} values, got ${a.length}`);
    if (this.heap.owns(a.buffer)) return a.byteOffset;
    return this.copyIn(a, out);
  }

  private opt(a: FloatArray | undefined, n: number, what: string): number {
    return a === undefined ? 0 : this.at(a, n, false, what);
  }

  private activation(f: Activation): number {
    const code = f === 'tanh' ? 0 : f === 'relu' ? 1 : f === 'identity' ? 2 : -1;
    if (code < 0) this.fail(`activation: expected tanh, relu or identity, got ${String(f)}`);
    return code;
  }

  /** Slow path: a block of wasm memory holding a copy of the whole of `a`. */
  private copyIn(a: Foreign, out: boolean): number {
    for (let i = 0; i < this.pending; i++) {
      const p = this.pendArr[i]!;
      if (p === a || (p.buffer === a.buffer && p.byteOffset === a.byteOffset && p.length === a.length &&
                      p.constructor === a.constructor)) {
        if (out) this.pendOut[i] = true;
        return this.pendAt[i]!;
      }
    }
    let at: number;
    try {
      at = this.heap.allocBytes(a.length * 4);
    } catch (e) {
      this.release();
      throw e;
    }
    const i = this.pending++;
    this.pendArr[i] = a;
    this.pendAt[i] = at;
    this.pendLen[i] = a.length;
    this.pendOut[i] = out;
    this.refreshView();
    if (a instanceof Float32Array) this.view.set(a, at >>> 2);
    else new Int32Array(this.heap.buffer, at, a.length).set(a);
    return at;
  }

  /** After the call: copy written arrays back, free the blocks. */
  private finish(): void {
    this.refreshView();
    for (let i = 0; i < this.pending; i++) {
      const at = this.pendAt[i]!;
      if (this.pendOut[i]) (this.pendArr[i] as Float32Array).set(this.view.subarray(at >>> 2, (at >>> 2) + this.pendLen[i]!));
      this.heap.freeBytes(at);
      this.pendArr[i] = this.view; // drop the reference
    }
    this.pending = 0;
  }

  /** Release the call's blocks and throw. */
  private fail(message: string): never {
    this.release();
    throw new RecurError(message);
  }

  private release(): void {
    for (let i = 0; i < this.pending; i++) this.heap.freeBytes(this.pendAt[i]!);
    this.pending = 0;
  }

  private refreshView(): void {
    if (this.view.buffer !== this.heap.buffer) this.view = new Float32Array(this.heap.buffer);
  }
}
