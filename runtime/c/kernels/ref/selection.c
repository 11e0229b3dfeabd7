/*
 * Reference ArgMax and TopK (TFLite's reference_ops::ArgMinMax with std::greater, and TOPK_V2 along the last axis):
 * int32 indices of the largest inputs, the lower index first among equals. The input's quantization is monotonic,
 * so the order of the int8 values is that of the real ones; the indices are only ever a model output.
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

/*
 * k passes a row, each taking the best element after the previous pick in (value descending, index ascending)
 * order: no scratch, and k is small where TopK ends a model.
 */
void te_top_k_s8(const int8_t *x, int32_t rows, int32_t depth, int32_t k, int8_t *values, int32_t *indices) {
  int32_t r, j, i;
  for (r = 0; r < rows; r++, x += depth) {
    int32_t last_value = 128, last_index = -1;
    for (j = 0; j < k; j++) {
      int32_t best = -1;
      for (i = 0; i < depth; i++) {
        const int32_t after = x[i] < last_value || (x[i] == last_value && i > last_index);
        if (after && (best < 0 || x[i] > x[best])) best = i;
      }
      last_value = x[best];
      last_index = best;
      if (values) *values++ = (int8_t)last_value;
      if (indices) *indices++ = best;
    }
  }
}
