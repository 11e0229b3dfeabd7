/*
 * Reference 16×8 add (kernel family int16_add; TFLite's int16 AddElementwise, left shift 15, zero points 0): the int8
 * add's per-element formula over int16 (kernels/internal/element_ops.h). Targets whose folders have no int16_add run it.
 */
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/element_ops.h"

void te_add_s16(const int16_t *a, const int16_t *b, const te_broadcast *s, const te_binary_params *p, int16_t *y) {
  te_binary_s16(a, b, s, p, y, te_add_element);
}
