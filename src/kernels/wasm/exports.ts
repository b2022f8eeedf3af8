/**
 * @module kernels/wasm/exports
 * The kernel module's exports, as the AssemblyScript sources in wasm/ define them. Every pointer is
 * a byte address in the module's memory (0 = an absent optional array); flags are 0 or 1; lda, ldb,
 * ldc count floats. Shapes are those of the Kernels interface (kernels/types).
 */
export interface WasmExports {
  /** The first address above the module's static data. */
  heapBase(): number;
  /** 1 in the relaxed-SIMD build. */
  relaxed(): number;
  /** Bytes of scratch one gemm call needs (64-byte aligned, one per concurrent caller). */
  gemmScratchBytes(): number;
  /**
   * C (M,N) = op(A)·op(B) [+ C], leading dimensions in floats. A block C[i0:i1, j0:j1] is the call
   * with M = i1−i0, N = j1−j0, a + 4·(ta ? i0 : i0·lda), b + 4·(tb ? j0·ldb : j0), c + 4·(i0·ldc + j0):
   * how worker threads can split one product by rows or columns (each with its own scratch).
   */
  gemm(ta: number, tb: number, M: number, N: number, K: number, a: number, lda: number, b: number, ldb: number,
       c: number, ldc: number, acc: number, scratch: number): void;
  fillRows(out: number, v: number, R: number, N: number): void;
  addRowSums(out: number, A: number, R: number, N: number): void;
  add(out: number, a: number, b: number, n: number): void;
  /** f: 0 tanh, 1 relu, 2 identity. */
  activationForward(f: number, z: number, b: number, B: number, H: number): void;
  activationBackward(f: number, dz: number, dh: number, a: number, n: number): void;
  lstmForward(gates: number, bHh: number, cPrev: number, c: number, h: number, B: number, H: number): void;
  lstmBackward(dGates: number, dcPrev: number, dh: number, dc: number, gates: number, c: number, cPrev: number,
               B: number, H: number): void;
  gruAfterForward(gates: number, hw: number, bHh: number, hPrev: number, h: number, hn: number, B: number, H: number): void;
  gruAfterBackward(dXw: number, dHw: number, dhPrev: number, dh: number, gates: number, hn: number, hPrev: number,
                   B: number, H: number): void;
  gruBeforeGates(gates: number, hwRz: number, bHh: number, hPrev: number, rh: number, B: number, H: number): void;
  gruBeforeOutput(gates: number, hwN: number, bHh: number, hPrev: number, h: number, B: number, H: number): void;
  gruBeforeOutputBackward(dGates: number, dHwN: number, dhPrev: number, dh: number, gates: number, hPrev: number,
                          B: number, H: number): void;
  gruBeforeGatesBackward(dGates: number, dHwRz: number, dhPrev: number, dRh: number, gates: number, hPrev: number,
                         B: number, H: number): void;
  /** out (R,N), rows ldo floats apart, = W[:, idx[r]] + b; W (N,I); idx int32 (R); scratch ≥ I·64 bytes
   *  of scratchBytes (else a direct, unblocked loop). */
  oneHotProject(out: number, idx: number, w: number, b: number, R: number, N: number, I: number, scratch: number,
                scratchBytes: number, ldo: number): void;
  /** dW (N,I) += dOutᵀ · onehot(idx); dOut rows ldo floats apart. */
  oneHotProjectBackward(dW: number, dOut: number, idx: number, R: number, N: number, I: number, scratch: number,
                        scratchBytes: number, ldo: number): void;
  /** Whole recurrences over B rows of a batch of ldB (wasm/sequence; the shapes of SequenceKernels);
   *  lens: the block's per-row lengths (int32), 0 for none. */
  rnnSequenceForward(f: number, a: number, hs: number, wHh: number, bHh: number, B: number, H: number, T: number,
                     ldB: number, reverse: number, scratch: number,
    lens: number): void;
  rnnSequenceBackward(f: number, dz: number, a: number, dY: number, work: number, wHh: number, B: number, H: number,
                      T: number, ldB: number, reverse: number, scratch: number,
    lens: number): void;
  lstmSequenceForward(gates: number, hs: number, cs: number, wHh: number, bHh: number, B: number, H: number,
                      T: number, ldB: number, reverse: number, scratch: number,
    lens: number): void;
  lstmSequenceBackward(dGates: number, gates: number, cs: number, dY: number, work: number, wHh: number, B: number,
                       H: number, T: number, ldB: number, reverse: number, scratch: number,
    lens: number): void;
  gruAfterSequenceForward(gates: number, hw: number, hn: number, hs: number, wHh: number, bHh: number, B: number,
                          H: number, T: number, ldB: number, reverse: number, scratch: number,
    lens: number): void;
  gruAfterSequenceBackward(dXw: number, dHw: number, gates: number, hn: number, hs: number, dY: number, work: number,
                           wHh: number, B: number, H: number, T: number, ldB: number, reverse: number,
                           scratch: number,
    lens: number): void;
  gruBeforeSequenceForward(gates: number, hwRz: number, hwN: number, rh: number, hs: number, wHh: number, bHh: number,
                           B: number, H: number, T: number, ldB: number, reverse: number, scratch: number,
    lens: number): void;
  gruBeforeSequenceBackward(dXw: number, dHw: number, dHwN: number, gates: number, hs: number, dY: number,
                            work: number, wHh: number, B: number, H: number, T: number, ldB: number, reverse: number,
                            scratch: number,
    lens: number): void;
  residualSequenceForward(f: number, xh: number, a: number, hs: number, wHh: number, bHh: number, B: number, H: number,
                          T: number, ldB: number, reverse: number, scratch: number,
    lens: number): void;
  residualSequenceBackward(f: number, xh: number, dz: number, a: number, dY: number, work: number, wHh: number,
                           B: number, H: number, T: number, ldB: number, reverse: number, scratch: number,
    lens: number): void;
  /** targets: int32 (R). Returns the summed loss. */
  softmaxCrossEntropy(logits: number, targets: number, dLogits: number, R: number, V: number, ignoreIndex: number,
                      scale: number): number;
}
