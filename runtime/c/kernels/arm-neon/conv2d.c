/*
 * AArch64 Advanced SIMD int8 convolution and matrix product, weights [out_c][k]: vmull_s8 multiplies eight int8
 * pairs into int16 (|x·w| ≤ 128·128 fits) and vpadalq_s16 adds neighbouring products into the int32 lanes. Bit-exact
 * with kernels/ref: integer sums in any order are the same sums.
 */
#include "tinyedge/kernels.h"

#define TE_DOT16(acc, x, w) \
  ((acc) = vpadalq_s16(vpadalq_s16((acc), vmull_s8(vget_low_s8(x), vget_low_s8(w))), vmull_high_s8((x), (w))))

#include "../internal/arm_matmul.h"
