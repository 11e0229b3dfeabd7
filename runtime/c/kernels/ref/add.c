/*
 * Reference int8 add with broadcasting (TFLite's reference_integer_ops::Add): the per-element formula and its
 * overflow bounds are kernels/internal/element_ops.h's te_add_element. Its own family, so ISA folders can replace it
 * without the rest of the elementwise kernels.
 */
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/element_ops.h"

void te_add_s8(const int8_t *a, const int8_t *b, const te_broadcast *s, const te_binary_params *p, int8_t *y) {
  te_binary_s8(a, b, s, p, y, te_add_element);
}
