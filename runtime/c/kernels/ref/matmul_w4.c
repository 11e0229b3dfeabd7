/*
 * Reference int8 matrix product with int4 weights (kernel family matmul_w4): te_matmul_s8's arithmetic
 * (ref/conv2d.c: acc = folded_bias[o] + Σ_i x[i]·w[o][i], requantized per channel) on weights stored two a byte,
 * 'nibble-rows' (compiler/backends/c/kernel-table.ts): row o is ceil(k/2) bytes, k = 2i in the low nibble of byte i
 * and 2i + 1 in its high nibble, two's complement. The integer reference reads the same values as int8.
 * Overflow: |x·w| ≤ 128·7, below int8 weights' products, so ref/conv2d.c's bound holds.
 */
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"

/* The two's complement value of the low nibble of v. */
static inline int32_t te_nibble(uint32_t v) {
  return (int32_t)((v & 15u) ^ 8u) - 8;
}

/* One row: y[0..out_c) = requantize(folded_bias + x[0..k) · w[out_c][k]). */
static void te_row_times_nibbles(const int8_t *x, const uint8_t *w, const int32_t *folded_bias, int32_t k, int32_t out_c,
                                 const te_mac_params *p, int8_t *y) {
  const int32_t stride = (k + 1) / 2;
  int32_t o, i;
  for (o = 0; o < out_c; o++) {
    const uint8_t *row = w + o * stride;
    int32_t acc = folded_bias[o];
    for (i = 0; i + 1 < k; i += 2) {
      const uint32_t b = row[i >> 1];
      acc += x[i] * te_nibble(b) + x[i + 1] * te_nibble(b >> 4);
    }
    if (i < k) acc += x[i] * te_nibble(row[i >> 1]);
    te_requantize_channels(&acc, 1, p->multipliers + o, p->shifts + o, p->output_offset, p->act_min, p->act_max, y + o);
  }
}

void te_matmul_w4_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k,
                     int32_t out_c, const te_mac_params *p, int8_t *y) {
  int32_t r;
  for (r = 0; r < rows; r++)
    te_row_times_nibbles(x + r * k, (const uint8_t *)w, folded_bias, k, out_c, p, y + r * out_c);
}
