/**
 * @module kernels/wasm/heap
 * The wasm backend's memory and its allocator, both on the JS side (the module itself never
 * allocates). One WebAssembly.Memory, shared where SharedArrayBuffer exists: growing a shared memory
 * does not detach the views already handed out (each growth gives `memory.buffer` a new, longer
 * SharedArrayBuffer over the same bytes), so `alloc` can grow it at any time, and worker threads can
 * later run kernels on the same memory. Without SharedArrayBuffer the memory is an ordinary one,
 * created at its full size up front: growing it would detach every array, so running out of it
 * throws a RecurError that says to ask for a larger `memoryMiB`.
 *
 * Blocks are 64-byte aligned and a multiple of 64 bytes; free blocks sit in an address-ordered list
 * (first fit, neighbours coalesced on free). Addresses are byte offsets into the memory.
 */
import { RecurError } from '../../errors.js';

const PAGE = 65536;
const ALIGN = 64;
/** wasm32's limit: 65536 pages of 64 KiB = 4 GiB. */
export const MAX_PAGES = 65536;

const round = (bytes: number): number => Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);

export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  /** The newest `memory.buffer`; views made before a growth keep older buffer objects. */
  buffer: ArrayBufferLike;
  /** Every buffer object views have been made on (shared memory: one per size it has had). */
  private readonly buffers: ArrayBufferLike[];
  private readonly freeStart: number[] = [];
  private readonly freeSize: number[] = [];
  private readonly live = new Map<number, number>(); // address → block bytes
  private end: number; // bytes in the memory

  /** `base`: the first address the allocator may use (above the module's static data). */
  constructor(memory: WebAssembly.Memory, shared: boolean, base: number) {
    this.memory = memory;
    this.shared = shared;
    this.buffer = memory.buffer;
    this.buffers = [this.buffer];
    this.end = memory.buffer.byteLength;
    const start = round(Math.max(base, ALIGN));
    this.freeStart.push(start);
    this.freeSize.push(this.end - start);
  }

  /** Whether a typed array's buffer is this memory (before or after any growth). */
  owns(buffer: ArrayBufferLike): boolean {
    if (buffer === this.buffer) return true;
    for (let i = 0; i < this.buffers.length; i++) if (this.buffers[i] === buffer) return true;
    return false;
  }

  /** Bytes currently allocated. */
  get used(): number {
    let n = 0;
    for (const s of this.live.values()) n += s;
    return n;
  }

  /** A block of at least `bytes`, not zeroed; its address. */
  allocBytes(bytes: number): number {
    const need = round(bytes);
    for (;;) {
      for (let i = 0; i < this.freeStart.length; i++) {
        const size = this.freeSize[i]!;
        if (size < need) continue;
        const at = this.freeStart[i]!;
        if (size === need) {
          this.freeStart.splice(i, 1);
          this.freeSize.splice(i, 1);
        } else {
          this.freeStart[i] = at + need;
          this.freeSize[i] = size - need;
        }
        this.live.set(at, need);
        return at;
      }
      this.grow(need);
    }
  }

  /** Give back a block from allocBytes. */
  freeBytes(at: number): void {
    const size = this.live.get(at);
    if (size === undefined) throw new RecurError(`wasm kernels: free of an array that alloc did not return (or that was already freed), at byte ${at}`);
    this.live.delete(at);
    this.insertFree(at, size);
  }

  /** A zero-filled Float32Array of `length` floats in this memory. */
  alloc(length: number): Float32Array {
    if (!Number.isInteger(length) || length < 0) throw new RecurError(`alloc: expected a length ≥ 0, got ${length}`);
    const at = this.allocBytes(length * 4);
    const a = new Float32Array(this.buffer, at, length);
    a.fill(0);
    return a;
  }

  /** Add [at, at+size) to the free list, merged with the blocks it touches. */
  private insertFree(at: number, size: number): void {
    const starts = this.freeStart;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! < at) lo = mid + 1;
      else hi = mid;
    }
    const prev = lo - 1;
    if (prev >= 0 && starts[prev]! + this.freeSize[prev]! === at) {
      this.freeSize[prev]! += size;
      if (lo < starts.length && at + size === starts[lo]) {
        this.freeSize[prev]! += this.freeSize[lo]!;
        starts.splice(lo, 1);
        this.freeSize.splice(lo, 1);
      }
    } else if (lo < starts.length && at + size === starts[lo]) {
      starts[lo] = at;
      this.freeSize[lo]! += size;
    } else {
      starts.splice(lo, 0, at);
      this.freeSize.splice(lo, 0, size);
    }
  }

  /** Make room for a block of `need` bytes at the end of memory. */
  private grow(need: number): void {
    const last = this.freeStart.length - 1;
    const tail = last >= 0 && this.freeStart[last]! + this.freeSize[last]! === this.end ? this.freeSize[last]! : 0;
    const pages = this.end / PAGE;
    const minPages = Math.ceil((need - tail) / PAGE);
    if (!this.shared) {
      throw new RecurError(`wasm kernels: out of memory (${mib(this.used)} MiB in use of ${mib(this.end)} MiB, ${mib(need)} MiB more asked for); ` +
        'this runtime has no SharedArrayBuffer, so the memory cannot grow without invalidating the arrays already allocated: ' +
        'load the kernels with a larger memoryMiB');
    }
    if (pages + minPages > MAX_PAGES) {
      throw new RecurError(`wasm kernels: out of memory: ${mib(need)} MiB more asked for with ${mib(this.used)} MiB in use; wasm32 memory cannot exceed 4096 MiB`);
    }
    // at least a quarter more each time, so that many small allocations grow it rarely
    const delta = Math.min(MAX_PAGES - pages, Math.max(minPages, Math.ceil(pages / 4)));
    this.memory.grow(delta);
    const oldEnd = this.end;
    this.buffer = this.memory.buffer;
    this.buffers.push(this.buffer);
    this.end = this.buffer.byteLength;
    this.insertFree(oldEnd, this.end - oldEnd);
  }
}

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
