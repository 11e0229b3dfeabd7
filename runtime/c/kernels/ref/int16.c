/*
 * Reference 16×8 kernels (TFLite's 16x8 reference_integer_ops): int16 activations (zero point 0), int8 weights,
 * int64 biases. Every target runs these, whatever its ISA folders. The elementwise, pooling, pad and requantizing
 * kernels are the int8 ones' loops over int16 with the same per-element formulas (kernels/internal/element_ops.h);
 * then TFLite's SoftmaxInt16. The MACs are family int16_mac (ref/int16_mac.c, and the ISA folders that have it), the
 * add family int16_add (ref/int16_add.c, likewise).
 */
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/element_ops.h"

void te_mul_s16(const int16_t *a, const int16_t *b, const te_broadcast *s, const te_binary_params *p, int16_t *y) {
  te_binary_s16(a, b, s, p, y, te_mul_element);
}

void te_avg_pool_s16(const int16_t *x, const te_window *g, int32_t act_min, int32_t act_max, int16_t *y) {
  te_pool_s16(x, g, act_min, act_max, y, 0);
}

void te_max_pool_s16(const int16_t *x, const te_window *g, int32_t act_min, int32_t act_max, int16_t *y) {
  te_pool_s16(x, g, act_min, act_max, y, 1);
}

void te_mean_s16(const int16_t *x, int32_t outer, int32_t reduced, int32_t inner, int32_t input_offset,
                 int32_t multiplier, int32_t shift, int32_t output_offset, int16_t *y) {
  int32_t o, r, i;
  for (o = 0; o < outer; o++)
    for (i = 0; i < inner; i++) {
      int32_t sum = 0;
      for (r = 0; r < reduced; r++) sum += x[(o * reduced + r) * inner + i] + input_offset;
      y[o * inner + i] = (int16_t)te_clamp(te_mean_element(sum, reduced, multiplier, shift, output_offset), -32768, 32767);
    }
}

void te_pad_s16(const int16_t *x, const int32_t shape[4], const int32_t before[4], const int32_t after[4],
                int16_t value, int16_t *y) {
  int32_t o[4], i0, i1, i2, i3;
  for (i0 = 0; i0 < 4; i0++) o[i0] = shape[i0] + before[i0] + after[i0];
  for (i0 = 0; i0 < o[0]; i0++)
    for (i1 = 0; i1 < o[1]; i1++)
      for (i2 = 0; i2 < o[2]; i2++)
        for (i3 = 0; i3 < o[3]; i3++) {
          const int32_t from = te_pad_source(shape, before, i0, i1, i2, i3);
          *y++ = from < 0 ? value : x[from];
        }
}

/* The requantizing copies: int16 to int16, and QUANTIZE's int8 → int16 and int16 → int8. */
void te_requantize_s16(const int16_t *x, int32_t outer, int32_t chunk, int32_t y_stride, const te_requant_params *p,
                       int16_t *y) {
  int32_t r, i;
  for (r = 0; r < outer; r++)
    for (i = 0; i < chunk; i++) y[r * y_stride + i] = (int16_t)te_requantize_element(x[r * chunk + i], p);
}

void te_requantize_s8_s16(const int8_t *x, int32_t outer, int32_t chunk, int32_t y_stride, const te_requant_params *p,
                          int16_t *y) {
  int32_t r, i;
  for (r = 0; r < outer; r++)
    for (i = 0; i < chunk; i++) y[r * y_stride + i] = (int16_t)te_requantize_element(x[r * chunk + i], p);
}

void te_requantize_s16_s8(const int16_t *x, int32_t outer, int32_t chunk, int32_t y_stride, const te_requant_params *p,
                          int8_t *y) {
  int32_t r, i;
  for (r = 0; r < outer; r++)
    for (i = 0; i < chunk; i++) y[r * y_stride + i] = (int8_t)te_requantize_element(x[r * chunk + i], p);
}

/* TFLite's generic_int16_table_lookup: the entry at 256 + (v >> 7) plus the slope to the next one times (v & 127),
   rounded; v in the int16 range, so the index stays in 0..511. */
static int16_t lookup(int32_t v, const int16_t lut[513]) {
  const int32_t i = 256 + (v >> 7);
  return (int16_t)(lut[i] + (((lut[i + 1] - lut[i]) * (v & 0x7f) + 64) >> 7));
}

void te_softmax_s16(const int16_t *x, int32_t rows, int32_t depth, int32_t input_multiplier, int32_t input_shift,
                    const int16_t exp_lut[513], const int16_t reciprocal_lut[513], int16_t *y) {
  int32_t r, i;
  for (r = 0; r < rows; r++) {
    const int16_t *xr = x + r * depth;
    int16_t *yr = y + r * depth;
    int32_t max = -32768, sum = 0, shifted, reciprocal;
    int headroom_plus_one, right_shift;
    for (i = 0; i < depth; i++) max = xr[i] > max ? xr[i] : max;
    for (i = 0; i < depth; i++) {
      const int32_t d = te_mbqm(xr[i] - max, input_multiplier, input_shift) + 32767;
      yr[i] = lookup(te_clamp(d, -32768, 32767), exp_lut);
      sum += yr[i];
    }
    /* The max's own exponential is about 2^15, so 2^15 ≤ sum < 2^31 and the shifts below are in 0..16 and 14..30. */
    headroom_plus_one = te_clz32((uint32_t)sum);
    shifted = (int32_t)((((int64_t)sum << (headroom_plus_one - 1)) + (1 << 13)) >> 14);
    reciprocal = lookup(te_clamp(shifted - ((1 << 15) + (1 << 16)), -32768, 32767), reciprocal_lut);
    right_shift = 31 - headroom_plus_one;
    for (i = 0; i < depth; i++) {
      const int64_t q = ((int64_t)yr[i] * reciprocal + ((int64_t)1 << (right_shift - 1))) >> right_shift;
      yr[i] = (int16_t)(q < 0 ? 0 : q > 32767 ? 32767 : q);
    }
  }
}
