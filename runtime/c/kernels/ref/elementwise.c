/*
 * Reference int8 elementwise kernels: mul with broadcasting, the requantizing copy (concat, reshape, clamp,
 * quantize), softmax and table lookup (add is its own family: add.c). The per-element formulas of mul and the copy,
 * with their overflow bounds, are kernels/internal/element_ops.h's, which the 16×8 kernels (int16.c) share.
 */
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/element_ops.h"

void te_mul_s8(const int8_t *a, const int8_t *b, const te_broadcast *s, const te_binary_params *p, int8_t *y) {
  te_binary_s8(a, b, s, p, y, te_mul_element);
}

void te_requantize_s8(const int8_t *x, int32_t outer, int32_t chunk, int32_t y_stride, const te_requant_params *p,
                      int8_t *y) {
  int32_t r, i;
  for (r = 0; r < outer; r++)
    for (i = 0; i < chunk; i++) y[r * y_stride + i] = (int8_t)te_requantize_element(x[r * chunk + i], p);
}

/* gemmlowp SaturatingRoundingMultiplyByPOT for exponent in 1..30: x * 2^exponent, saturating. */
static int32_t saturating_shl(int32_t x, int exponent) {
  const int32_t threshold = (int32_t)((1u << (31 - exponent)) - 1u);
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (int32_t)((uint32_t)x << exponent);
}

/* gemmlowp one_over_one_plus_x_for_x_in_0_1: 1/(1 + a) in Q0.31 for a in [0, 1) as Q0.31, by three
   Newton-Raphson steps on Q2.29 from 48/17 - 32/17 * d, d = (1 + a)/2. */
static int32_t one_over_one_plus_x(int32_t a) {
  const int32_t half_denominator = (int32_t)(((int64_t)a + INT32_MAX + 1) / 2); /* RoundingHalfSum(a, 1.0), a >= 0 */
  int32_t x = 1515870810 + te_srdhm(half_denominator, -1010580540);
  int i;
  for (i = 0; i < 3; i++) x += saturating_shl(te_srdhm(x, (1 << 29) - te_srdhm(half_denominator, x)), 2);
  return saturating_shl(x, 1); /* Q2.29 halved is Q1.30 (same bits), then to Q0.31 */
}

/* TFLite's int8 softmax (see prepare-int8.ts): exp_table[d] is exp(-d scaled) in Q0.31, 0 for skipped d. */
void te_softmax_s8(const int8_t *x, int32_t rows, int32_t depth, const int32_t exp_table[256], int8_t *y) {
  int32_t r, i;
  for (r = 0; r < rows; r++) {
    const int8_t *xr = x + r * depth;
    int32_t max = -128, sum = 0, scale;
    int headroom_plus_one, exponent;
    for (i = 0; i < depth; i++) max = xr[i] > max ? xr[i] : max;
    /* Q12.19 sum; at most 4095 classes of at most 2^19 each keep it below 2^31, and the max adds 2^19 (not 0). */
    for (i = 0; i < depth; i++) sum += te_rdbpot(exp_table[max - xr[i]], 12);
    /* GetReciprocal: sum = (1 + f) * 2^(12 - headroom_plus_one), scale = 1/(1 + f). */
    headroom_plus_one = te_clz32((uint32_t)sum);
    scale = one_over_one_plus_x((int32_t)(((uint32_t)sum << headroom_plus_one) & 0x7fffffffu));
    exponent = 12 - headroom_plus_one + 31 - 8;
    for (i = 0; i < depth; i++) {
      /* Beyond a shift of 31 (TFLM aborts there) every quotient rounds to 0. */
      const int32_t q = exponent > 31 ? 0 : te_rdbpot(te_srdhm(scale, exp_table[max - xr[i]]), exponent);
      y[r * depth + i] = (int8_t)te_clamp(q - 128, -128, 127);
    }
  }
}

void te_lookup_s8(const int8_t *x, int32_t n, const int8_t table[256], int8_t *y) {
  int32_t i;
  for (i = 0; i < n; i++) y[i] = table[x[i] + 128];
}
