/*
 * tinyedge: te_rounded_divide (fixed_point.h: TFLite's rounding, half away from zero) on four int32 lanes for
 * AArch64 NEON, through float64: the quotient of two integers below 2^31 in float64 is within 2^-22 / n of the true
 * one, closer than any non-integer quotient lies to an integer (1 / n), so FCVTZS truncates it as C's division does.
 */
#ifndef TINYEDGE_NEON_ROUNDED_DIVIDE_H
#define TINYEDGE_NEON_ROUNDED_DIVIDE_H

#include <arm_neon.h>

/* The divisor n as the lanes need it: n / 2 (the rounding) and n in float64. */
typedef struct {
  int32x4_t half;
  float64x2_t n;
} te_divisor;

static inline te_divisor te_divisor_of(int32_t n) {
  te_divisor d;
  d.half = vdupq_n_s32(n / 2);
  d.n = vdupq_n_f64((double)n);
  return d;
}

/* te_rounded_divide(acc[j], n) for the four lanes. */
static inline int32x4_t te_rounded_divide4(int32x4_t acc, te_divisor d) {
  const int32x4_t r = vaddq_s32(acc, vbslq_s32(vcgtq_s32(acc, vdupq_n_s32(0)), d.half, vnegq_s32(d.half)));
  const int64x2_t lo = vcvtq_s64_f64(vdivq_f64(vcvtq_f64_s64(vmovl_s32(vget_low_s32(r))), d.n));
  const int64x2_t hi = vcvtq_s64_f64(vdivq_f64(vcvtq_f64_s64(vmovl_high_s32(r)), d.n));
  return vmovn_high_s64(vmovn_s64(lo), hi);
}

#endif
