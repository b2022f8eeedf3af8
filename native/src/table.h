/*
 * native/src/table.h
 * What one ISA build of the kernels (isa.cpp, compiled per ISA) gives the addon: a table of
 * single-threaded functions on raw pointers. The addon (addon.cpp, ops.cpp) picks a table by CPU
 * feature and cuts calls between threads; each function works on any block of rows (or of C's
 * columns, for gemm) with the pointers moved, which is what the threads run.
 * Shapes and maths are those of src/kernels/types.ts; f is 0 tanh, 1 relu, 2 identity.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

/** A thread's growable scratch memory (64-byte aligned). */
struct Scratch {
  float* p;
  size_t cap;  // floats
};
/** At least `floats` floats of s (contents not kept when it grows). */
float* scratchGet(Scratch* s, size_t floats);

/** The fused recurrences' arguments (src/kernels/types.ts SequenceKernels): p[] the arrays in the
 *  order of the interface's parameters, w the recurrent weights, packed[] w in the gemm's packed
 *  layout for the per-step products (null where ldB = 1: those go to the matrix-vector path). */
struct SeqArgs {
  int f, xh;
  float* p[8];
  const float* w;
  const float* bias;
  const float* packed[2];
  const int32_t* lens;
  int B, H, T, ldB, reverse;
};

enum SeqOp {
  RNN_F, RNN_B, LSTM_F, LSTM_B, GRUA_F, GRUA_B, GRUB_F, GRUB_B, RES_F, RES_B, SEQ_OPS
};

struct KernelTable {
  const char* name;
  int nr, mr, kc, lanes;
  /** C (M,N) (+)= op(A) op(B); vec: the matrix-vector path is allowed (decided on the whole call:
   *  M = 1 or N = 1), so that a block of a call gets the bits it gets inside the whole call. */
  void (*gemm)(int ta, int tb, int M, int N, int K, const float* a, long lda, const float* b, long ldb,
               float* c, long ldc, int acc, int vec, Scratch* s);
  /** Floats of a K×N operand in packed panels; pack R[k,j] = r[k·rks + j·rjs] into them. */
  size_t (*packedSize)(int K, int N);
  void (*pack)(float* dst, const float* r, long rks, long rjs, int K, int N);
  void (*fillRows)(float* out, const float* v, int R, int N);
  void (*addRowSums)(float* out, const float* A, int R, int N);
  void (*add)(float* out, const float* a, const float* b, long n);
  void (*activationForward)(int f, float* z, const float* b, int B, int H);
  void (*activationBackward)(int f, float* dz, const float* dh, const float* a, long n);
  void (*lstmForward)(float* gates, const float* bHh, const float* cPrev, float* c, float* h, int B, int H);
  void (*lstmBackward)(float* dGates, float* dcPrev, const float* dh, const float* dc, const float* gates,
                       const float* c, const float* cPrev, int B, int H);
  void (*gruAfterForward)(float* gates, const float* hw, const float* bHh, const float* hPrev, float* h,
                          float* hn, int B, int H);
  void (*gruAfterBackward)(float* dXw, float* dHw, float* dhPrev, const float* dh, const float* gates,
                           const float* hn, const float* hPrev, int B, int H);
  void (*gruBeforeGates)(float* gates, const float* hwRz, const float* bHh, const float* hPrev, float* rh,
                         int B, int H);
  void (*gruBeforeOutput)(float* gates, const float* hwN, const float* bHh, const float* hPrev, float* h,
                          int B, int H);
  void (*gruBeforeOutputBackward)(float* dGates, float* dHwN, float* dhPrev, const float* dh,
                                  const float* gates, const float* hPrev, int B, int H);
  void (*gruBeforeGatesBackward)(float* dGates, float* dHwRz, float* dhPrev, const float* dRh,
                                 const float* gates, const float* hPrev, int B, int H);
  /** out rows ldo floats apart (a block of N columns of a wider out), W rows I floats apart. */
  void (*oneHotProject)(float* out, long ldo, const int32_t* idx, const float* W, const float* b, int R, int N,
                        int I, Scratch* s);
  void (*oneHotProjectBackward)(float* dW, const float* dOut, long ldo, const int32_t* idx, int R, int N, int I,
                                Scratch* s);
  double (*softmaxCrossEntropy)(const float* logits, const int32_t* targets, float* dLogits, int R, int V,
                                int ignoreIndex, double scale);
  void (*sequence[SEQ_OPS])(const SeqArgs* a, Scratch* s);
  /** n rounds of 12 independent vector multiply-adds (no memory): the FLOPs done (the peak's probe). */
  double (*fmaLoop)(long n);
};

extern "C" const KernelTable* recurTableGeneric();
extern "C" const KernelTable* recurTableAvx2();
extern "C" const KernelTable* recurTableAvx512();
