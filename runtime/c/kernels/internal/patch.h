/*
 * tinyedge: the window gather every conv2d kernel folder shares. A regular convolution copies one output pixel's
 * kh·kw·c input window into a scratch patch and multiplies it with the weights as a matrix row.
 */
#ifndef TINYEDGE_PATCH_H
#define TINYEDGE_PATCH_H

#include <stdint.h>
#include <string.h>
#include "tinyedge/kernels.h"

/* n bytes from src to dst, a word at a time (unaligned words: one LDR and one STR on the Arm cores). A loop rather
   than memcpy: runs are short (a window row), shorter than a library call's setup. */
static inline void te_copy_run(int8_t *dst, const int8_t *src, int32_t n) {
  for (; n >= 4; n -= 4, src += 4, dst += 4) {
    uint32_t v;
    memcpy(&v, src, 4);
    memcpy(dst, &v, 4);
  }
  for (; n > 0; n--) *dst++ = *src++;
}

/* Window of output pixel (n, oy, ox) into patch[kh·kw·c]; taps outside the input hold the zero point (−input_offset),
   so (x + input_offset) = 0 there, as padding must be. With dilation_w 1 a window row's in-bounds taps are one run of
   the input row, copied at once. The geometry is read into locals first: the byte stores into the patch may alias
   *g, which would make the compiler reload every field after each one. */
static inline void te_gather_patch(const int8_t *x, const te_window *g, int32_t n, int32_t oy, int32_t ox, int8_t zero_point,
                                   int8_t *patch) {
  const int32_t c = g->c, h = g->h, w = g->w, kh = g->kh, kw = g->kw, dilation_h = g->dilation_h, dilation_w = g->dilation_w;
  const int32_t row = kw * c, ix0 = ox * g->stride_w - g->pad_left, iy0 = oy * g->stride_h - g->pad_top;
  int32_t ky, kx;
  for (ky = 0; ky < kh; ky++, patch += row) {
    const int32_t iy = iy0 + ky * dilation_h;
    const int8_t *src = x + (n * h + iy) * w * c;
    if (iy < 0 || iy >= h) {
      memset(patch, zero_point, (size_t)row);
    } else if (dilation_w == 1 && ix0 >= 0 && ix0 + kw <= w) {
      te_copy_run(patch, src + ix0 * c, row);
    } else {
      for (kx = 0; kx < kw; kx++) {
        const int32_t ix = ix0 + kx * dilation_w;
        if (ix >= 0 && ix < w)
          te_copy_run(patch + kx * c, src + ix * c, c);
        else
          memset(patch + kx * c, zero_point, (size_t)c);
      }
    }
  }
}

#endif
