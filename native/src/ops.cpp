/*
 * native/src/ops.cpp
 * The kernel functions the addon gives JS (argument order as src/kernels/types.ts, checked by
 * src/kernels/native/kernels.ts before the call), and how each is cut between threads: a gemm by
 * C's longer side (rows, or columns in whole 32-column blocks), the one-hot projection by blocks of
 * W's rows, the loss and the per-step cell kernels by rows, a fused recurrence by batch rows (each
 * thread runs the whole T-step loop on its rows: one fork/join per sequence). Every element is
 * computed by the same instructions whichever thread computes it (see gemm.inc), so a cut call gives
 * the bits of a whole one (the loss total aside: the chunks' sums are added in chunk order).
 */
#include <cstring>
#include "ctx.h"

namespace {

struct GemmJob {
  const KernelTable* t;
  int ta, tb, M, N, K, acc, vec, byRows, chunk;
  const float *a, *b;
  float* c;
  long lda, ldb, ldc;
};

void gemmChunk(void* p, int i, Scratch* s) {
  const GemmJob* j = static_cast<GemmJob*>(p);
  const int start = i * j->chunk;
  if (j->byRows) {
    const int m = j->M - start < j->chunk ? j->M - start : j->chunk;
    j->t->gemm(j->ta, j->tb, m, j->N, j->K, j->a + (j->ta ? start : start * j->lda), j->lda, j->b, j->ldb,
               j->c + start * j->ldc, j->ldc, j->acc, j->vec, s);
  } else {
    const int n = j->N - start < j->chunk ? j->N - start : j->chunk;
    j->t->gemm(j->ta, j->tb, j->M, n, j->K, j->a, j->lda, j->b + (j->tb ? start * j->ldb : start), j->ldb,
               j->c + start, j->ldc, j->acc, j->vec, s);
  }
}

napi_value gemm(napi_env env, napi_callback_info info) {
  Args a(env, info);
  GemmJob j;
  j.t = a.ctx->t;
  j.ta = a.i(0); j.tb = a.i(1); j.M = a.i(2); j.N = a.i(3); j.K = a.i(4);
  j.a = a.f(5); j.b = a.f(6); j.c = a.f(7); j.acc = a.i(8);
  if (a.fail) return nullptr;
  j.lda = j.ta ? j.M : j.K; j.ldb = j.tb ? j.K : j.N; j.ldc = j.N;
  j.vec = j.M == 1 || j.N == 1;
  j.byRows = j.N <= j.M;
  const long total = j.byRows ? j.M : j.N, unit = j.byRows ? 4 : 32;
  const int n = ways(a.ctx, 2.0 * j.M * j.N * j.K, a.ctx->gemmFlops, total, unit, 2);
  if (n <= 1) {
    j.t->gemm(j.ta, j.tb, j.M, j.N, j.K, j.a, j.lda, j.b, j.ldb, j.c, j.ldc, j.acc, j.vec, a.ctx->pool->callerScratch());
    return nullptr;
  }
  j.chunk = (int)((total + n - 1) / n);
  j.chunk = (j.chunk + unit - 1) / unit * unit;
  a.ctx->parallelCalls++;
  a.ctx->pool->run((int)((total + j.chunk - 1) / j.chunk), gemmChunk, &j);
  return nullptr;
}

/** A row-wise call: up to 8 pointer arguments, each moved by width·H floats per row. */
struct RowJob {
  int op, B, H, chunk, f;
  float* p[8];
  int width[8];
  int count;
  const float* bias;
  const KernelTable* t;
};

void rowChunk(void* q, int i, Scratch*) {
  const RowJob* j = static_cast<RowJob*>(q);
  const int start = i * j->chunk;
  const int n = j->B - start < j->chunk ? j->B - start : j->chunk;
  float* p[8];
  for (int k = 0; k < j->count; k++) p[k] = j->p[k] ? j->p[k] + (long)start * j->width[k] * j->H : nullptr;
  const KernelTable* t = j->t;
  const float* b = j->bias;
  const int H = j->H;
  switch (j->op) {
    case 0: t->lstmForward(p[0], b, p[1], p[2], p[3], n, H); break;
    case 1: t->lstmBackward(p[0], p[1], p[2], p[3], p[4], p[5], p[6], n, H); break;
    case 2: t->gruAfterForward(p[0], p[1], b, p[2], p[3], p[4], n, H); break;
    case 3: t->gruAfterBackward(p[0], p[1], p[2], p[3], p[4], p[5], p[6], n, H); break;
    case 4: t->gruBeforeGates(p[0], p[1], b, p[2], p[3], n, H); break;
    case 5: t->gruBeforeOutput(p[0], p[1], b, p[2], p[3], n, H); break;
    case 6: t->gruBeforeOutputBackward(p[0], p[1], p[2], p[3], p[4], p[5], n, H); break;
    case 7: t->gruBeforeGatesBackward(p[0], p[1], p[2], p[3], p[4], p[5], n, H); break;
    case 8: t->activationForward(j->f, p[0], b, n, H); break;
  }
}

/** The row widths (in H) of each cell kernel's arrays, the bias left out; -1 marks where the bias is. */
const int WIDTHS[9][8] = {
  {4, -1, 1, 1, 1}, {4, 1, 1, 1, 4, 1, 1}, {3, 3, -1, 1, 1, 1}, {3, 3, 1, 1, 3, 1, 1},
  {3, 2, -1, 1, 1}, {3, 1, -1, 1, 1}, {3, 1, 1, 1, 3, 1}, {3, 2, 1, 1, 3, 1}, {-2, 1, -1},
};
const int ARGC[9] = {5, 7, 6, 7, 5, 5, 6, 6, 3};

/** A cell kernel: its arrays, then B, H (activationForward: f first). */
napi_value cellOp(napi_env env, napi_callback_info info, int op) {
  Args a(env, info);
  RowJob j;
  j.op = op;
  j.t = a.ctx->t;
  j.bias = nullptr;
  j.count = 0;
  j.f = 0;
  const int argc = ARGC[op];
  for (int k = 0; k < argc; k++) {
    const int w = WIDTHS[op][k];
    if (w == -2) j.f = a.i(k);
    else if (w == -1) j.bias = a.fo(k);
    else {
      j.width[j.count] = w;
      j.p[j.count++] = a.f(k);
    }
  }
  j.B = a.i(argc);
  j.H = a.i(argc + 1);
  if (a.fail) return nullptr;
  int sum = 0;
  for (int k = 0; k < j.count; k++) sum += j.width[k];
  const int n = ways(a.ctx, (double)j.B * j.H * sum, a.ctx->elements, j.B, 1, 2);
  j.chunk = (j.B + n - 1) / (n > 0 ? n : 1);
  if (n <= 1) {
    j.chunk = j.B;
    rowChunk(&j, 0, nullptr);
  } else {
    a.ctx->parallelCalls++;
    a.ctx->pool->run((j.B + j.chunk - 1) / j.chunk, rowChunk, &j);
  }
  return nullptr;
}

#define CELL(name, op) napi_value name(napi_env env, napi_callback_info info) { return cellOp(env, info, op); }
CELL(lstmForward, 0)
CELL(lstmBackward, 1)
CELL(gruAfterForward, 2)
CELL(gruAfterBackward, 3)
CELL(gruBeforeGates, 4)
CELL(gruBeforeOutput, 5)
CELL(gruBeforeOutputBackward, 6)
CELL(gruBeforeGatesBackward, 7)
CELL(activationForward, 8)

napi_value fillRows(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float *out = a.f(0), *v = a.f(1);
  const int R = a.i(2), N = a.i(3);
  if (!a.fail) a.ctx->t->fillRows(out, v, R, N);
  return nullptr;
}

napi_value addRowSums(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float *out = a.f(0), *A = a.f(1);
  const int R = a.i(2), N = a.i(3);
  if (!a.fail) a.ctx->t->addRowSums(out, A, R, N);
  return nullptr;
}

napi_value add(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float *out = a.f(0), *x = a.f(1), *y = a.f(2);
  const double n = a.d(3);
  if (!a.fail) a.ctx->t->add(out, x, y, (long)n);
  return nullptr;
}

napi_value activationBackward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const int f = a.i(0);
  float *dz = a.f(1), *dh = a.f(2), *x = a.f(3);
  const double n = a.d(4);
  if (!a.fail) a.ctx->t->activationBackward(f, dz, dh, x, (long)n);
  return nullptr;
}

