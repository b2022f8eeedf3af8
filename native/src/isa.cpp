/*
 * native/src/isa.cpp
 * One ISA build of the kernels: compiled once per ISA by native/build.mjs with its own flags and
 * RECUR_TABLE naming the table function (recurTableAvx512: -mavx512f -mavx512bw -mavx512dq
 * -mavx512vl -mavx2 -mfma -DRECUR_AVX512; recurTableAvx2: -mavx2 -mfma -DRECUR_AVX2;
 * recurTableGeneric: the baseline). Everything but the table function has internal linkage, so
 * the builds never share a symbol; the addon calls the table of the widest ISA the CPU has.
 */
#include "isa.h"
#include "table.h"

#ifndef RECUR_TABLE
#error "RECUR_TABLE names this build's table function"
#endif
#ifndef RECUR_NAME
#error "RECUR_NAME names this build"
#endif

namespace {
#include "gemm.inc"
#include "pointwise.inc"
#include "misc.inc"
#include "sequence.inc"
#include "sequence-gru.inc"

/** The peak probe: 12 independent chains of vector multiply-adds (enough to fill two FMA units
 *  of 4 cycles' latency), registers only. */
double fmaLoop(long n) {
  vf a[12];
  for (int r = 0; r < 12; r++) a[r] = splat(1.0f + r * 1e-3f);
  const vf b = splat(0.999999f), c = splat(1e-6f);
  for (long i = 0; i < n; i++) {
#pragma GCC unroll 12
    for (int r = 0; r < 12; r++) a[r] = a[r] * b + c;
  }
  vf s = {};
  for (int r = 0; r < 12; r++) s += a[r];
  volatile float sink = s[0];
  (void)sink;
  return 2.0 * 12 * VL * (double)n;
}

const KernelTable table = {
  RECUR_NAME, NR, MR, KC, VL,
  gemmImpl, packedSize, packAll,
  fillRows, addRowSums, add, activationForward, activationBackward,
  lstmForward, lstmBackward, gruAfterForward, gruAfterBackward,
  gruBeforeGates, gruBeforeOutput, gruBeforeOutputBackward, gruBeforeGatesBackward,
  oneHotProject, oneHotProjectBackward, softmaxCrossEntropy,
  {rnnSeqForward, rnnSeqBackward, lstmSeqForward, lstmSeqBackward, gruAfterSeqForward, gruAfterSeqBackward,
   gruBeforeSeqForward, gruBeforeSeqBackward, residualSeqForward, residualSeqBackward},
  fmaLoop,
};
}  // namespace

extern "C" const KernelTable* RECUR_TABLE() { return &table; }
