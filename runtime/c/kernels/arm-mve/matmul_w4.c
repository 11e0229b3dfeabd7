/*
 * Cortex-M55 Helium (MVE) int8 matrix product with int4 weights (kernel family matmul_w4), weights
 * 'o4-k32-nibbles' (compiler/backends/c/kernel-table.ts): out_c zero-padded to a multiple of four (the folded bias,
 * multipliers and shifts too), K to one of 32; per group of four channels [K32/32][4 channels][16 bytes], byte j of
 * a block holding k = j in its low nibble and k = 16 + j in its high. One 16-byte load is 32 weights of a channel:
 * VSHL #4 then VSHR #4 sign-extends the low nibbles, VSHR #4 the high ones, and each set meets sixteen consecutive
 * inputs in one VMLADAVA.S8. Rows are taken one at a time, four channels a pass (the two input vectors loaded once
 * for the four); a k % 32 tail loads the inputs under a predicate (the padded weights are zero).
 */
#include <arm_mve.h>
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/mve_requantize.h"

/* acc += the 32 products of the inputs a (k = j) and b (k = 16 + j) with one channel's block at wp. */
#define TE_W4_CHANNEL(acc, wp)                                    \
  do {                                                            \
    const int8x16_t v = vldrbq_s8(wp);                            \
    acc = vmladavaq_s8(acc, a, vshrq_n_s8(vshlq_n_s8(v, 4), 4));  \
    acc = vmladavaq_s8(acc, b, vshrq_n_s8(v, 4));                 \
  } while (0)

/* Channels [o, o + 4) of one row: the sums over every block, requantized and stored (`n` of them). */
TE_MVE_INLINE void te_w4_group(const int8_t *x, const int8_t *w, const int32_t *bias, int32_t k, int32_t o, int32_t n,
                               const te_mac_params *p, int right, int8_t *y) {
  const int32_t rest = k % 32;
  int32_t a0 = bias[o], a1 = bias[o + 1], a2 = bias[o + 2], a3 = bias[o + 3], i;
  int32x4_t m, s, v;
  for (i = 0; i + 32 <= k; i += 32, w += 64) {
    const int8x16_t a = vldrbq_s8(x + i), b = vldrbq_s8(x + i + 16);
    TE_W4_CHANNEL(a0, w);
    TE_W4_CHANNEL(a1, w + 16);
    TE_W4_CHANNEL(a2, w + 32);
    TE_W4_CHANNEL(a3, w + 48);
  }
  if (rest) {
    const int8x16_t a = vldrbq_z_s8(x + i, vctp8q((uint32_t)(rest < 16 ? rest : 16)));
    const int8x16_t b = vldrbq_z_s8(x + i + 16, vctp8q((uint32_t)(rest > 16 ? rest - 16 : 0)));
    TE_W4_CHANNEL(a0, w);
    TE_W4_CHANNEL(a1, w + 16);
    TE_W4_CHANNEL(a2, w + 32);
    TE_W4_CHANNEL(a3, w + 48);
  }
  m = vldrwq_s32(p->multipliers + o);
  s = vldrwq_s32(p->shifts + o);
  v = te_mve_lanes(a0, a1, a2, a3);
  v = right ? te_mve_requantize_right(v, m, s, p->output_offset, vdupq_n_s32(p->act_min), vdupq_n_s32(p->act_max))
            : te_mve_requantize_lanes(v, m, s, p->output_offset, vdupq_n_s32(p->act_min), vdupq_n_s32(p->act_max));
  if (n >= 4) vstrbq_s32(y + o, v);
  else vstrbq_p_s32(y + o, v, vctp32q((uint32_t)n));
}

TE_MVE_INLINE void te_w4_rows(const int8_t *x, const int8_t *w, const int32_t *bias, int32_t rows, int32_t k,
                              int32_t out_c, const te_mac_params *p, int right, int8_t *y) {
  const int32_t group = 2 * ((k + 31) & ~31); /* bytes of four channels: 4 · K32 / 2 */
  int32_t r, o;
  for (r = 0; r < rows; r++)
    for (o = 0; o < out_c; o += 4)
      te_w4_group(x + r * k, w + (o / 4) * group, bias, k, o, out_c - o, p, right, y + r * out_c);
}

void te_matmul_w4_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k,
                     int32_t out_c, const te_mac_params *p, int8_t *y) {
  if (te_right_shifts_only(p->shifts, out_c)) te_w4_rows(x, w, folded_bias, rows, k, out_c, p, 1, y);
  else te_w4_rows(x, w, folded_bias, rows, k, out_c, p, 0, y);
}
