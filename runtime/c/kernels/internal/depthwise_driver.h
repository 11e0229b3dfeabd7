/*
 * tinyedge: a depthwise convolution a pixel at a time around a folder's vector step (kernels/arm-neon, for the layers
 * its 3 × 3 row tiles do not take), as `static void te_depthwise_by_pixel` with te_depthwise_conv2d_s8's arguments
 * (the including file's te_depthwise_conv2d_s8 picks it). The including file defines
 * TE_DW_VECTOR (channels per step) and `static void te_vector_channels(x, w, bias, g, p, n, oy, ox, c0, y)` for
 * channels [c0, c0 + TE_DW_VECTOR) of one pixel at depth multiplier 1; the channels left over, and every channel at
 * other multipliers, take the reference arithmetic (depthwise.h).
 */
#ifndef TINYEDGE_DEPTHWISE_DRIVER_H
#define TINYEDGE_DEPTHWISE_DRIVER_H

#include "tinyedge/kernels.h"
#include "depthwise.h"

static void te_depthwise_by_pixel(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g,
                                  int32_t multiplier, const te_mac_params *p, int8_t *y) {
  const int32_t out_c = g->c * multiplier;
  const int32_t vector_c = multiplier == 1 ? out_c - out_c % TE_DW_VECTOR : 0;
  int32_t n, oy, ox, c0;
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox < g->ow; ox++) {
        for (c0 = 0; c0 < vector_c; c0 += TE_DW_VECTOR) te_vector_channels(x, w, bias, g, p, n, oy, ox, c0, y);
        if (vector_c < out_c) te_depthwise_channels(x, w, bias, g, multiplier, p, n, oy, ox, vector_c, out_c, y);
        y += out_c;
      }
    }
  }
}

#endif
