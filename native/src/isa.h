/*
 * native/src/isa.h
 * The vector type of one ISA build and the vectorized float32 exp, sigmoid and tanh (after Cephes'
 * expf and tanhf, as wasm/math.ts). Included only by isa.cpp, which is compiled once per ISA with its
 * own -m flags (native/build.mjs): RECUR_AVX512 (16 lanes), RECUR_AVX2 (8 lanes, FMA), else the
 * baseline (4 lanes: SSE2 on x86-64, NEON on arm64). No C++ library header is included here: an
 * inline function instantiated in two ISA builds could be merged by the linker into one copy
 * compiled for the wider ISA.
 *
 * Every lane is computed by the same instructions whether the vector is full or a zero-padded tail
 * (ldn/stn), so an element's bits do not depend on its position in a row: a block of rows gives the
 * same results as those rows inside a larger call, which the fused-vs-step and threads checks need.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(RECUR_AVX512)
#define VL 16
#define MR 12
#elif defined(RECUR_AVX2)
#define VL 8
#define MR 6
#else
#define VL 4
#define MR 6
#endif
/** Register tile of the gemm: MR rows × NR = 2 vectors of columns. */
#define NR (2 * VL)
/** The k block of the gemm: every element of C is a chain of multiply-adds over k in order, restarted
 *  at each multiple of KC (the same in every tiling, orientation and thread split of this build). */
#define KC 256

typedef float vf __attribute__((vector_size(VL * 4)));
typedef int32_t vi __attribute__((vector_size(VL * 4)));

static inline vf ld(const float* p) { vf v; __builtin_memcpy(&v, p, sizeof v); return v; }
static inline void st(float* p, vf v) { __builtin_memcpy(p, &v, sizeof v); }
/** The first n < VL floats at p, the other lanes 0. */
static inline vf ldn(const float* p, int n) {
  vf v = {};
  for (int i = 0; i < n; i++) v[i] = p[i];
  return v;
}
static inline void stn(float* p, vf v, int n) { for (int i = 0; i < n; i++) p[i] = v[i]; }
/** n floats at p (n ≤ VL), or 0 when p is null. */
static inline vf ldz(const float* p, int n) { return p ? (n == VL ? ld(p) : ldn(p, n)) : vf{}; }
static inline vf lda(const float* p, int n) { return n == VL ? ld(p) : ldn(p, n); }
static inline void sta(float* p, vf v, int n) { if (n == VL) st(p, v); else stn(p, v, n); }
static inline vf splat(float x) {
  vf v;
  for (int i = 0; i < VL; i++) v[i] = x;
  return v;
}
static inline int imin(int a, int b) { return a < b ? a : b; }
static inline long lmin(long a, long b) { return a < b ? a : b; }

/** e^x, lane-wise; x clamped to [−87, 88] (NaN kept), so 2^n stays a normal float. */
static inline vf expv(vf x) {
  const vf hi = splat(88.0f), lo = splat(-87.0f);
  x = x > hi ? hi : x;
  x = x < lo ? lo : x;
  // x = n·ln2 + r, |r| ≤ ln2/2; t holds n + 127 in its low mantissa bits
  const vf shifter = splat(12583039.0f);  // 1.5·2^23 + 127
  vf t = x * 1.44269504088896341f + shifter;
  vf n = t - shifter;
  vf r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  // e^r ≈ 1 + r + r²·P(r)
  vf p = splat(1.9875691500e-4f) * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  vf e = (p * (r * r) + r) + 1.0f;
  // 2^n: the bits of n + 127 shifted into the exponent field
  return e * (vf)((vi)t << 23);
}

/** σ(x) = 1/(1 + e^−x) in the split form: 1/(1+e^−|x|) for x ≥ 0, e^−|x|/(1+e^−|x|) below. */
static inline vf sigmoidv(vf x) {
  vf e = expv((vf)((vi)x | (int32_t)0x80000000));
  vf s = 1.0f / (1.0f + e);
  return x >= 0.0f ? s : e * s;
}

/** tanh x: an odd polynomial for |x| < 0.625, else 1 − 2/(e^{2|x|} + 1) with x's sign. */
static inline vf tanhv(vf x) {
  vi sign = (vi)x & (int32_t)0x80000000;
  vf ax = (vf)((vi)x ^ sign);
  vf z = x * x;
  vf p = splat(-5.70498872745e-3f) * z + 2.06390887954e-2f;
  p = p * z + -5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z + -3.33332819422e-1f;
  vf small = (p * z) * x + x;
  vf e = expv(ax + ax);
  vf t = 1.0f - 2.0f / (e + 1.0f);
  vf big = (vf)((vi)t | sign);
  return ax < 0.625f ? small : big;
}
