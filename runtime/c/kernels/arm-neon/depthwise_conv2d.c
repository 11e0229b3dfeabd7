/*
 * AArch64 Advanced SIMD int8 depthwise convolution: sixteen channels at a time, (x + input_offset) widened to int16
 * with vaddw_s8, the weights with vmovl_s8, and vmlal_s16 into four int32x4 accumulators per tap. Channels past the
 * last multiple of 16 and depth multipliers above one take the reference arithmetic (tinyedge/depthwise.h).
 */
#include <arm_neon.h>
#include "tinyedge/kernels.h"
#include "tinyedge/fixed_point.h"

/* Channels [c0, c0 + 16) of pixel (n, oy, ox), multiplier 1. */
static void te_vector_channels(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g, const te_mac_params *p,
                             int32_t n, int32_t oy, int32_t ox, int32_t c0, int8_t *y) {
  const int16x8_t off = vdupq_n_s16((int16_t)p->input_offset);
  int32x4_t a0, a1, a2, a3;
  int32_t acc[16], ky, kx;
  if (bias) {
    a0 = vld1q_s32(bias + c0);
    a1 = vld1q_s32(bias + c0 + 4);
    a2 = vld1q_s32(bias + c0 + 8);
    a3 = vld1q_s32(bias + c0 + 12);
  } else {
    a0 = a1 = a2 = a3 = vdupq_n_s32(0);
  }
  for (ky = 0; ky < g->kh; ky++) {
    const int32_t iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
    if (iy < 0 || iy >= g->h) continue;
    for (kx = 0; kx < g->kw; kx++) {
      const int32_t ix = ox * g->stride_w - g->pad_left + kx * g->dilation_w;
      int8x16_t xv, wv;
      int16x8_t xl, xh, wl, wh;
      if (ix < 0 || ix >= g->w) continue;
      xv = vld1q_s8(x + ((n * g->h + iy) * g->w + ix) * g->c + c0);
      wv = vld1q_s8(w + (ky * g->kw + kx) * g->c + c0);
      xl = vaddw_s8(off, vget_low_s8(xv));
      xh = vaddw_high_s8(off, xv);
      wl = vmovl_s8(vget_low_s8(wv));
      wh = vmovl_high_s8(wv);
      a0 = vmlal_s16(a0, vget_low_s16(xl), vget_low_s16(wl));
      a1 = vmlal_high_s16(a1, xl, wl);
      a2 = vmlal_s16(a2, vget_low_s16(xh), vget_low_s16(wh));
      a3 = vmlal_high_s16(a3, xh, wh);
    }
  }
  vst1q_s32(acc, a0);
  vst1q_s32(acc + 4, a1);
  vst1q_s32(acc + 8, a2);
  vst1q_s32(acc + 12, a3);
  te_requantize_channels(acc, 16, p->multipliers + c0, p->shifts + c0, p->output_offset, p->act_min, p->act_max, y + c0);
}

#define TE_DW_VECTOR 16
#include "tinyedge/depthwise_driver.h"
