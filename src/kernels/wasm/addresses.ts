/**
 * @module kernels/wasm/addresses
 * How a kernel call's arrays become addresses in the wasm memory:
 *
 *   fast path   a Float32Array whose buffer is the module's memory (from alloc, or a subarray of
 *               one) is passed as its byteOffset: no copy, no allocation.
 *   slow path   any other Float32Array (or Int32Array of indices) is copied, whole, into a block of
 *               wasm memory for the call; arrays the kernel writes are copied back by `done()` and
 *               the blocks freed. Correct, but it costs a copy each way and a block per array.
 *               The same array object passed twice (in place) shares one block; distinct views
 *               that overlap in the same foreign buffer are not supported.
 *   errors      a Float64Array, or an array shorter than the shapes say, is a RecurError (`fail`
 *               frees the call's blocks first).
 */
import { RecurError } from '../../errors.js';
import type { FloatArray } from '../../tensor/types.js';
import type { WasmHeap } from './heap.js';

type Foreign = Float32Array | Int32Array;

export class Addresses {
  private readonly heap: WasmHeap;
  /** The backend's name, for messages. */
  private readonly backend: string;
  private view: Float32Array;
  // the current call's slow-path copies
  private pending = 0;
  private readonly pendArr: Foreign[] = [];
  private readonly pendAt: number[] = [];
  private readonly pendLen: number[] = [];
  private readonly pendOut: boolean[] = [];

  constructor(heap: WasmHeap, backend: string) {
    this.heap = heap;
    this.backend = backend;
    this.view = new Float32Array(heap.buffer);
  }

  /** The address of `a`'s first float for a kernel that uses n of them (and writes them if `out`). */
  at(a: FloatArray, n: number, out: boolean, what: string): number {
    if (a.buffer === this.heap.buffer && a instanceof Float32Array && a.length >= n) return a.byteOffset;
    return this.atSlow(a, n, out, what);
  }

  /** `at` for an optional array: 0 (the kernels' "none") when it is absent. */
  opt(a: FloatArray | undefined, n: number, what: string): number {
    return a === undefined ? 0 : this.at(a, n, false, what);
  }

  /** The address of an Int32Array the kernel reads (indices, targets). */
  indices(a: Int32Array): number {
    return this.heap.owns(a.buffer) ? a.byteOffset : this.copyIn(a, false);
  }

  /** After the call: copy the arrays it wrote back, free the blocks. */
  done(): void {
    if (this.pending !== 0) this.finish();
  }

  /** Release the call's blocks and throw. */
  fail(message: string): never {
    this.release();
    throw new RecurError(message);
  }

  private atSlow(a: FloatArray, n: number, out: boolean, what: string): number {
    if (!(a instanceof Float32Array)) {
      this.fail(`${what}: the ${this.backend} kernels compute in float32, got a ${a?.constructor?.name ?? typeof a}`);
    }
    if (a.length < n) this.fail(`${what}: expected at least ${n} values, got ${a.length}`);
    if (this.heap.owns(a.buffer)) return a.byteOffset;
    return this.copyIn(a, out);
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

  private release(): void {
    for (let i = 0; i < this.pending; i++) this.heap.freeBytes(this.pendAt[i]!);
    this.pending = 0;
  }

  private refreshView(): void {
    if (this.view.buffer !== this.heap.buffer) this.view = new Float32Array(this.heap.buffer);
  }
}