struct OneHotJob {
  const KernelTable* t;
  float* out;
  const float *W, *b, *dOut;
  const int32_t* idx;
  int R, N, I, chunk, back;
};

void oneHotChunk(void* p, int i, Scratch* s) {
  const OneHotJob* j = static_cast<OneHotJob*>(p);
  const int n0 = i * j->chunk, n = j->N - n0 < j->chunk ? j->N - n0 : j->chunk;
  if (j->back) j->t->oneHotProjectBackward(j->out + (long)n0 * j->I, j->dOut + n0, j->N, j->idx, j->R, n, j->I, s);
  else j->t->oneHotProject(j->out + n0, j->N, j->idx, j->W + (long)n0 * j->I, j->b ? j->b + n0 : nullptr, j->R, n, j->I, s);
}

napi_value oneHot(napi_env env, napi_callback_info info, bool back) {
  Args a(env, info);
  OneHotJob j{};
  j.t = a.ctx->t;
  j.back = back;
  j.out = a.f(0);
  if (back) {
    j.dOut = a.f(1); j.idx = a.ix(2); j.R = a.i(3); j.N = a.i(4); j.I = a.i(5);
  } else {
    j.idx = a.ix(1); j.W = a.f(2); j.b = a.fo(3); j.R = a.i(4); j.N = a.i(5); j.I = a.i(6);
  }
  if (a.fail) return nullptr;
  const int n = ways(a.ctx, (double)j.R * j.N, a.ctx->elements, j.N, 16, 2);
  j.chunk = n <= 1 ? j.N : ((j.N + n - 1) / n + 15) / 16 * 16;
  if (n <= 1) oneHotChunk(&j, 0, a.ctx->pool->callerScratch());
  else {
    a.ctx->parallelCalls++;
    a.ctx->pool->run((j.N + j.chunk - 1) / j.chunk, oneHotChunk, &j);
  }
  return nullptr;
}
napi_value oneHotProject(napi_env env, napi_callback_info info) { return oneHot(env, info, false); }
napi_value oneHotProjectBackward(napi_env env, napi_callback_info info) { return oneHot(env, info, true); }

