/* Reference int8 elementwise kernels: add (TFLite's left shift 20), mul, requantizing copy, softmax, lookup. */
#include "tinyedge/kernels.h"
#include "tinyedge/fixed_point.h"

#define TE_ADD_LEFT_SHIFT 20

static int8_t add_one(int32_t a, int32_t b, const te_binary_params *p) {
  const int32_t sa = te_mbqm((a + p->input1_offset) * (1 << TE_ADD_LEFT_SHIFT), p->input1_multiplier, p->input1_shift);
  const int32_t sb = te_mbqm((b + p->input2_offset) * (1 << TE_ADD_LEFT_SHIFT), p->input2_multiplier, p->input2_shift);
  return (int8_t)te_clamp(te_mbqm(sa + sb, p->output_multiplier, p->output_shift) + p->output_offset, p->act_min, p->act_max);
}

static int8_t mul_one(int32_t a, int32_t b, const te_binary_params *p) {
  const int32_t prod = (a + p->input1_offset) * (b + p->input2_offset);
  return (int8_t)te_clamp(te_mbqm(prod, p->output_multiplier, p->output_shift) + p->output_offset, p->act_min, p->act_max);
}

/* Walks the output in order; each input is read through its strides (0 on broadcast dimensions). */
static void broadcast(const int8_t *a, const int8_t *b, const te_broadcast *s, const te_binary_params *p, int8_t *y,
                      int8_t (*one)(int32_t, int32_t, const te_binary_params *)) {
  int32_t d[4] = {1, 1, 1, 1}, sa[4] = {0, 0, 0, 0}, sb[4] = {0, 0, 0, 0};
  int32_t k, i0, i1, i2, i3;
  for (k = 0; k < s->rank; k++) {
    d[4 - s->rank + k] = s->out_shape[k];
    sa[4 - s->rank + k] = s->a_strides[k];
    sb[4 - s->rank + k] = s->b_strides[k];
  }
  for (i0 = 0; i0 < d[0]; i0++)
    for (i1 = 0; i1 < d[1]; i1++)
      for (i2 = 0; i2 < d[2]; i2++)
        for (i3 = 0; i3 < d[3]; i3++)
          *y++ = one(a[i0 * sa[0] + i1 * sa[1] + i2 * sa[2] + i3 * sa[3]], b[i0 * sb[0] + i1 * sb[1] + i2 * sb[2] + i3 * sb[3]], p);
}

void te_add_s8(const int8_t *a, const int8_t *b, const te_broadcast *s, const te_binary_params *p, int8_t *y) {
  broadcast(a, b, s, p, y, add_one);
}

void te_mul_s8(const int8_t *a, const int8_t *b, const te_broadcast *s, const te_binary_params *p, int8_t *y) {
  broadcast(a, b, s, p, y, mul_one);
}

void te_requantize_s8(const int8_t *x, int32_t outer, int32_t chunk, int32_t y_stride, const te_requant_params *p,
                      int8_t *y) {
  int32_t r, i;
  for (r = 0; r < outer; r++) {
    const int8_t *xr = x + r * chunk;
    int8_t *yr = y + r * y_stride;
    for (i = 0; i < chunk; i++) {
      const int32_t v = p->identity ? xr[i] : te_mbqm(xr[i] + p->input_offset, p->multiplier, p->shift) + p->output_offset;
      yr[i] = (int8_t)te_clamp(v, p->act_min, p->act_max);
    }
  }
}

/* Count of leading zero bits of a non-zero x. */
static int clz32(uint32_t x) {
#if defined(__GNUC__)
  return __builtin_clz(x);
#else
  int n = 0;
  while (!(x & 0x80000000u)) {
    x <<= 1;
    n++;
  }
  return n;
#endif
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
    headroom_plus_one = clz32((uint32_t)sum);
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
