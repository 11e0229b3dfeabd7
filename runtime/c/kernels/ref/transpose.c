/*
 * Reference transpose (TFLite's reference_ops::Transpose) of up to four axes, int8 and 16×8, elements moved
 * unchanged (input and output share their quantization): output element (i0, i1, i2, i3) of dims[] reads the input
 * at i0·strides[0] + … + i3·strides[3], the input strides of the axes perm[] names (the compiler computes both).
 * One body for both element types (TE_TRANSPOSE_KERNEL): it only moves elements.
 */
#include "tinyedge/kernels.h"

#define TE_TRANSPOSE_KERNEL(SFX, T)                                                                \
  void te_transpose_##SFX(const T *x, const int32_t dims[4], const int32_t strides[4], T *y) {    \
    int32_t i0, i1, i2, i3;                                                                        \
    for (i0 = 0; i0 < dims[0]; i0++)                                                               \
      for (i1 = 0; i1 < dims[1]; i1++)                                                             \
        for (i2 = 0; i2 < dims[2]; i2++) {                                                         \
          const T *row = x + i0 * strides[0] + i1 * strides[1] + i2 * strides[2];                  \
          for (i3 = 0; i3 < dims[3]; i3++) *y++ = row[i3 * strides[3]];                            \
        }                                                                                          \
  }

TE_TRANSPOSE_KERNEL(s8, int8_t)
TE_TRANSPOSE_KERNEL(s16, int16_t)
