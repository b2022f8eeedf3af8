/**
 * @module kernels/native/check
 * What every native kernel call checks before it hands its arrays to the addon, which trusts them:
 * Float32Arrays at least as long as the shapes say, indices in range. A mistake is a RecurError
 * naming the kernel and the argument, never a read or write past an array.
 */
import { RecurError } from '../../errors.js';
import type { FloatArray } from '../../tensor/types.js';
import type { Activation } from '../types.js';

function describe(a: unknown): string {
  if (a instanceof Float32Array || a instanceof Float64Array || a instanceof Int32Array) {
    return `a ${a.constructor.name} of ${a.length}`;
  }
  return a === undefined ? 'undefined' : a === null ? 'null' : typeof a;
}

/** a, when it is a Float32Array of at least n values. */
export function f32(a: FloatArray, n: number, what: string): Float32Array {
  if (a instanceof Float32Array && a.length >= n) return a;
  throw new RecurError(`native kernels: ${what}: expected a Float32Array of at least ${n} values, got ${describe(a)}`);
}

/** f32 for an optional array: null (the addon's "none") when it is absent. */
export function opt(a: FloatArray | undefined, n: number, what: string): Float32Array | null {
  return a === undefined ? null : f32(a, n, what);
}

/** idx, when it is an Int32Array of at least R values each in 0..I−1. */
export function indices(idx: Int32Array, R: number, I: number, what: string): Int32Array {
  if (!(idx instanceof Int32Array) || idx.length < R) {
    throw new RecurError(`native kernels: ${what}: expected indices as an Int32Array of at least ${R} values, got ${describe(idx)}`);
  }
  for (let r = 0; r < R; r++) {
    const v = idx[r]!;
    if (!(v >= 0 && v < I)) throw new RecurError(`native kernels: ${what}: index ${v} at row ${r} is outside 0..${I - 1}`);
  }
  return idx;
}

/** targets, when an Int32Array of at least R values each in 0..V−1 or the ignore index. */
export function targetsOf(targets: Int32Array, R: number, V: number, ignoreIndex: number): Int32Array {
  if (!(targets instanceof Int32Array) || targets.length < R) {
    throw new RecurError(`native kernels: softmaxCrossEntropy: expected targets as an Int32Array of at least ${R} values, got ${describe(targets)}`);
  }
  for (let r = 0; r < R; r++) {
    const y = targets[r]!;
    if (y !== ignoreIndex && !(y >= 0 && y < V)) {
      throw new RecurError(`native kernels: softmaxCrossEntropy: target ${y} at row ${r} is outside 0..${V - 1} and is not the ignore index ${ignoreIndex}`);
    }
  }
  return targets;
}

/** lengths, when an Int32Array of at least B values (rows are active at steps t < lengths[b]). */
export function lengthsOf(lengths: Int32Array | undefined, B: number): Int32Array | null {
  if (lengths === undefined) return null;
  if (!(lengths instanceof Int32Array) || lengths.length < B) {
    throw new RecurError(`native kernels: sequence lengths: expected an Int32Array of at least ${B} values, got ${describe(lengths)}`);
  }
  return lengths;
}

/** The addon's code of an activation: 0 tanh, 1 relu, 2 identity. */
export function activationCode(f: Activation): number {
  const code = f === 'tanh' ? 0 : f === 'relu' ? 1 : f === 'identity' ? 2 : -1;
  if (code < 0) throw new RecurError(`native kernels: activation: expected tanh, relu or identity, got ${String(f)}`);
  return code;
}
