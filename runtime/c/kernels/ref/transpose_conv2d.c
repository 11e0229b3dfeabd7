/*
 * Reference int8 transpose convolution (TFLite's reference_integer_ops::TransposeConv): every input pixel scatters
 * (x + input_offset)·w into an int32 scratch of the whole output, then each output gets its bias and the
 * per-channel requantization. Filter [out_c][kh][kw][c] as TFLite stores it. Overflow as for conv2d: each product
 * fits in 16 bits, and an output sums at most ceil(kh/stride)·ceil(kw/stride)·c of them.
 */
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"

void te_transpose_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g, int32_t out_c,
                            const te_mac_params *p, int32_t *scratch, int8_t *y) {
  const int32_t pixels = g->n * g->oh * g->ow;
  int32_t i, o, n, iy, ix, ky, kx, ci;
  for (i = 0; i < pixels * out_c; i++) scratch[i] = 0;
  for (n = 0; n < g->n; n++) {
    for (iy = 0; iy < g->h; iy++) {
      for (ix = 0; ix < g->w; ix++) {
        const int8_t *xp = x + ((n * g->h + iy) * g->w + ix) * g->c;
        for (ky = 0; ky < g->kh; ky++) {
          const int32_t oy = iy * g->stride_h - g->pad_top + ky;
          if (oy < 0 || oy >= g->oh) continue;
          for (kx = 0; kx < g->kw; kx++) {
            const int32_t ox = ix * g->stride_w - g->pad_left + kx;
            int32_t *acc;
            if (ox < 0 || ox >= g->ow) continue;
            acc = scratch + ((n * g->oh + oy) * g->ow + ox) * out_c;
            for (o = 0; o < out_c; o++) {
              const int8_t *wp = w + ((o * g->kh + ky) * g->kw + kx) * g->c;
              int32_t sum = 0;
              for (ci = 0; ci < g->c; ci++) sum += (xp[ci] + p->input_offset) * wp[ci];
              acc[o] += sum;
            }
          }
        }
      }
    }
  }
  for (i = 0; i < pixels; i++) {
    int32_t *acc = scratch + i * out_c;
    if (bias)
      for (o = 0; o < out_c; o++) acc[o] += bias[o];
    te_requantize_channels(acc, out_c, p->multipliers, p->shifts, p->output_offset, p->act_min, p->act_max, y + i * out_c);
  }
}
