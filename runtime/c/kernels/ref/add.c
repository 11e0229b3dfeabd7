/*
 * Reference int8 add with broadcasting: TFLite's formula (kernels/internal/element_ops.h) over the broadcast loop.
 */
#include "tinyedge/kernels.h"
#include "../internal/broadcast_loop.h"

void te_add_s8(const int8_t *a, const int8_t *b, const te_broadcast *s, const te_binary_params *p, int8_t *y) {
  te_binary_s8(a, b, s, p, y, te_add_element);
}
