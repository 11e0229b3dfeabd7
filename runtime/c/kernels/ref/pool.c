/*
 * Reference int8 max pooling and mean (TFLite's reference_integer_ops::MaxPool and Mean; average pooling is its own
 * family, kernels/ref/avg_pool.c, with the loop in kernels/internal/element_ops.h); input and output
 * share one quantization, so no requantization but the clamp to the fused activation's range. Average pooling and
 * mean divide with TFLite's rounding (half away from zero, te_rounded_divide). The window is clipped to the input
 * as TFLite's is (kernels/internal/element_ops.h), so padded positions are not counted. The sum of a window holds at
 * most kh·kw values of magnitude ≤ 128: far below 2^31.
 */
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/element_ops.h"

void te_max_pool_s8(const int8_t *x, const te_window *g, int32_t act_min, int32_t act_max, int8_t *y) {
  te_pool_s8(x, g, act_min, act_max, y, 1);
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
