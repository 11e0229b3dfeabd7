/*
 * Reference transpose (TFLite's reference_ops::Transpose) of up to four axes, bytes moved unchanged (input and
 * output share their quantization): output element (i0, i1, i2, i3) of dims[] reads the input at
 * i0·strides[0] + … + i3·strides[3], the input strides of the axes perm[] names (the compiler computes both).
 */
#include "tinyedge/kernels.h"

void te_transpose_s8(const int8_t *x, const int32_t dims[4], const int32_t strides[4], int8_t *y) {
  int32_t i0, i1, i2, i3;
  for (i0 = 0; i0 < dims[0]; i0++)
    for (i1 = 0; i1 < dims[1]; i1++)
      for (i2 = 0; i2 < dims[2]; i2++) {
        const int8_t *row = x + i0 * strides[0] + i1 * strides[1] + i2 * strides[2];
        for (i3 = 0; i3 < dims[3]; i3++) *y++ = row[i3 * strides[3]];
      }
}
