/*
 * native/src/addon.cpp
 * The Node-API module (src/kernels/native loads it):
 *
 *   cpu()                 → { avx2, avx512, arch }: what this CPU runs
 *   create(isa, threads)  → the kernels on the table of `isa` ('auto': the widest the CPU has;
 *                           'avx512', 'avx2', 'generic' exactly, or an error) and `threads` threads:
 *                           an object with { isa, threads, lanes, mr, nr, kc } and the functions of
 *                           ops.cpp, plus dispose() (ends the worker threads) and split(gemmFlops, elements).
 *
 * The functions work on the memory of the typed arrays they are given (napi_get_typedarray_info):
 * JS and the kernels share it, nothing is copied. They run synchronously on the calling thread,
 * which the worker threads join for calls worth cutting; no worker ever calls into JS.
 */
#include <cstring>
#include <ctime>
#include <string>
#include "ctx.h"

Args::Args(napi_env e, napi_callback_info info) : env(e) {
  void* data = nullptr;
  napi_get_cb_info(e, info, &n, v, nullptr, &data);
  ctx = static_cast<Ctx*>(data);
}

void Args::error(const char* msg) {
  if (!fail) napi_throw_type_error(env, nullptr, msg);
  fail = true;
}

static void* typed(Args* a, size_t i, napi_typedarray_type want, bool optional) {
  if (i >= a->n) {
    if (!optional) a->error("recur native: missing argument");
    return nullptr;
  }
  napi_valuetype vt;
  napi_typeof(a->env, a->v[i], &vt);
  if (optional && (vt == napi_null || vt == napi_undefined)) return nullptr;
  bool is = false;
  napi_is_typedarray(a->env, a->v[i], &is);
  napi_typedarray_type t;
  size_t len;
  void* data = nullptr;
  if (!is || napi_get_typedarray_info(a->env, a->v[i], &t, &len, &data, nullptr, nullptr) != napi_ok || t != want) {
    a->error(want == napi_float32_array ? "recur native: expected a Float32Array" : "recur native: expected an Int32Array");
    return nullptr;
  }
  return data;
}

float* Args::f(size_t i) { return static_cast<float*>(typed(this, i, napi_float32_array, false)); }
float* Args::fo(size_t i) { return static_cast<float*>(typed(this, i, napi_float32_array, true)); }
int32_t* Args::ix(size_t i) { return static_cast<int32_t*>(typed(this, i, napi_int32_array, false)); }
int32_t* Args::ixo(size_t i) { return static_cast<int32_t*>(typed(this, i, napi_int32_array, true)); }
int Args::i(size_t k) {
  int32_t x = 0;
  if (k >= n || napi_get_value_int32(env, v[k], &x) != napi_ok) error("recur native: expected a number");
  return x;
}
double Args::d(size_t k) {
  double x = 0;
  if (k >= n || napi_get_value_double(env, v[k], &x) != napi_ok) error("recur native: expected a number");
  return x;
}

int ways(Ctx* c, double work, double threshold, long total, long unit, int perThread) {
  const int threads = c->pool->threads();
  if (threads <= 1 || work < threshold) return 1;
  long most = (long)threads * perThread;
  if (most > 256) most = 256;
  if (total / unit < most) most = total / unit;
  if (most <= 1) return 1;
  const long chunk = (total + most * unit - 1) / (most * unit) * unit;
  return (int)((total + chunk - 1) / chunk);
}

static bool has(const char* feature) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (!strcmp(feature, "avx2")) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (!strcmp(feature, "avx512")) {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }
#endif
  (void)feature;
  return false;
}

static const KernelTable* tableFor(const std::string& isa) {
#if defined(__x86_64__)
  if (isa == "avx512" || (isa == "auto" && has("avx512"))) return has("avx512") ? recurTableAvx512() : nullptr;
  if (isa == "avx2" || (isa == "auto" && has("avx2"))) return has("avx2") ? recurTableAvx2() : nullptr;
#endif
  if (isa == "generic" || isa == "auto") return recurTableGeneric();
  return nullptr;
}

static napi_value boolean(napi_env env, bool b) {
  napi_value v;
  napi_get_boolean(env, b, &v);
  return v;
}

