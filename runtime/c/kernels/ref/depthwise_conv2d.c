/*
 * Reference int8 depthwise convolution (TFLite's DepthwiseConvPerChannel). For each output pixel, channels go in
 * blocks with the accumulators on the stack (tinyedge/depthwise.h), so the innermost loop runs along contiguous
 * NHWC channels and compilers vectorize it.
 */
#include "tinyedge/kernels.h"
#include "tinyedge/depthwise.h"

void te_depthwise_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g,
                            int32_t multiplier, const te_mac_params *p, int8_t *y) {
  const int32_t out_c = g->c * multiplier;
  int32_t n, oy, ox;
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox < g->ow; ox++) {
        te_depthwise_channels(x, w, bias, g, multiplier, p, n, oy, ox, 0, out_c, y);
        y += out_c;
      }
    }
  }
}
