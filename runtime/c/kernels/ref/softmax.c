/*
 * Reference int8 softmax, TFLite's (see prepare-int8.ts): exp_table[d] is exp(-d scaled) in Q0.31, 0 for skipped d;
 * the row's sum in Q12.19 and its reciprocal (kernels/internal/softmax_reciprocal.h) rescale each exponential.
 */
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/softmax_reciprocal.h"

void te_softmax_s8(const int8_t *x, int32_t rows, int32_t depth, const int32_t exp_table[256], int8_t *y) {
  int32_t r, i;
  for (r = 0; r < rows; r++) {
    const int8_t *xr = x + r * depth;
    int32_t max = -128, sum = 0;
    te_softmax_reciprocal q;
    for (i = 0; i < depth; i++) max = xr[i] > max ? xr[i] : max;
    /* Q12.19 sum; at most 4095 classes of at most 2^19 each keep it below 2^31, and the max adds 2^19 (not 0). */
    for (i = 0; i < depth; i++) sum += te_rdbpot(exp_table[max - xr[i]], 12);
    q = te_softmax_reciprocal_of(sum);
    for (i = 0; i < depth; i++) {
      /* Beyond a shift of 31 (TFLM aborts there) every quotient rounds to 0. */
      const int32_t v = q.exponent > 31 ? 0 : te_rdbpot(te_srdhm(q.scale, exp_table[max - xr[i]]), q.exponent);
      y[r * depth + i] = (int8_t)te_clamp(v - 128, -128, 127);
    }
  }
}
