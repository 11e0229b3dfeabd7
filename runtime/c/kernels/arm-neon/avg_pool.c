/*
 * AArch64 Advanced SIMD int8 average pooling, bit-exact with kernels/ref/avg_pool.c (the window clipped to the input,
 * padded positions not counted, TFLite's rounding): per output pixel sixteen channels at a time, the window's raw
 * int8 inputs summed into int16 lanes by SADDW (a window of at most 256 positions: 256 · 128 fits int16), widened,
 * divided in float64 (kernels/internal/neon_rounded_divide.h), narrowed with saturation and clamped. Larger windows and
 * the last c % 16 channels take the reference arithmetic.
 */
#include <arm_neon.h>
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/element_ops.h"
#include "../internal/neon_rounded_divide.h"

/* Sixteen channels of one output pixel's window into y; `at`: the offset of the window's first (maybe padded) byte. */
static void te_avg16(const int8_t *x, int32_t at, const te_window *g, const te_pool_span *s, te_divisor d, int8x16_t lo,
                     int8x16_t hi, int8_t *y) {
  int16x8_t sum_lo = vdupq_n_s16(0), sum_hi = vdupq_n_s16(0);
  int32x4_t q[4];
  int32_t ky, kx;
  for (ky = s->ky0; ky < s->ky1; ky++)
    for (kx = s->kx0; kx < s->kx1; kx++) {
      const int8x16_t v = vld1q_s8(x + at + (ky * g->w + kx) * g->c);
      sum_lo = vaddw_s8(sum_lo, vget_low_s8(v));
      sum_hi = vaddw_high_s8(sum_hi, v);
    }
  q[0] = te_rounded_divide4(vmovl_s16(vget_low_s16(sum_lo)), d);
  q[1] = te_rounded_divide4(vmovl_high_s16(sum_lo), d);
  q[2] = te_rounded_divide4(vmovl_s16(vget_low_s16(sum_hi)), d);
  q[3] = te_rounded_divide4(vmovl_high_s16(sum_hi), d);
  {
    const int8x8_t a = vqmovn_s16(vcombine_s16(vqmovn_s32(q[0]), vqmovn_s32(q[1])));
    const int8x8_t b = vqmovn_s16(vcombine_s16(vqmovn_s32(q[2]), vqmovn_s32(q[3])));
    vst1q_s8(y, vminq_s8(vmaxq_s8(vcombine_s8(a, b), lo), hi));
  }
}

void te_avg_pool_s8(const int8_t *x, const te_window *g, int32_t act_min, int32_t act_max, int8_t *y) {
  const int8x16_t lo = vdupq_n_s8((int8_t)act_min), hi = vdupq_n_s8((int8_t)act_max);
  int32_t n, oy, ox, c, ky, kx;
  for (n = 0; n < g->n; n++)
    for (oy = 0; oy < g->oh; oy++)
      for (ox = 0; ox < g->ow; ox++) {
        const te_pool_span s = te_pool_window(g, oy, ox);
        const int32_t at = ((n * g->h + s.iy) * g->w + s.ix) * g->c;
        const int32_t vector_c = s.count <= 256 ? g->c - g->c % 16 : 0;
        const te_divisor d = te_divisor_of(s.count);
        for (c = 0; c < vector_c; c += 16) te_avg16(x, at + c, g, &s, d, lo, hi, y + c);
        for (; c < g->c; c++) {
          int32_t acc = 0;
          for (ky = s.ky0; ky < s.ky1; ky++)
            for (kx = s.kx0; kx < s.kx1; kx++) acc += x[at + (ky * g->w + kx) * g->c + c];
          y[c] = (int8_t)te_clamp(te_rounded_divide(acc, s.count), act_min, act_max);
        }
        y += g->c;
      }
}
