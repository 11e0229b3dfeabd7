/*
 * Reference pad of a 4-D int8 tensor with a constant (TFLite's reference_ops::Pad; the compiler passes the
 * quantized zero): output element (i0, i1, i2, i3) copies the input's (i0 − before[0], …) when that lies inside it.
 */
#include "tinyedge/kernels.h"
#include "../internal/element_ops.h"

void te_pad_s8(const int8_t *x, const int32_t shape[4], const int32_t before[4], const int32_t after[4], int8_t value,
               int8_t *y) {
  int32_t o[4], i0, i1, i2, i3;
  for (i0 = 0; i0 < 4; i0++) o[i0] = shape[i0] + before[i0] + after[i0];
  for (i0 = 0; i0 < o[0]; i0++)
    for (i1 = 0; i1 < o[1]; i1++)
      for (i2 = 0; i2 < o[2]; i2++)
        for (i3 = 0; i3 < o[3]; i3++) {
          const int32_t from = te_pad_source(shape, before, i0, i1, i2, i3);
          *y++ = from < 0 ? value : x[from];
        }
}
