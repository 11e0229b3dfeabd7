/*
 * Reference int8 convolution and matrix product (TFLite's reference_integer_ops), per-channel requantization.
 * Weights come as [K][out_c] (the compiler transposes them: K = kh·kw·c for a convolution), so the innermost loop
 * runs along output channels with one input value broadcast, and compilers vectorize it without horizontal sums.
 * Overflow: |x + input_offset| ≤ 255 and |w| ≤ 127, so each product fits in 16 bits and the int32 accumulator
 * holds 2^31 / 32385 ≈ 66,000 of them: more than any K of the supported models.
 */
#include "tinyedge/kernels.h"
#include "tinyedge/fixed_point.h"

#define TE_MM_BLOCK 64

/* y[0..out_c) = requantize(folded_bias + x[0..k) · w[k][out_c]) for one row. */
static void te_row_times_matrix(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t k, int32_t out_c,
                             const te_mac_params *p, int8_t *y) {
  int32_t acc[TE_MM_BLOCK];
  int32_t o0, i, j;
  for (o0 = 0; o0 < out_c; o0 += TE_MM_BLOCK) {
    const int32_t len = out_c - o0 < TE_MM_BLOCK ? out_c - o0 : TE_MM_BLOCK;
    for (j = 0; j < len; j++) acc[j] = folded_bias[o0 + j];
    if (len == TE_MM_BLOCK) {
      /* A whole block: the constant trip count lets compilers keep acc in vector registers across i. */
      for (i = 0; i < k; i++) {
        const int32_t xv = x[i];
        const int8_t *wr = w + i * out_c + o0;
        for (j = 0; j < TE_MM_BLOCK; j++) acc[j] += xv * wr[j];
      }
    } else {
      for (i = 0; i < k; i++) {
        const int32_t xv = x[i];
        const int8_t *wr = w + i * out_c + o0;
        for (j = 0; j < len; j++) acc[j] += xv * wr[j];
      }
    }
    te_requantize_channels(acc, len, p->multipliers + o0, p->shifts + o0, p->output_offset, p->act_min, p->act_max, y + o0);
  }
}

#include "tinyedge/row_drivers.h"
