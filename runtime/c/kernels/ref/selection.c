/*
 * Reference ArgMax, REDUCE_MAX and TopK (TFLite's reference_ops::ArgMinMax with std::greater, ReduceMax, and
 * TOPK_V2 along the last axis), int8 and 16×8: the largest inputs and their int32 indices, the lower index first
 * among equals. The input's quantization is monotonic, so the order of the integers is that of the real values; the
 * values keep the input's quantization, the indices are only ever a model output. One body per kernel, written once
 * for both element types (TE_SELECTION_KERNELS below): they only compare and copy elements.
 */
#include "tinyedge/kernels.h"

/*
 * te_max_along: the largest x along depth of [outer][depth][inner] into values and its index into indices (either
 * NULL). te_top_k: k passes a row, each taking the best element after the previous pick in (value descending, index
 * ascending) order: no scratch, and k is small where TopK ends a model. ABOVE is one more than T's largest value.
 */
#define TE_SELECTION_KERNELS(SFX, T, ABOVE)                                                                          \
  void te_max_along_##SFX(const T *x, int32_t outer, int32_t depth, int32_t inner, T *values, int32_t *indices) {  \
    int32_t o, i, k;                                                                                                 \
    for (o = 0; o < outer; o++)                                                                                      \
      for (i = 0; i < inner; i++) {                                                                                  \
        const T *p = x + o * depth * inner + i;                                                                      \
        int32_t best = 0;                                                                                            \
        for (k = 1; k < depth; k++)                                                                                  \
          if (p[k * inner] > p[best * inner]) best = k;                                                              \
        if (values) values[o * inner + i] = p[best * inner];                                                         \
        if (indices) indices[o * inner + i] = best;                                                                  \
      }                                                                                                              \
  }                                                                                                                  \
                                                                                                                     \
  void te_top_k_##SFX(const T *x, int32_t rows, int32_t depth, int32_t k, T *values, int32_t *indices) {          \
    int32_t r, j, i;                                                                                                 \
    for (r = 0; r < rows; r++, x += depth) {                                                                         \
      int32_t last_value = ABOVE, last_index = -1;                                                                   \
      for (j = 0; j < k; j++) {                                                                                      \
        int32_t best = -1;                                                                                           \
        for (i = 0; i < depth; i++) {                                                                                \
          const int32_t after = x[i] < last_value || (x[i] == last_value && i > last_index);                         \
          if (after && (best < 0 || x[i] > x[best])) best = i;                                                       \
        }                                                                                                            \
        last_value = x[best];                                                                                        \
        last_index = best;                                                                                           \
        if (values) *values++ = (T)last_value;                                                                       \
        if (indices) *indices++ = best;                                                                              \
      }                                                                                                              \
    }                                                                                                                \
  }

TE_SELECTION_KERNELS(s8, int8_t, 128)
TE_SELECTION_KERNELS(s16, int16_t, 32768)
