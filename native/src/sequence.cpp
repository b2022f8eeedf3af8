/*
 * native/src/sequence.cpp
 * `sequence(op, f, xh, w, bias, lens, B, H, T, reverse, ...arrays)`: a fused recurrence (SeqOp,
 * table.h; the arrays in the order of src/kernels/types.ts SequenceKernels). The calling thread
 * packs the recurrent weights once for the whole call (the per-step products then read them
 * packed), and the call is cut by batch rows as the wasm pool cuts it (src/kernels/wasm/sequence):
 * without lengths one block of rows per thread; with lengths blocks of 8 rows, about 4 per thread,
 * the calling thread taking blocks from the front and the workers from the back, which with rows
 * ordered by length (layers/recurrent-order: longest at both ends) gives them the same work.
 */
#include "ctx.h"

namespace {

/** Per op: how many arrays, and each one's row width in units of H. */
const int SEQ_ARRAYS[SEQ_OPS] = {2, 4, 3, 5, 4, 7, 5, 7, 2, 4};
const int SEQ_WIDTHS[SEQ_OPS][8] = {
  {1, 1}, {1, 1, 1, 1}, {4, 1, 1}, {4, 4, 1, 1, 1}, {3, 3, 1, 1}, {3, 3, 3, 1, 1, 1, 1},
  {3, 2, 1, 1, 1}, {3, 2, 1, 3, 1, 1, 1}, {1, 1}, {1, 1, 1, 1},
};
/** Gates per op (the products' size: 2·G·H² per row and step; 0: no product). */
const int SEQ_GATES[SEQ_OPS] = {1, 1, 4, 4, 3, 3, 3, 3, 1, 1};

/** A weight operand to pack: rows from `row` of W (H columns), K × N, transposed (forward: h·Wᵀ) or not. */
struct PackSpec {
  int row, K, N, trans;
};

/** The packed operands of each op (count, then up to two) for hidden size H. */
int packSpecs(int op, int H, PackSpec* s) {
  switch (op) {
    case RNN_F: case RES_F: s[0] = {0, H, H, 1}; return 1;
    case RNN_B: case RES_B: s[0] = {0, H, H, 0}; return 1;
    case LSTM_F: s[0] = {0, H, 4 * H, 1}; return 1;
    case LSTM_B: s[0] = {0, 4 * H, H, 0}; return 1;
    case GRUA_F: s[0] = {0, H, 3 * H, 1}; return 1;
    case GRUA_B: s[0] = {0, 3 * H, H, 0}; return 1;
    case GRUB_F: s[0] = {0, H, 2 * H, 1}; s[1] = {2 * H, H, H, 1}; return 2;
    case GRUB_B: s[0] = {2 * H, H, H, 0}; s[1] = {0, 2 * H, H, 0}; return 2;
  }
  return 0;
}

struct SeqJob {
  const KernelTable* t;
  SeqArgs base;
  int op, count, chunk;
};

void seqChunk(void* p, int i, Scratch* s) {
  const SeqJob* j = static_cast<SeqJob*>(p);
  SeqArgs q = j->base;
  const int start = i * j->chunk;
  q.B = j->base.B - start < j->chunk ? j->base.B - start : j->chunk;
  for (int k = 0; k < j->count; k++) q.p[k] += (long)start * SEQ_WIDTHS[j->op][k] * q.H;
  if (q.lens) q.lens += start;
  j->t->sequence[j->op](&q, s);
}

}  // namespace

napi_value sequence(napi_env env, napi_callback_info info) {
  Args a(env, info);
  SeqJob j{};
  j.t = a.ctx->t;
  j.op = a.i(0);
  if (a.fail) return nullptr;
  if (j.op < 0 || j.op >= SEQ_OPS) {
    a.error("recur native: no such sequence op");
    return nullptr;
  }
  SeqArgs& q = j.base;
  q.f = a.i(1);
  q.xh = a.i(2);
  q.w = a.fo(3);
  q.bias = a.fo(4);
  q.lens = a.ixo(5);
  q.B = a.i(6); q.H = a.i(7); q.T = a.i(8); q.reverse = a.i(9);
  q.ldB = q.B;
  j.count = SEQ_ARRAYS[j.op];
  for (int k = 0; k < j.count; k++) q.p[k] = a.f(10 + k);
  if (a.fail) return nullptr;
  const bool product = q.w && !((j.op == RES_F || j.op == RES_B) && !q.xh);
  if (product && q.ldB > 1) {
    PackSpec specs[2];
    const int n = packSpecs(j.op, q.H, specs);
    size_t sizes[2] = {0, 0}, total = 0;
    for (int k = 0; k < n; k++) total += sizes[k] = j.t->packedSize(specs[k].K, specs[k].N);
    float* dst = scratchGet(&a.ctx->pack, total);
    for (int k = 0; k < n; k++) {
      const float* src = q.w + (long)specs[k].row * q.H;
      // forward: R[k, j] = W[j, k] (rks 1, rjs H); backward: R[k, j] = W[k, j] (rks H, rjs 1)
      j.t->pack(dst, src, specs[k].trans ? 1 : q.H, specs[k].trans ? q.H : 1, specs[k].K, specs[k].N);
      q.packed[k] = dst;
      dst += sizes[k];
    }
  }
  double steps = (double)q.T * q.B;
  if (q.lens) {
    steps = 0;
    for (int b = 0; b < q.B; b++) steps += q.lens[b];
  }
  const double work = 2 * steps * (product ? SEQ_GATES[j.op] : 0) * q.H * q.H;
  const int n = q.lens ? ways(a.ctx, work, a.ctx->gemmFlops, q.B, 8, 4) : ways(a.ctx, work, a.ctx->gemmFlops, q.B, 1, 1);
  if (n <= 1) {
    j.t->sequence[j.op](&q, a.ctx->pool->callerScratch());
    return nullptr;
  }
  const int unit = q.lens ? 8 : 1;
  j.chunk = ((q.B + n - 1) / n + unit - 1) / unit * unit;
  a.ctx->parallelCalls++;
  a.ctx->pool->run((q.B + j.chunk - 1) / j.chunk, seqChunk, &j);
  return nullptr;
}
