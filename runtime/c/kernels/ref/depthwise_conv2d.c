/*
 * Reference int8 depthwise convolution: TFLite's reference_integer_ops::DepthwiseConvPerChannel. Output channel
 * o = ci·M + m (M the depth multiplier) of output pixel (oy, ox):
 *   acc = bias[o] + Σ_{ky, kx inside the input} (x[iy][ix][ci] + input_offset) · w[ky][kx][o]
 *   y   = clamp(mbqm(acc, multipliers[o], shifts[o]) + output_offset, act_min, act_max)
 * The arithmetic of one pixel is te_depthwise_channels (kernels/internal/depthwise.h, with its overflow bound),
 * which the ISA folders also run on the channels their vector loops leave; this is the loop over output pixels.
 */
#include "tinyedge/kernels.h"
#include "../internal/depthwise.h"

void te_depthwise_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *bias, const te_window *g,
                            int32_t multiplier, const te_mac_params *p, int8_t *y) {
  const int32_t out_c = g->c * multiplier;
  int32_t n, oy, ox;
  for (n = 0; n < g->n; n++)
    for (oy = 0; oy < g->oh; oy++)
      for (ox = 0; ox < g->ow; ox++, y += out_c) te_depthwise_channels(x, w, bias, g, multiplier, p, n, oy, ox, 0, out_c, y);
}
