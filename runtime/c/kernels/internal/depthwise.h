/*
 * tinyedge: the reference depthwise arithmetic for a range of output channels of one output pixel, run by
 * kernels/ref (every channel) and by the ISA folders (the channels their vector loops leave, and depth multipliers
 * they do not vectorize). Padded taps are skipped: they read the zero point, and (zero point + input_offset) = 0.
 * Overflow: |x + input_offset| ≤ 255 and |w| ≤ 127, so each product is below 2^15 and the int32 accumulator holds
 * 2^16 taps beyond the bias: kh·kw is at most a few dozen. Requantization is te_requantize_channels (fixed_point.h).
 */
#ifndef TINYEDGE_DEPTHWISE_H
#define TINYEDGE_DEPTHWISE_H

#include <stdint.h>
#include "tinyedge/kernels.h"
#include "fixed_point.h"

#define TE_DW_BLOCK 64

/* Output channels [c0, c1) of pixel (n, oy, ox) into y (the pixel's first output byte). */
static inline void te_depthwise_channels(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g,
                                         int32_t multiplier, const te_mac_params *p, int32_t n, int32_t oy, int32_t ox,
                                         int32_t c0, int32_t c1, int8_t *y) {
  const int32_t out_c = g->c * multiplier;
  int32_t acc[TE_DW_BLOCK];
  int32_t b, ky, kx, j;
  for (b = c0; b < c1; b += TE_DW_BLOCK) {
    const int32_t len = c1 - b < TE_DW_BLOCK ? c1 - b : TE_DW_BLOCK;
    for (j = 0; j < len; j++) acc[j] = bias ? bias[b + j] : 0;
    for (ky = 0; ky < g->kh; ky++) {
      const int32_t iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
      if (iy < 0 || iy >= g->h) continue;
      for (kx = 0; kx < g->kw; kx++) {
        const int32_t ix = ox * g->stride_w - g->pad_left + kx * g->dilation_w;
        const int8_t *xp = x + ((n * g->h + iy) * g->w + ix) * g->c;
        const int8_t *wp = w + (ky * g->kw + kx) * out_c + b;
        if (ix < 0 || ix >= g->w) continue;
        if (multiplier == 1) {
          const int8_t *xc = xp + b;
          for (j = 0; j < len; j++) acc[j] += (xc[j] + p->input_offset) * wp[j];
        } else {
          for (j = 0; j < len; j++) acc[j] += (xp[(b + j) / multiplier] + p->input_offset) * wp[j];
        }
      }
    }
    te_requantize_channels(acc, len, p->multipliers + b, p->shifts + b, p->output_offset, p->act_min, p->act_max, y + b);
  }
}

#endif
