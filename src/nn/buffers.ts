/**
 * @module nn/buffers
 * A layer's workspace: arrays in the backend's memory, allocated for one shape and reused by every
 * call of that shape (no allocation per step), given back when the shape changes.
 */
import type { Kernels } from '../kernels/types.js';
import type { FloatArray } from '../tensor/types.js';

export class Workspace {
  private key = '';
  private arrays: FloatArray[] = [];

  constructor(private readonly k: () => Kernels) {}

  /** Arrays of the given lengths, the same ones as last time when `key` (the shape) is unchanged. */
  get(key: string, lengths: readonly number[]): FloatArray[] {
    if (key === this.key && this.arrays.length === lengths.length) return this.arrays;
    const k = this.k();
    for (const a of this.arrays) k.free(a);
    this.arrays = lengths.map((n) => k.alloc(n));
    this.key = key;
    return this.arrays;
  }
}

/** Rows R and features F of a (…, F) value: every leading dimension counts as rows. */
export function rowsOf(shape: readonly number[]): number {
  let r = 1;
  for (let i = 0; i < shape.length - 1; i++) r *= shape[i]!;
  return r;
}
