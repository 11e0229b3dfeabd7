/*
 * tinyedge: the reciprocal of an int8 softmax row's sum of exponentials (TFLite's GetReciprocal, gemmlowp's
 * one_over_one_plus_x_for_x_in_0_1), shared by kernels/ref/softmax.c and the ISA folders' softmax kernels, so every
 * folder rescales a row by the same scale and shift.
 */
#ifndef TINYEDGE_SOFTMAX_RECIPROCAL_H
#define TINYEDGE_SOFTMAX_RECIPROCAL_H

#include <stdint.h>
#include "fixed_point.h"

/* gemmlowp SaturatingRoundingMultiplyByPOT for exponent in 1..30: x * 2^exponent, saturating. */
static inline int32_t te_saturating_shl(int32_t x, int exponent) {
  const int32_t threshold = (int32_t)((1u << (31 - exponent)) - 1u);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (int32_t)((uint32_t)x << exponent);
}

/* gemmlowp one_over_one_plus_x_for_x_in_0_1: 1/(1 + a) in Q0.31 for a in [0, 1) as Q0.31, by three
   Newton-Raphson steps on Q2.29 from 48/17 - 32/17 * d, d = (1 + a)/2. */
static inline int32_t te_one_over_one_plus_x(int32_t a) {
  const int32_t half_denominator = (int32_t)(((int64_t)a + INT32_MAX + 1) / 2); /* RoundingHalfSum(a, 1.0), a >= 0 */
  int32_t x = 1515870810 + te_srdhm(half_denominator, -1010580540);
  int i;
  for (i = 0; i < 3; i++) x += te_saturating_shl(te_srdhm(x, (1 << 29) - te_srdhm(half_denominator, x)), 2);
  return te_saturating_shl(x, 1); /* Q2.29 halved is Q1.30 (same bits), then to Q0.31 */
}

/* A row's output scale: y = clamp(rdbpot(srdhm(scale, exp) , exponent) − 128) for each exp of the row. */
typedef struct {
  int32_t scale;
  int exponent;
} te_softmax_reciprocal;

/* From the row's Q12.19 sum: sum = (1 + f) · 2^(12 − headroom_plus_one), scale = 1/(1 + f). */
static inline te_softmax_reciprocal te_softmax_reciprocal_of(int32_t sum) {
  const int headroom_plus_one = te_clz32((uint32_t)sum);
  te_softmax_reciprocal r;
  r.scale = te_one_over_one_plus_x((int32_t)(((uint32_t)sum << headroom_plus_one) & 0x7fffffffu));
  r.exponent = 12 - headroom_plus_one + 31 - 8;
  return r;
}

#endif
