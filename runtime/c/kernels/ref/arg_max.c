/*
 * Reference ArgMax (TFLite's reference_ops::ArgMinMax with std::greater): per [outer][depth][inner] position the
 * int32 index of the largest input along depth, the first on ties. The input's quantization is monotonic, so the
 * index of the largest int8 is that of the largest real value; only a model output is an ArgMax.
 */
#include "tinyedge/kernels.h"

void te_arg_max_s8(const int8_t *x, int32_t outer, int32_t depth, int32_t inner, int32_t *y) {
  int32_t o, i, k;
  for (o = 0; o < outer; o++)
    for (i = 0; i < inner; i++) {
      const int8_t *p = x + o * depth * inner + i;
      int32_t best = 0;
      for (k = 1; k < depth; k++)
        if (p[k * inner] > p[best * inner]) best = k;
      y[o * inner + i] = best;
    }
}
