/*
 * Cortex-M55 Helium (MVE) int8 depthwise convolution: eight channels a step in two int32x4 accumulators;
 * vldrbq_s32 loads four int8 sign-extended to int32, the input offset is added, and vmulq/vaddq accumulate (MVE has
 * no vector-by-vector integer multiply-accumulate). Channels past the last multiple of 8 and depth multipliers
 * above one take the reference arithmetic (tinyedge/depthwise_driver.h).
 */
#include <arm_mve.h>
#include "tinyedge/kernels.h"
#include "tinyedge/fixed_point.h"
#include "tinyedge/arm_requantize.h"

/* Channels [c0, c0 + 8) of pixel (n, oy, ox), multiplier 1. */
static void te_vector_channels(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g, const te_mac_params *p,
                               int32_t n, int32_t oy, int32_t ox, int32_t c0, int8_t *y) {
  int32x4_t lo = bias ? vldrwq_s32(bias + c0) : vdupq_n_s32(0), hi = bias ? vldrwq_s32(bias + c0 + 4) : vdupq_n_s32(0);
  int32_t ky, kx;
  for (ky = 0; ky < g->kh; ky++) {
    const int32_t iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
    if (iy < 0 || iy >= g->h) continue;
    for (kx = 0; kx < g->kw; kx++) {
      const int32_t ix = ox * g->stride_w - g->pad_left + kx * g->dilation_w;
      const int8_t *xp, *wp;
      if (ix < 0 || ix >= g->w) continue;
      xp = x + ((n * g->h + iy) * g->w + ix) * g->c + c0;
      wp = w + (ky * g->kw + kx) * g->c + c0;
      lo = vaddq_s32(lo, vmulq_s32(vaddq_n_s32(vldrbq_s32(xp), p->input_offset), vldrbq_s32(wp)));
      hi = vaddq_s32(hi, vmulq_s32(vaddq_n_s32(vldrbq_s32(xp + 4), p->input_offset), vldrbq_s32(wp + 4)));
    }
  }
  te_requantize4(lo, p->multipliers + c0, p->shifts + c0, p->output_offset, p->act_min, p->act_max, y + c0);
  te_requantize4(hi, p->multipliers + c0 + 4, p->shifts + c0 + 4, p->output_offset, p->act_min, p->act_max, y + c0 + 4);
}

#define TE_DW_VECTOR 8
#include "tinyedge/depthwise_driver.h"
