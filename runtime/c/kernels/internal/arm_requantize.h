/*
 * tinyedge: MultiplyByQuantizedMultiplier on four lanes for AArch64 NEON and Armv8.1-M Helium, bit-exact with
 * te_mbqm (fixed_point.h). SRDHM is exactly VQRDMULH: (2ab + 2^31) >> 32 with saturation equals gemmlowp's
 * (ab ± 2^30) / 2^31 with truncation (both are floor((ab + 2^30) / 2^31)). The rounding right shift is VRSHL by a
 * negative per-lane amount, which rounds ties up; gemmlowp's fixup (subtract one from negative values first) makes
 * it round them away from zero, as RoundingDivideByPOT does. Per-lane left shifts (multipliers above one) are VSHL.
 */
#ifndef TINYEDGE_ARM_REQUANTIZE_H
#define TINYEDGE_ARM_REQUANTIZE_H

#include <stdint.h>
#include <string.h>
#include "fixed_point.h"
#if defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>
#define TE_LD32(p) vldrwq_s32(p)
#define TE_DUP32(v) vdupq_n_s32(v)
#else
#include <arm_neon.h>
#define TE_LD32(p) vld1q_s32(p)
#define TE_DUP32(v) vdupq_n_s32(v)
#endif

/* y[0..4) = clamp(mbqm(acc[j], m[j], shift[j]) + output_offset, act_min, act_max). */
static inline void te_requantize4(int32x4_t acc, const int32_t *m, const int32_t *shift, int32_t output_offset, int32_t act_min,
                                  int32_t act_max, int8_t *y) {
  const int32x4_t s = TE_LD32(shift);
  const int32x4_t right = vminq_s32(s, TE_DUP32(0));
  int32x4_t x = vqrdmulhq_s32(vshlq_s32(acc, vmaxq_s32(s, TE_DUP32(0))), TE_LD32(m));
  x = vrshlq_s32(vqaddq_s32(x, vshrq_n_s32(vandq_s32(x, right), 31)), right);
  x = vminq_s32(vmaxq_s32(vaddq_s32(x, TE_DUP32(output_offset)), TE_DUP32(act_min)), TE_DUP32(act_max));
#if defined(__ARM_FEATURE_MVE)
  vstrbq_s32(y, x);
#else
  {
    const int8x8_t bytes = vqmovn_s16(vcombine_s16(vqmovn_s32(x), vdup_n_s16(0)));
    const int32_t word = vget_lane_s32(vreinterpret_s32_s8(bytes), 0);
    memcpy(y, &word, 4);
  }
#endif
}

#if !defined(__ARM_FEATURE_MVE)
/* The requantization constants of four channels, loaded once and kept in registers while a tile's pixels use them. */
typedef struct {
  int32x4_t m, left, right;
} te_requant4;

static inline te_requant4 te_requant4_load(const int32_t *m, const int32_t *shift) {
  const int32x4_t s = vld1q_s32(shift);
  te_requant4 q;
  q.m = vld1q_s32(m);
  q.left = vmaxq_s32(s, vdupq_n_s32(0));
  q.right = vminq_s32(s, vdupq_n_s32(0));
  return q;
}

/* te_mbqm on four lanes (the argument at the top of this file). The fixup's add need not saturate: VQRDMULH by a
   multiplier below 2^31 never returns INT32_MIN, so x − 1 cannot wrap; one SSRA does it. */
static inline int32x4_t te_mbqm4(int32x4_t acc, te_requant4 q) {
  const int32x4_t x = vqrdmulhq_s32(vshlq_s32(acc, q.left), q.m);
  return vrshlq_s32(vsraq_n_s32(x, vandq_s32(x, q.right), 31), q.right);
}

/* Eight rescaled lanes plus the output offset as int8, saturating: every saturation is a clamp to a range holding
   [act_min, act_max], so clamping the int8 result afterwards equals clamping the exact int32 sum. */
static inline int8x8_t te_offset_narrow8(int32x4_t lo, int32x4_t hi, int16x8_t output_offset) {
  return vqmovn_s16(vqaddq_s16(vcombine_s16(vqmovn_s32(lo), vqmovn_s32(hi)), output_offset));
}

/* te_mbqm4 for a layer whose every channel shifts right (shift ≤ −1, `right` = shift): no left shift, and every lane
   rounds, so the fixup is one SSRA of x's own sign (no mask): three instructions instead of five. */
static inline int32x4_t te_mbqm4_right(int32x4_t acc, int32x4_t m, int32x4_t right) {
  const int32x4_t x = vqrdmulhq_s32(acc, m);
  return vrshlq_s32(vsraq_n_s32(x, x, 31), right);
}

/* te_offset_narrow8 on sixteen lanes: one int8 vector, the narrowing halves paired in SQXTN/SQXTN2. */
static inline int8x16_t te_offset_narrow16(int32x4_t a, int32x4_t b, int32x4_t c, int32x4_t d, int16x8_t output_offset) {
  const int16x8_t lo = vqaddq_s16(vqmovn_high_s32(vqmovn_s32(a), b), output_offset);
  const int16x8_t hi = vqaddq_s16(vqmovn_high_s32(vqmovn_s32(c), d), output_offset);
  return vqmovn_high_s16(vqmovn_s16(lo), hi);
}
#endif

/* te_requantize_channels (fixed_point.h) four lanes at a time, the last len % 4 channels scalar. */
static inline void te_requantize_channels4(const int32_t *acc, int32_t len, const int32_t *m, const int32_t *shift, int32_t output_offset,
                                           int32_t act_min, int32_t act_max, int8_t *y) {
  int32_t j;
  for (j = 0; j + 4 <= len; j += 4) te_requantize4(TE_LD32(acc + j), m + j, shift + j, output_offset, act_min, act_max, y + j);
  te_requantize_channels(acc + j, len - j, m + j, shift + j, output_offset, act_min, act_max, y + j);
}


#endif
