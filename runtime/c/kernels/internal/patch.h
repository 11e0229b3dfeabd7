/*
 * tinyedge: the window gather every conv2d kernel folder shares. A regular convolution copies one output pixel's
 * kh·kw·c input window into a scratch patch and multiplies it with the weights as a matrix row.
 */
#ifndef TINYEDGE_PATCH_H
#define TINYEDGE_PATCH_H

#include <stdint.h>
#include "tinyedge/kernels.h"

/* Window of output pixel (n, oy, ox) into patch[kh·kw·c]; taps outside the input hold the zero point (−input_offset),
   so (x + input_offset) = 0 there, as padding must be. */
static inline void te_gather_patch(const int8_t *x, const te_window *g, int32_t n, int32_t oy, int32_t ox, int8_t zero_point,
                                   int8_t *patch) {
  int32_t ky, kx, ci;
  for (ky = 0; ky < g->kh; ky++) {
    const int32_t iy = oy * g->stride_h - g->pad_top + ky * g->dilation_h;
    for (kx = 0; kx < g->kw; kx++) {
      const int32_t ix = ox * g->stride_w - g->pad_left + kx * g->dilation_w;
      if (iy >= 0 && iy < g->h && ix >= 0 && ix < g->w) {
        const int8_t *src = x + ((n * g->h + iy) * g->w + ix) * g->c;
        for (ci = 0; ci < g->c; ci++) *patch++ = src[ci];
      } else {
        for (ci = 0; ci < g->c; ci++) *patch++ = zero_point;
      }
    }
  }
}

#endif
