/*
 * tinyedge: TFLite's fixed-point arithmetic (gemmlowp), the one set of formulas every int8 kernel uses.
 * Bit-exact with compiler/arith/fixed-point.ts. Requires arithmetic right shift of negative int32, which every
 * compiler tinyedge targets (gcc, clang, arm-none-eabi-gcc) provides.
 */
#ifndef TINYEDGE_FIXED_POINT_H
#define TINYEDGE_FIXED_POINT_H

#include <stdint.h>

static inline int32_t te_clamp(int32_t x, int32_t lo, int32_t hi) {
  return x < lo ? lo : x > hi ? hi : x;
}

/* round(2·a·b / 2^32) with ties away from zero; INT32_MIN × INT32_MIN saturates. */
/* Whether every one of n per-channel shifts is a right shift (≤ −1): then every lane of a layer's requantization
   rounds, and the vector forms drop the left shift and the fixup's mask (arm_requantize.h, mve_requantize.h). */
static inline int te_right_shifts_only(const int32_t *shift, int32_t n) {
  int32_t j;
  for (j = 0; j < n; j++)
    if (shift[j] >= 0) return 0;
  return 1;
}

static inline int32_t te_srdhm(int32_t a, int32_t b) {
  int64_t ab;
  int32_t nudge;
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  ab = (int64_t)a * (int64_t)b;
  nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  return (int32_t)((ab + nudge) / ((int64_t)1 << 31)); /* C division truncates, as gemmlowp's does */
}

/* x / 2^exponent rounded half away from zero, exponent in 0..31. */
static inline int32_t te_rdbpot(int32_t x, int exponent) {
  const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/*
 * TFLite MultiplyByQuantizedMultiplier (double rounding): x · m · 2^(shift − 31), for m ≥ 0 as QuantizeMultiplier
 * makes it (so the INT32_MIN × INT32_MIN case of te_srdhm cannot occur). Written without branches so compilers
 * vectorize loops of it; equal to te_rdbpot(te_srdhm(x << left, m), right).
 */
static inline int32_t te_mbqm(int32_t x, int32_t m, int32_t shift) {
  const int32_t left = shift > 0 ? shift : 0;
  const int32_t right = shift > 0 ? 0 : -shift;
  /* The left shift wraps like the reference's int32 multiply (only add uses it, and it never overflows). */
  const int64_t ab = (int64_t)(int32_t)((uint32_t)x << left) * (int64_t)m;
  /* gemmlowp's (ab + nudge) / 2^31, nudge 2^30 or 1 − 2^30 by sign, with truncating division, equals
     floor((ab + 2^30) / 2^31) for either sign: one add and an arithmetic shift instead of a 64-bit division, which
     32-bit cores (Cortex-M) would otherwise do in a library call. */
  const int32_t high = (int32_t)((ab + ((int64_t)1 << 30)) >> 31);
  const int32_t mask = (int32_t)(((int64_t)1 << right) - 1);
  const int32_t threshold = (mask >> 1) + (high < 0 ? 1 : 0);
  return (high >> right) + ((high & mask) > threshold ? 1 : 0);
}

/*
 * TFLite's MultiplyByQuantizedMultiplier for an int64 x (the 16×8 MAC kernels with int64 accumulators): the
 * multiplier rounded to Q15, then one rounding shift, x·round(m/2^16)·2^(shift − 15). |x| < 2^47 keeps the product
 * below 2^62. The result stays int64 (TFLite narrows it to int32 first; the reference clamps it as it is).
 */
static inline int64_t te_mbqm64(int64_t x, int32_t m, int32_t shift) {
  const int64_t reduced = m < 0x7FFF0000 ? (m + (1 << 15)) >> 16 : 0x7FFF;
  const int total = 15 - shift;
  return (x * reduced + ((int64_t)1 << (total - 1))) >> total;
}

/* Requantizes a block of per-channel accumulators: y[j] = clamp(mbqm(acc[j], m[j], shift[j]) + output_offset). */
static inline void te_requantize_channels(const int32_t *acc, int32_t len, const int32_t *m, const int32_t *shift,
                                          int32_t output_offset, int32_t act_min, int32_t act_max, int8_t *y) {
  int32_t j;
  for (j = 0; j < len; j++) y[j] = (int8_t)te_clamp(te_mbqm(acc[j], m[j], shift[j]) + output_offset, act_min, act_max);
}

/* Count of leading zero bits of a non-zero x. */
static inline int te_clz32(uint32_t x) {
#if defined(__GNUC__)
  return __builtin_clz(x);
#else
  int n = 0;
  while (!(x & 0x80000000u)) {
    x <<= 1;
    n++;
  }
  return n;
#endif
}

/* acc / n rounded half away from zero, with C's truncating division: TFLite's average pooling and mean. */
static inline int32_t te_rounded_divide(int32_t acc, int32_t n) {
  return (acc > 0 ? acc + n / 2 : acc - n / 2) / n;
}

#endif
