/*
 * Cortex-M55 Helium (MVE) int8 matrix product with int4 weights (kernel family matmul_w4), weights
 * 'o4-k32-nibbles' (compiler/backends/c/kernel-table.ts): out_c zero-padded to a multiple of four (the folded bias,
 * multipliers and shifts too), K to one of 32; per group of four channels [K32/32][4 channels][16 bytes], byte j of
 * a block holding k = j in its low nibble and k = 16 + j in its high. One 16-byte load is 32 weights of a channel:
 * VSHL #4 then VSHR #4 sign-extends the low nibbles, VSHR #4 the high ones, and each set meets sixteen consecutive
 * inputs in one VMLADAVA.S8. A tile is two rows × four channels (each block decoded once for the two rows, the
 * rows' four input vectors loaded once for the four channels), a lone last row one × four; a k % 32 tail loads the
 * inputs under a predicate (the padded weights are zero).
 */
#include "../internal/asm_build.h"
#include <arm_mve.h>
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/mve_requantize.h"

/* The low and high nibbles of one channel's 16-byte block at wp, sign-extended to int8 lanes. */
#define TE_W4_NIBBLES(wp)                                  \
  const int8x16_t v = vldrbq_s8(wp);                       \
  const int8x16_t lo = vshrq_n_s8(vshlq_n_s8(v, 4), 4);    \
  const int8x16_t hi = vshrq_n_s8(v, 4)

/* acc += the 32 products of the inputs a (k = j) and b (k = 16 + j) with one channel's block at wp. */
#define TE_W4_CHANNEL(acc, wp)                   \
  do {                                           \
    TE_W4_NIBBLES(wp);                           \
    acc = vmladavaq_s8(vmladavaq_s8(acc, a, lo), b, hi); \
  } while (0)

/* The same for two rows (a, b and c, d), the weights decoded once. */
#define TE_W4_CHANNEL2(acc, bcc, wp)                       \
  do {                                                     \
    TE_W4_NIBBLES(wp);                                     \
    acc = vmladavaq_s8(vmladavaq_s8(acc, a, lo), b, hi);   \
    bcc = vmladavaq_s8(vmladavaq_s8(bcc, c, lo), d, hi);   \
  } while (0)

/* The layer's constants as locals (stores through int8_t * could alias fields read through a pointer). */
typedef struct {
  const int32_t *bias, *m, *shift;
  int32_t k, output_offset;
  mve_pred16_t lo_tail, hi_tail; /* the inputs of a k % 32 tail: up to 16 in each half */
  int32x4_t lo, hi;
} te_w4;

/* Channels [o, o + 4) of one row from their sums: requantized and stored (`n` of them: the rest are padding). */
TE_MVE_INLINE void te_w4_store(const te_w4 *L, int right, int32x4_t acc, int32_t o, int32_t n, int8_t *y) {
  const int32x4_t m = vldrwq_s32(L->m + o), s = vldrwq_s32(L->shift + o);
  const int32x4_t v = right ? te_mve_requantize_right(acc, m, s, L->output_offset, L->lo, L->hi)
                            : te_mve_requantize_lanes(acc, m, s, L->output_offset, L->lo, L->hi);
  if (n >= 4) vstrbq_s32(y + o, v);
  else vstrbq_p_s32(y + o, v, vctp32q((uint32_t)n));
}

