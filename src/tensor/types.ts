/**
 * @module tensor/types
 * Every numeric routine in recur is generic over the float array it runs on: float32 for speed,
 * float64 so that gradients can be checked by finite differences.
 */
/**
 * The arrays recur computes on: Float32Array (the fast backends) or Float64Array (the js kernels,
 * for gradient checks).
 */
export type FloatArray = Float32Array | Float64Array;

/** The element type of a FloatArray: 'float32' or 'float64'. */
export type DType = 'float32' | 'float64';

/** A new zero-filled array of the given dtype. */
export function allocFloat(dtype: DType, length: number): FloatArray {
  return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

export function dtypeOf(a: FloatArray): DType {
  return a instanceof Float32Array ? 'float32' : 'float64';
}
