/*
 * AArch64 Advanced SIMD mean (kernels/ref/pool.c's result, TFLite's reference_integer_ops::Mean): sixteen inner
 * elements at a time, the raw int8 inputs summed into int16 lanes (SADDW) over at most 256 reduced rows — 256 · 128
 * fits int16 — then into int32, plus reduced · input_offset once; MultiplyByQuantizedMultiplier four lanes at a time
 * (arm_requantize.h, one multiplier for all), the rounded division in float64 (neon_rounded_divide.h), the output
 * offset and the clamp by saturating narrows; the rest of the inner elements through the reference arithmetic. Max pooling is the reference loop (kernels/internal/element_ops.h).
 */
#include <arm_neon.h>
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/element_ops.h"
#include "../internal/arm_requantize.h"
#include "../internal/neon_rounded_divide.h"

#define TE_MEAN_INT16_ROWS 256

void te_max_pool_s8(const int8_t *x, const te_window *g, int32_t act_min, int32_t act_max, int8_t *y) {
  te_pool_s8(x, g, act_min, act_max, y, 1);
}

/* The means of 16 inner elements from `x` (row stride `inner`) over the reduced rows, into y[0..16). */
static void te_mean16(const int8_t *x, int32_t reduced, int32_t inner, int32_t input_offset, te_requant4 q,
                      int32_t output_offset, int8_t *y) {
  const te_divisor n = te_divisor_of(reduced);
  const int16x8_t offset = vdupq_n_s16((int16_t)output_offset);
  int32x4_t m[4];
  int32x4_t acc[4];
  int32_t r0, r, j;
  for (j = 0; j < 4; j++) acc[j] = vdupq_n_s32(reduced * input_offset);
  for (r0 = 0; r0 < reduced; r0 += TE_MEAN_INT16_ROWS) {
    const int32_t r1 = reduced - r0 < TE_MEAN_INT16_ROWS ? reduced : r0 + TE_MEAN_INT16_ROWS;
    int16x8_t lo = vdupq_n_s16(0), hi = vdupq_n_s16(0);
    for (r = r0; r < r1; r++) {
      const int8x16_t v = vld1q_s8(x + r * inner);
      lo = vaddw_s8(lo, vget_low_s8(v));
      hi = vaddw_high_s8(hi, v);
    }
    acc[0] = vaddw_s16(acc[0], vget_low_s16(lo));
    acc[1] = vaddw_high_s16(acc[1], lo);
    acc[2] = vaddw_s16(acc[2], vget_low_s16(hi));
    acc[3] = vaddw_high_s16(acc[3], hi);
  }
  for (j = 0; j < 4; j++) m[j] = te_rounded_divide4(te_mbqm4(acc[j], q), n);
  vst1q_s8(y, vcombine_s8(te_offset_narrow8(m[0], m[1], offset), te_offset_narrow8(m[2], m[3], offset)));
}

void te_mean_s8(const int8_t *x, int32_t outer, int32_t reduced, int32_t inner, int32_t input_offset,
                int32_t multiplier, int32_t shift, int32_t output_offset, int8_t *y) {
  const int32_t m4[4] = {multiplier, multiplier, multiplier, multiplier}, s4[4] = {shift, shift, shift, shift};
  const te_requant4 q = te_requant4_load(m4, s4);
  int32_t o, i, r;
  for (o = 0; o < outer; o++) {
    const int8_t *xo = x + o * reduced * inner;
    int8_t *yo = y + o * inner;
    for (i = 0; i + 16 <= inner; i += 16) te_mean16(xo + i, reduced, inner, input_offset, q, output_offset, yo + i);
    for (; i < inner; i++) {
      int32_t sum = 0;
      for (r = 0; r < reduced; r++) sum += xo[r * inner + i] + input_offset;
      yo[i] = (int8_t)te_clamp(te_mean_element(sum, reduced, multiplier, shift, output_offset), -128, 127);
    }
  }
}
