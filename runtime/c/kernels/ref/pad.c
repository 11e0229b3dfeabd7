/* Reference pad of a 4-D int8 tensor with a constant (the quantized zero). */
#include "tinyedge/kernels.h"

void te_pad_s8(const int8_t *x, const int32_t shape[4], const int32_t before[4], const int32_t after[4], int8_t value,
               int8_t *y) {
  int32_t o[4], i0, i1, i2, i3;
  for (i0 = 0; i0 < 4; i0++) o[i0] = shape[i0] + before[i0] + after[i0];
  for (i0 = 0; i0 < o[0]; i0++)
    for (i1 = 0; i1 < o[1]; i1++)
      for (i2 = 0; i2 < o[2]; i2++)
        for (i3 = 0; i3 < o[3]; i3++) {
          const int32_t a = i0 - before[0], b = i1 - before[1], c = i2 - before[2], d = i3 - before[3];
          const int inside = a >= 0 && a < shape[0] && b >= 0 && b < shape[1] && c >= 0 && c < shape[2] && d >= 0 && d < shape[3];
          *y++ = inside ? x[((a * shape[1] + b) * shape[2] + c) * shape[3] + d] : value;
        }
}
