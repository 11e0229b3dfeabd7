/*
 * tinyedge: Helium (MVE) requantization with a scalar multiplier and shift, for the arm-mve kernels whose four lanes
 * are four pixels of one output channel. Bit-exact with te_mbqm (fixed_point.h) by the argument of arm_requantize.h:
 * VQRDMULH is SRDHM; VRSHL by a negative amount after subtracting one from negative values is RoundingDivideByPOT.
 */
#ifndef TINYEDGE_MVE_REQUANTIZE_H
#define TINYEDGE_MVE_REQUANTIZE_H

#include <arm_mve.h>
#include <stdint.h>
#include "fixed_point.h"

#define TE_MVE_INLINE static inline __attribute__((always_inline))

/* {a, b, c, d}: two VMOVs of register pairs into lane pairs, which ACLE has no intrinsic for (gcc builds the vector
   with four lane moves or through the stack). */
TE_MVE_INLINE int32x4_t te_mve_lanes(int32_t a, int32_t b, int32_t c, int32_t d) {
  int32x4_t v;
  __asm__("vmov %q0[2], %q0[0], %1, %3\n\tvmov %q0[3], %q0[1], %2, %4" : "=w"(v) : "r"(a), "r"(b), "r"(c), "r"(d));
  return v;
}

/* clamp(mbqm(acc, m, shift) + output_offset, lo, hi) on four lanes sharing one channel's constants. */
TE_MVE_INLINE int32x4_t te_mve_requantize_n(int32x4_t acc, int32_t m, int32_t shift, int32_t output_offset, int32x4_t lo,
                                            int32x4_t hi) {
  if (shift > 0) acc = vshlq_r_s32(acc, shift);
  acc = vqrdmulhq_n_s32(acc, m);
  if (shift < 0) acc = vrshlq_n_s32(vqaddq_s32(acc, vshrq_n_s32(acc, 31)), shift);
  return vminq_s32(vmaxq_s32(vaddq_n_s32(acc, output_offset), lo), hi);
}

/* The same with per-lane constants, for layers whose every shift is negative (no left shift, always a rounding
   right shift): the common case, four instructions shorter than te_requantize4. */
TE_MVE_INLINE int32x4_t te_mve_requantize_right(int32x4_t acc, int32x4_t m, int32x4_t shift, int32_t output_offset, int32x4_t lo,
                                                int32x4_t hi) {
  acc = vqrdmulhq_s32(acc, m);
  acc = vrshlq_s32(vqaddq_s32(acc, vshrq_n_s32(acc, 31)), shift);
  return vminq_s32(vmaxq_s32(vaddq_n_s32(acc, output_offset), lo), hi);
}

/* Per-lane constants, any shift: te_requantize4's arithmetic, returning the clamped lanes. */
TE_MVE_INLINE int32x4_t te_mve_requantize_lanes(int32x4_t acc, int32x4_t m, int32x4_t shift, int32_t output_offset, int32x4_t lo,
                                                int32x4_t hi) {
  const int32x4_t right = vminq_s32(shift, vdupq_n_s32(0));
  acc = vqrdmulhq_s32(vshlq_s32(acc, vmaxq_s32(shift, vdupq_n_s32(0))), m);
  acc = vrshlq_s32(vqaddq_s32(acc, vshrq_n_s32(vandq_s32(acc, right), 31)), right);
  return vminq_s32(vmaxq_s32(vaddq_n_s32(acc, output_offset), lo), hi);
}

#endif
