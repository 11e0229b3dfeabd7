/*
 * Reference int8 pooling and mean (TFLite's reference_integer_ops::AveragePool, MaxPool and Mean); input and output
 * share one quantization, so no requantization but the clamp to the fused activation's range. Average pooling and
 * mean divide with TFLite's rounding (half away from zero, te_rounded_divide). The window is clipped to the input
 * as TFLite's is (kernels/internal/element_ops.h), so padded positions are not counted. The sum of a window holds at
 * most kh·kw values of magnitude ≤ 128: far below 2^31.
 */
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/element_ops.h"

/* Average, or max when `is_max`, of each channel over each output pixel's window. */
static void pool_s8(const int8_t *x, const te_window *g, int32_t act_min, int32_t act_max, int8_t *y, int is_max) {
  int32_t n, oy, ox, c, ky, kx;
  for (n = 0; n < g->n; n++)
    for (oy = 0; oy < g->oh; oy++)
      for (ox = 0; ox < g->ow; ox++) {
        const te_pool_span s = te_pool_window(g, oy, ox);
        for (c = 0; c < g->c; c++) {
          int32_t acc = is_max ? -128 : 0;
          for (ky = s.ky0; ky < s.ky1; ky++)
            for (kx = s.kx0; kx < s.kx1; kx++) {
              const int32_t v = x[((n * g->h + s.iy + ky) * g->w + s.ix + kx) * g->c + c];
              acc = is_max ? (v > acc ? v : acc) : acc + v;
            }
          *y++ = (int8_t)te_clamp(is_max ? acc : te_rounded_divide(acc, s.count), act_min, act_max);
        }
      }
}

void te_avg_pool_s8(const int8_t *x, const te_window *g, int32_t act_min, int32_t act_max, int8_t *y) {
  pool_s8(x, g, act_min, act_max, y, 0);
}

void te_max_pool_s8(const int8_t *x, const te_window *g, int32_t act_min, int32_t act_max, int8_t *y) {
  pool_s8(x, g, act_min, act_max, y, 1);
}

/* Mean over the middle axis of [outer][reduced][inner], clamped to int8 (the kernel takes no fused activation). */
void te_mean_s8(const int8_t *x, int32_t outer, int32_t reduced, int32_t inner, int32_t input_offset,
                int32_t multiplier, int32_t shift, int32_t output_offset, int8_t *y) {
  int32_t o, r, i;
  for (o = 0; o < outer; o++)
    for (i = 0; i < inner; i++) {
      int32_t sum = 0;
      for (r = 0; r < reduced; r++) sum += x[(o * reduced + r) * inner + i] + input_offset;
      y[o * inner + i] = (int8_t)te_clamp(te_mean_element(sum, reduced, multiplier, shift, output_offset), -128, 127);
    }
}
