/**
 * @module kernels/js
 * The reference backend: plain TypeScript, generic over float32 and float64. It defines what every
 * other backend must compute, and with float64 it is what the finite-difference checks run on.
 */
import { allocFloat, type DType } from '../../tensor/types.js';
import type { Kernels } from '../types.js';
import { gemm } from './gemm.js';
import { add, addRowSums, fillRows, oneHotProject, oneHotProjectBackward, softmaxCrossEntropy } from './misc.js';
import * as pw from './pointwise.js';

/**
 * The plain TypeScript kernels, the reference every backend must agree with: one thread,
 * Float32Array or Float64Array (`dtype`), nothing to load or dispose.
 */
export function jsKernels(dtype: DType = 'float32'): Kernels {
  return {
    name: 'js',
    dtype,
    threads: 1,
    alloc: (length) => allocFloat(dtype, length),
    free: () => {},
    gemm,
    fillRows,
    addRowSums,
    add,
    softmaxCrossEntropy,
    oneHotProject,
    oneHotProjectBackward,
    activationForward: pw.activationForward,
    activationBackward: pw.activationBackward,
    lstmForward: pw.lstmForward,
    lstmBackward: pw.lstmBackward,
    gruAfterForward: pw.gruAfterForward,
    gruAfterBackward: pw.gruAfterBackward,
    gruBeforeGates: pw.gruBeforeGates,
    gruBeforeOutput: pw.gruBeforeOutput,
    gruBeforeOutputBackward: pw.gruBeforeOutputBackward,
    gruBeforeGatesBackward: pw.gruBeforeGatesBackward,
  };
}
