/*
 * AArch64 Advanced SIMD int8 depthwise convolution. 3 × 3 multiplier-1 layers with channels a multiple of 8 (every
 * depthwise layer of MobileNetV2) run kernels/internal/neon_depthwise3x3.h's row tiles; the others a pixel at a time,
 * eight channels a step (the narrowest layers of small nets have
 * eight), (x + input_offset) widened to int16 with vaddw_s8, the weights with vmovl_s8, and vmlal_s16 into two
 * int32x4 accumulators per tap. Channels past the last multiple of 8 and depth multipliers above one take the
 * reference arithmetic (kernels/internal/depthwise_driver.h); requantization runs four lanes at a time.
 */
#include <arm_neon.h>
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/arm_requantize.h"
#include "../internal/neon_depthwise3x3.h"

/* Channels [c0, c0 + 8) of pixel (n, oy, ox), multiplier 1. */
static void te_vector_channels(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g, const te_mac_params *p,
                               int32_t n, int32_t oy, int32_t ox, int32_t c0, int8_t *y) {
  const int16x8_t off = vdupq_n_s16((int16_t)p->input_offset);
  int32x4_t lo = bias ? vld1q_s32(bias + c0) : vdupq_n_s32(0), hi = bias ? vld1q_s32(bias + c0 + 4) : vdupq_n_s32(0);
  int32_t ky, kx;
  for (ky = 0; ky < g->kh; ky++) {
    const int32_t iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
    if (iy < 0 || iy >= g->h) continue;
    for (kx = 0; kx < g->kw; kx++) {
      const int32_t ix = ox * g->stride_w - g->pad_left + kx * g->dilation_w;
      int16x8_t xv, wv;
      if (ix < 0 || ix >= g->w) continue;
      xv = vaddw_s8(off, vld1_s8(x + ((n * g->h + iy) * g->w + ix) * g->c + c0));
      wv = vmovl_s8(vld1_s8(w + (ky * g->kw + kx) * g->c + c0));
      lo = vmlal_s16(lo, vget_low_s16(xv), vget_low_s16(wv));
      hi = vmlal_high_s16(hi, xv, wv);
    }
  }
  te_requantize4(lo, p->multipliers + c0, p->shifts + c0, p->output_offset, p->act_min, p->act_max, y + c0);
  te_requantize4(hi, p->multipliers + c0 + 4, p->shifts + c0 + 4, p->output_offset, p->act_min, p->act_max, y + c0 + 4);
}

#define TE_DW_VECTOR 8
#include "../internal/depthwise_driver.h"

void te_depthwise_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g,
                            int32_t multiplier, const te_mac_params *p, int8_t *y) {
  if (te_dw3_takes(g, multiplier)) te_dw3_layer(x, w, bias, g, p, y);
  else te_depthwise_by_pixel(x, w, bias, g, multiplier, p, y);
}