struct LossJob {
  const KernelTable* t;
  const float* logits;
  const int32_t* targets;
  float* d;
  int R, V, ignore, chunk;
  double scale, sums[256];
};

void lossChunk(void* p, int i, Scratch*) {
  LossJob* j = static_cast<LossJob*>(p);
  const int r0 = i * j->chunk, n = j->R - r0 < j->chunk ? j->R - r0 : j->chunk;
  j->sums[i] = j->t->softmaxCrossEntropy(j->logits + (long)r0 * j->V, j->targets + r0,
                                         j->d ? j->d + (long)r0 * j->V : nullptr, n, j->V, j->ignore, j->scale);
}

napi_value softmaxCrossEntropy(napi_env env, napi_callback_info info) {
  Args a(env, info);
  LossJob j;
  j.t = a.ctx->t;
  j.logits = a.f(0); j.targets = a.ix(1); j.d = a.fo(2);
  j.R = a.i(3); j.V = a.i(4); j.ignore = a.i(5); j.scale = a.d(6);
  if (a.fail) return nullptr;
  const int n = ways(a.ctx, (double)j.R * j.V, a.ctx->elements, j.R, 1, 2);
  j.chunk = n <= 1 ? j.R : (j.R + n - 1) / n;
  const int chunks = n <= 1 ? 1 : (j.R + j.chunk - 1) / j.chunk;
  if (chunks <= 1) lossChunk(&j, 0, nullptr);
  else {
    a.ctx->parallelCalls++;
    a.ctx->pool->run(chunks, lossChunk, &j);
  }
  double total = 0;
  for (int i = 0; i < chunks; i++) total += j.sums[i];
  napi_value v;
  napi_create_double(env, total, &v);
  return v;
}

}  // namespace

napi_value sequence(napi_env env, napi_callback_info info);

void defineOps(napi_env env, napi_value o, Ctx* c) {
  const struct { const char* name; napi_callback cb; } fns[] = {
    {"gemm", gemm}, {"fillRows", fillRows}, {"addRowSums", addRowSums}, {"add", add},
    {"activationForward", activationForward}, {"activationBackward", activationBackward},
    {"lstmForward", lstmForward}, {"lstmBackward", lstmBackward},
    {"gruAfterForward", gruAfterForward}, {"gruAfterBackward", gruAfterBackward},
    {"gruBeforeGates", gruBeforeGates}, {"gruBeforeOutput", gruBeforeOutput},
    {"gruBeforeOutputBackward", gruBeforeOutputBackward}, {"gruBeforeGatesBackward", gruBeforeGatesBackward},
    {"oneHotProject", oneHotProject}, {"oneHotProjectBackward", oneHotProjectBackward},
    {"softmaxCrossEntropy", softmaxCrossEntropy}, {"sequence", sequence},
  };
  for (const auto& f : fns) {
    napi_value v;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, c, &v);
    napi_set_named_property(env, o, f.name, v);
  }
}