static napi_value cpu(napi_env env, napi_callback_info) {
  napi_value o, arch;
  napi_create_object(env, &o);
  napi_set_named_property(env, o, "avx2", boolean(env, has("avx2")));
  napi_set_named_property(env, o, "avx512", boolean(env, has("avx512")));
#if defined(__x86_64__)
  napi_create_string_utf8(env, "x64", NAPI_AUTO_LENGTH, &arch);
#elif defined(__aarch64__)
  napi_create_string_utf8(env, "arm64", NAPI_AUTO_LENGTH, &arch);
#else
  napi_create_string_utf8(env, "other", NAPI_AUTO_LENGTH, &arch);
#endif
  napi_set_named_property(env, o, "arch", arch);
  return o;
}

static void finalize(napi_env, void* data, void*) {
  Ctx* c = static_cast<Ctx*>(data);
  delete c->pool;
  std::free(c->pack.p);
  delete c;
}

static napi_value dispose(napi_env env, napi_callback_info info) {
  Args a(env, info);
  delete a.ctx->pool;
  a.ctx->pool = new Pool(0);
  return nullptr;
}

static napi_value split(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const double g = a.d(0), e = a.d(1);
  if (a.fail) return nullptr;
  a.ctx->gemmFlops = g;
  a.ctx->elements = e;
  return nullptr;
}

static napi_value parallelCalls(napi_env env, napi_callback_info info) {
  Args a(env, info);
  napi_value v;
  napi_create_double(env, a.ctx->parallelCalls, &v);
  return v;
}

static void setNumber(napi_env env, napi_value o, const char* name, double x);

static double threadSeconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

/** The clock: a chain of dependent integer additions (one per cycle), in this thread's CPU time. */
static double clockGHz() {
#if defined(__x86_64__)
  const long n = 50000000;
  long x = 0;
  const double t0 = threadSeconds();
  for (long i = 0; i < n; i++) {
    __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                     "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
  }
  return 8.0 * n / (threadSeconds() - t0) / 1e9;
#else
  return 0;
#endif
}

/** peak() → { gflops, ghz }: one thread's multiply-add rate (the fmaLoop probe) and clock, both in
 *  this thread's CPU time, so that other processes on the machine do not lower them. */
static napi_value peak(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const long n = 20000000;
  a.ctx->t->fmaLoop(n / 10);  // warm up (the clock rises)
  const double t0 = threadSeconds();
  const double flops = a.ctx->t->fmaLoop(n);
  const double gflops = flops / (threadSeconds() - t0) / 1e9;
  napi_value o;
  napi_create_object(env, &o);
  setNumber(env, o, "gflops", gflops);
  setNumber(env, o, "ghz", clockGHz());
  return o;
}

static void setNumber(napi_env env, napi_value o, const char* name, double x) {
  napi_value v;
  napi_create_double(env, x, &v);
  napi_set_named_property(env, o, name, v);
}

static void setFn(napi_env env, napi_value o, const char* name, napi_callback cb, void* data) {
  napi_value f;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, data, &f);
  napi_set_named_property(env, o, name, f);
}

static napi_value create(napi_env env, napi_callback_info info) {
  Args a(env, info);
  char isa[32] = {0};
  size_t len = 0;
  if (a.n < 2 || napi_get_value_string_utf8(env, a.v[0], isa, sizeof isa, &len) != napi_ok) {
    a.error("recur native: create(isa, threads)");
    return nullptr;
  }
  const int threads = a.i(1);
  if (a.fail) return nullptr;
  const KernelTable* t = tableFor(isa);
  if (!t) {
    std::string msg = std::string("recur native: this CPU cannot run the ") + isa + " kernels";
    napi_throw_error(env, nullptr, msg.c_str());
    return nullptr;
  }
  Ctx* c = new Ctx();
  c->t = t;
  c->pool = new Pool(threads > 1 ? threads - 1 : 0);
  napi_value o, name;
  napi_create_object(env, &o);
  napi_wrap(env, o, c, finalize, nullptr, nullptr);
  napi_create_string_utf8(env, t->name, NAPI_AUTO_LENGTH, &name);
  napi_set_named_property(env, o, "isa", name);
  setNumber(env, o, "threads", c->pool->threads());
  setNumber(env, o, "lanes", t->lanes);
  setNumber(env, o, "mr", t->mr);
  setNumber(env, o, "nr", t->nr);
  setNumber(env, o, "kc", t->kc);
  setFn(env, o, "dispose", dispose, c);
  setFn(env, o, "split", split, c);
  setFn(env, o, "parallelCalls", parallelCalls, c);
  setFn(env, o, "peak", peak, c);
  defineOps(env, o, c);
  return o;
}

static napi_value init(napi_env env, napi_value exports) {
  setFn(env, exports, "cpu", cpu, nullptr);
  setFn(env, exports, "create", create, nullptr);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
