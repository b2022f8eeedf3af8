/**
 * @module wasm/index
 * The module's exports (the entry file asc compiles, twice: with and without relaxed SIMD).
 * Every pointer is a byte address in the imported memory; a null pointer (0) stands for an absent
 * optional array (bias, dLogits). Nothing here allocates: the JS side owns all memory.
 */
export { gemm, gemmScratchBytes } from './gemm';
export { activationBackward, activationForward, add, addRowSums, fillRows } from './activation';
export { lstmBackward, lstmForward } from './lstm';
export {
  gruAfterBackward, gruAfterForward, gruBeforeGates, gruBeforeGatesBackward, gruBeforeOutput,
  gruBeforeOutputBackward,
} from './gru';
export { softmaxCrossEntropy } from './loss';
export {
  lstmSequenceBackward, residualSequenceBackward, residualSequenceForward, lstmSequenceForward, rnnSequenceBackward,
  rnnSequenceForward,
} from './sequence';
export {
  gruAfterSequenceBackward, gruAfterSequenceForward, gruBeforeSequenceBackward, gruBeforeSequenceForward,
} from './sequence-gru';
export { oneHotProject, oneHotProjectBackward } from './onehot';

/** The first byte after the module's static data: the JS allocator starts above it. */
export function heapBase(): usize {
  return __heap_base;
}

/** 1 when this build fuses multiply-adds with relaxed SIMD. */
export function relaxed(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