/* Rows x0 and x1 times channels [o, o + 4) (the group's weights at w) into y0 and y1. */
TE_MVE_INLINE void te_w4_2x4(const te_w4 *L, int right, const int8_t *x0, const int8_t *x1, const int8_t *w, int32_t o,
                             int32_t n, int8_t *y0, int8_t *y1) {
  const int32_t k = L->k;
  int32_t a0 = L->bias[o], a1 = L->bias[o + 1], a2 = L->bias[o + 2], a3 = L->bias[o + 3];
  int32_t b0 = a0, b1 = a1, b2 = a2, b3 = a3, i;
  for (i = 0; i + 32 <= k; i += 32, w += 64) {
    const int8x16_t a = vldrbq_s8(x0 + i), b = vldrbq_s8(x0 + i + 16);
    const int8x16_t c = vldrbq_s8(x1 + i), d = vldrbq_s8(x1 + i + 16);
    TE_W4_CHANNEL2(a0, b0, w);
    TE_W4_CHANNEL2(a1, b1, w + 16);
    TE_W4_CHANNEL2(a2, b2, w + 32);
    TE_W4_CHANNEL2(a3, b3, w + 48);
  }
  if (i < k) {
    const int8x16_t a = vldrbq_z_s8(x0 + i, L->lo_tail), b = vldrbq_z_s8(x0 + i + 16, L->hi_tail);
    const int8x16_t c = vldrbq_z_s8(x1 + i, L->lo_tail), d = vldrbq_z_s8(x1 + i + 16, L->hi_tail);
    TE_W4_CHANNEL2(a0, b0, w);
    TE_W4_CHANNEL2(a1, b1, w + 16);
    TE_W4_CHANNEL2(a2, b2, w + 32);
    TE_W4_CHANNEL2(a3, b3, w + 48);
  }
  te_w4_store(L, right, te_mve_lanes(a0, a1, a2, a3), o, n, y0);
  te_w4_store(L, right, te_mve_lanes(b0, b1, b2, b3), o, n, y1);
}

/* Row x times channels [o, o + 4): a lone last row. */
TE_MVE_INLINE void te_w4_1x4(const te_w4 *L, int right, const int8_t *x, const int8_t *w, int32_t o, int32_t n, int8_t *y) {
  const int32_t k = L->k;
  int32_t a0 = L->bias[o], a1 = L->bias[o + 1], a2 = L->bias[o + 2], a3 = L->bias[o + 3], i;
  for (i = 0; i + 32 <= k; i += 32, w += 64) {
    const int8x16_t a = vldrbq_s8(x + i), b = vldrbq_s8(x + i + 16);
    TE_W4_CHANNEL(a0, w);
    TE_W4_CHANNEL(a1, w + 16);
    TE_W4_CHANNEL(a2, w + 32);
    TE_W4_CHANNEL(a3, w + 48);
  }
  if (i < k) {
    const int8x16_t a = vldrbq_z_s8(x + i, L->lo_tail), b = vldrbq_z_s8(x + i + 16, L->hi_tail);
    TE_W4_CHANNEL(a0, w);
    TE_W4_CHANNEL(a1, w + 16);
    TE_W4_CHANNEL(a2, w + 32);
    TE_W4_CHANNEL(a3, w + 48);
  }
  te_w4_store(L, right, te_mve_lanes(a0, a1, a2, a3), o, n, y);
}

/* Rows two at a time (a lone last one alone), every channel four at a time. */
TE_MVE_INLINE void te_w4_rows(const te_w4 *L, int right, const int8_t *x, const int8_t *w, int32_t rows, int32_t out_c,
                              int8_t *y) {
  const int32_t k = L->k, group = 2 * ((k + 31) & ~31); /* bytes of four channels: 4 · K32 / 2 */
  int32_t r, o;
  for (r = 0; r + 2 <= rows; r += 2)
    for (o = 0; o < out_c; o += 4)
      te_w4_2x4(L, right, x + r * k, x + (r + 1) * k, w + (o / 4) * group, o, out_c - o, y + r * out_c,
                y + (r + 1) * out_c);
  if (r < rows)
    for (o = 0; o < out_c; o += 4) te_w4_1x4(L, right, x + r * k, w + (o / 4) * group, o, out_c - o, y + r * out_c);
}

void te_matmul_w4_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k,
                     int32_t out_c, const te_mac_params *p, int8_t *y) {
  const int32_t rest = k % 32;
  te_w4 L;
  L.bias = folded_bias;
  L.m = p->multipliers;
  L.shift = p->shifts;
  L.k = k;
  L.output_offset = p->output_offset;
  L.lo_tail = vctp8q((uint32_t)(rest < 16 ? rest : 16));
  L.hi_tail = vctp8q((uint32_t)(rest > 16 ? rest - 16 : 0));
  L.lo = vdupq_n_s32(p->act_min);
  L.hi = vdupq_n_s32(p->act_max);
  if (te_right_shifts_only(p->shifts, out_c)) te_w4_rows(&L, 1, x, w, rows, out_c, y);
  else te_w4_rows(&L, 0, x, w, rows, out_c, y);
}
