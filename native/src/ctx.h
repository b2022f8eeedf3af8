/*
 * native/src/ctx.h
 * One loaded backend (a `create` call from JS): the ISA table it runs, its thread pool, when calls
 * are cut between threads, and the buffer the fused recurrences pack their weights into. Its
 * functions are N-API callbacks with the Ctx as their data; Args reads their arguments.
 */
#pragma once
#include <node_api.h>
#include "pool.h"
#include "table.h"

struct Ctx {
  const KernelTable* t;
  Pool* pool;
  double gemmFlops = 1 << 18;  // a gemm is cut between threads when 2·M·N·K ≥ this
  double elements = 1 << 13;   // a row-wise kernel when its elements ≥ this
  double parallelCalls = 0;    // calls cut so far
  Scratch pack{nullptr, 0};    // the fused recurrences' packed weights (the calling thread's)
};

/** Chunks of whole `unit`s of `total` to cut a call of `work` into: 1 below threshold or without workers. */
int ways(Ctx* c, double work, double threshold, long total, long unit, int perThread);

/** A callback's arguments. Typed arrays come as pointers to their first element (in place: no copy). */
struct Args {
  napi_env env;
  napi_value v[24];
  size_t n = 24;
  Ctx* ctx = nullptr;
  bool fail = false;
  Args(napi_env e, napi_callback_info info);
  float* f(size_t i);         // a Float32Array
  float* fo(size_t i);        // a Float32Array, or null/undefined (nullptr)
  int32_t* ix(size_t i);      // an Int32Array
  int32_t* ixo(size_t i);     // an Int32Array, or null/undefined
  int i(size_t k);
  double d(size_t k);
  void error(const char* msg);
};

/** Register the kernel functions on obj, each with ctx as its data. */
void defineOps(napi_env env, napi_value obj, Ctx* ctx);
