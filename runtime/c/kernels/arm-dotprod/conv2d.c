/*
 * Armv8.2-A dot-product int8 convolution and matrix product (Cortex-A76 and later; the A72 has no SDOT and traps
 * on it), weights 'o8-k4' (kernel-table.ts): a tile of four rows (pixels) × eight output channels keeps eight int32x4
 * accumulators in registers; per sixteen k each row's inputs are one vector, and SDOT by element multiplies four k of
 * four channels (one weight vector) with one 4-byte lane of it: 32 SDOT, 512 MACs, for 12 loads. K's last k % 16
 * come from a zero-padded copy, so no load passes a row's end (the layout's padded k have zero weights). The offsets
 * need no care here: the compiler folded input_offset·Σw into the bias (padded, like the multipliers and shifts, to
 * a multiple of 8 channels). Bit-exact with kernels/ref: integer sums in any order are equal.
 */
#include <arm_neon.h>
#include <string.h>
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/patch.h"
#include "../internal/arm_requantize.h"

#define TE_INLINE static inline __attribute__((always_inline))

/* acc[r] += weight vectors w0 (channels 0-3) and w1 (4-7) dotted with four k of row r: lane L of xv[r]. */
#define TE_DOT_LANE(L)                                       \
  {                                                          \
    const int8x16_t w0 = vld1q_s8(wb), w1 = vld1q_s8(wb + 16); \
    wb += 32;                                                \
    for (r = 0; r < R; r++) {                                \
      acc[r][0] = vdotq_laneq_s32(acc[r][0], w0, xv[r], L);  \
      acc[r][1] = vdotq_laneq_s32(acc[r][1], w1, xv[r], L);  \
    }                                                        \
  }

/* R rows of K inputs each (x), and their last K % 16 zero-padded to a vector (tail). */
typedef struct {
  const int8_t *x[4];
  int8_t tail[4][16];
} te_dot_rows;

/* The rows' zero-padded tails. */
static void te_dot_tails(te_dot_rows *t, int32_t rows, int32_t k) {
  const int32_t k16 = k & ~15;
  int32_t r;
  if (k16 == k) return;
  for (r = 0; r < rows; r++) {
    memset(t->tail[r], 0, 16);
    memcpy(t->tail[r], t->x[r] + k16, (size_t)(k - k16));
  }
}

/* Channels [o, o + 8) (the first `n` real) of R rows into yr[0..R); wb: the group's weights. */
TE_INLINE void te_dot_block(const te_dot_rows *t, const int R, const int8_t *wb, int32_t k, int32_t o, int32_t n,
                            const int32_t *bias, const te_mac_params *p, int8_t *const yr[4]) {
  const int32_t k16 = k & ~15;
  int32x4_t acc[4][2];
  int8x16_t xv[4];
  int32_t r, i;
  for (r = 0; r < R; r++) {
    acc[r][0] = vld1q_s32(bias + o);
    acc[r][1] = vld1q_s32(bias + o + 4);
  }
  for (i = 0; i < k16; i += 16) {
    for (r = 0; r < R; r++) xv[r] = vld1q_s8(t->x[r] + i);
    TE_DOT_LANE(0) TE_DOT_LANE(1) TE_DOT_LANE(2) TE_DOT_LANE(3)
  }
  if (i < k) {
    const int32_t groups = (k - i + 3) / 4;
    for (r = 0; r < R; r++) xv[r] = vld1q_s8(t->tail[r]);
    TE_DOT_LANE(0)
    if (groups > 1) TE_DOT_LANE(1)
    if (groups > 2) TE_DOT_LANE(2)
    if (groups > 3) TE_DOT_LANE(3)
  }
  {
    const te_requant4 q0 = te_requant4_load(p->multipliers + o, p->shifts + o);
    const te_requant4 q1 = te_requant4_load(p->multipliers + o + 4, p->shifts + o + 4);
    const int16x8_t offset = vdupq_n_s16((int16_t)p->output_offset);
    const int8x8_t lo = vdup_n_s8((int8_t)p->act_min), hi = vdup_n_s8((int8_t)p->act_max);
    for (r = 0; r < R; r++) {
      const int8x8_t v = vmin_s8(vmax_s8(te_offset_narrow8(te_mbqm4(acc[r][0], q0), te_mbqm4(acc[r][1], q1), offset), lo), hi);
      if (n == 8) {
        vst1_s8(yr[r] + o, v);
      } else {
        int8_t bytes[8];
        vst1_s8(bytes, v);
        memcpy(yr[r] + o, bytes, (size_t)n);
      }
    }
  }
}

/* Every output channel of R rows. */
TE_INLINE void te_dot_rows_out(const te_dot_rows *t, const int R, const int8_t *w, const int32_t *bias, int32_t k,
                               int32_t out_c, const te_mac_params *p, int8_t *const yr[4]) {
  const int32_t group = 8 * ((k + 3) & ~3);
  int32_t o;
  for (o = 0; o < out_c; o += 8, w += group) te_dot_block(t, R, w, k, o, out_c - o < 8 ? out_c - o : 8, bias, p, yr);
}

void te_matmul_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k, int32_t out_c,
                  const te_mac_params *p, int8_t *y) {
  int32_t r0 = 0, tile, r;
  te_dot_rows t;
  /* Tiles of four rows, then two and one for the rest (a fully connected layer's one row), never a repeated row. */
  for (tile = 4; tile >= 1; tile /= 2) {
    for (; r0 + tile <= rows; r0 += tile) {
      int8_t *yr[4];
      for (r = 0; r < tile; r++) {
        t.x[r] = x + (r0 + r) * k;
        yr[r] = y + (r0 + r) * out_c;
      }
      te_dot_tails(&t, tile, k);
      if (tile == 4) te_dot_rows_out(&t, 4, w, folded_bias, k, out_c, p, yr);
      else if (tile == 2) te_dot_rows_out(&t, 2, w, folded_bias, k, out_c, p, yr);
      else te_dot_rows_out(&t, 1, w, folded_bias, k, out_c, p, yr);
    }
  }
}

/* Pixels two at a time through the patch (the scratch holds two windows), the last alone. */
void te_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, const te_window *g, int32_t out_c,
                  const te_mac_params *p, int8_t *patch, int8_t *y) {
  const int32_t k = g->kh * g->kw * g->c, pixels = g->oh * g->ow;
  const int8_t zero_point = (int8_t)(-p->input_offset);
  te_dot_rows t;
  int32_t n, i;
  t.x[0] = patch;
  t.x[1] = patch + k;
  for (n = 0; n < g->n; n++) {
    for (i = 0; i < pixels; i += 2) {
      int8_t *const yr[4] = {y, y + out_c, NULL, NULL};
      te_gather_patch(x, g, n, i / g->ow, i % g->ow, zero_point, patch);
      if (i + 1 < pixels) {
        te_gather_patch(x, g, n, (i + 1) / g->ow, (i + 1) % g->ow, zero_point, patch + k);
        te_dot_tails(&t, 2, k);
        te_dot_rows_out(&t, 2, w, folded_bias, k, out_c, p, yr);
        y += 2 * out_c;
      } else {
        te_dot_tails(&t, 1, k);
        te_dot_rows_out(&t, 1, w, folded_bias, k, out_c, p, yr);
        y += out_c;
      }
    }
  }
}
