/*
 * Reference int8 average pooling (TFLite's reference_integer_ops::AveragePool): the window clipped to the input,
 * padded positions not counted, the sum divided with TFLite's rounding (kernels/internal/element_ops.h's
 * te_pool_s8). Its own family, so ISA folders can replace it without max pooling and mean.
 */
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/element_ops.h"

void te_avg_pool_s8(const int8_t *x, const te_window *g, int32_t act_min, int32_t act_max, int8_t *y) {
  te_pool_s8(x, g, act_min, act_max, y, 0);
}
