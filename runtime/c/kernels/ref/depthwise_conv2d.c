/*
 * Reference int8 depthwise convolution (TFLite's DepthwiseConvPerChannel). For each output pixel, channels go in
 * blocks of TE_DW_BLOCK with the accumulators on the stack, so the innermost loop runs along contiguous NHWC
 * channels and compilers vectorize it; padded taps are skipped (they read the zero point, contributing nothing).
 */
#include "tinyedge/kernels.h"
#include "tinyedge/fixed_point.h"

#define TE_DW_BLOCK 64

void te_depthwise_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g,
                            int32_t multiplier, const te_mac_params *p, int8_t *y) {
  const int32_t out_c = g->c * multiplier;
  int32_t n, oy, ox, c0, ky, kx, j;
  int32_t acc[TE_DW_BLOCK];
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox < g->ow; ox++) {
        for (c0 = 0; c0 < out_c; c0 += TE_DW_BLOCK) {
          const int32_t len = out_c - c0 < TE_DW_BLOCK ? out_c - c0 : TE_DW_BLOCK;
          for (j = 0; j < len; j++) acc[j] = bias ? bias[c0 + j] : 0;
          for (ky = 0; ky < g->kh; ky++) {
            const int32_t iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
            if (iy < 0 || iy >= g->h) continue;
            for (kx = 0; kx < g->kw; kx++) {
              const int32_t ix = ox * g->stride_w - g->pad_left + kx * g->dilation_w;
              const int8_t *xp = x + ((n * g->h + iy) * g->w + ix) * g->c;
              const int8_t *wp = w + (ky * g->kw + kx) * out_c + c0;
              if (ix < 0 || ix >= g->w) continue;
              if (multiplier == 1) {
                const int8_t *xc = xp + c0;
                for (j = 0; j < len; j++) acc[j] += (xc[j] + p->input_offset) * wp[j];
              } else {
                for (j = 0; j < len; j++) acc[j] += (xp[(c0 + j) / multiplier] + p->input_offset) * wp[j];
              }
            }
          }
          te_requantize_channels(acc, len, p->multipliers + c0, p->shifts + c0, p->output_offset, p->act_min, p->act_max, y);
          y += len;
        }
      }
    }
  }
}
