/*
 * Cortex-M55 Helium (MVE) int8 convolution and matrix product, weights [out_c][k]. A tile is four rows (pixels) by
 * one output channel: each weight vector loaded serves four vmladavaq_s8 (sixteen MACs summed into a scalar), and
 * with k ≤ 16 the four rows stay in registers across all output channels. The four sums form one vector,
 * requantized with the channel's scalar multiplier and shift (kernels/internal/mve_requantize.h) and scattered to the four
 * output rows. Only k % 16 tails load under a predicate; rows past the last multiple of four repeat the last row
 * and are not stored.
 */
#include <arm_mve.h>
#include "tinyedge/kernels.h"
#include "../internal/patch.h"
#include "../internal/mve_requantize.h"

/* What a tile needs besides its rows: the matrix, its constants and where the four output rows go. */
typedef struct {
  const int8_t *w;
  const int32_t *bias, *m, *shift;
  int32_t k, out_c, output_offset, act_min, act_max;
  uint32x4_t rows_at; /* byte offsets of the four output rows: 0, out_c, 2·out_c, 3·out_c */
  mve_pred16_t stored;   /* the rows that exist */
} te_tile;

/* Channel o's four sums (plus bias) requantized and stored; `all` when all four rows exist. The tile's fields are
   copied to locals by the callers (stores through y could alias them otherwise). */
#define TE_STORE_CHANNEL(o, s0, s1, s2, s3)                                                                      \
  do {                                                                                                           \
    const int32x4_t v_ = te_mve_requantize_n(vaddq_n_s32(te_mve_lanes(s0, s1, s2, s3), bias[o]), m[o], shift[o], \
                                             output_offset, lo, hi);                                             \
    if (all) vstrbq_scatter_offset_s32(y + (o), rows_at, v_);                                                     \
    else vstrbq_scatter_offset_p_s32(y + (o), rows_at, v_, stored);                                               \
  } while (0)

#define TE_TILE_LOCALS                                                                                             \
  const int32_t k = t->k, out_c = t->out_c, output_offset = t->output_offset;                                     \
  const int32_t *const bias = t->bias, *const m = t->m, *const shift = t->shift;                                  \
  const int8_t *const w = t->w;                                                                                  \
  const uint32x4_t rows_at = t->rows_at;                                                                         \
  const mve_pred16_t stored = t->stored;                                                                         \
  const int32x4_t lo = vdupq_n_s32(t->act_min), hi = vdupq_n_s32(t->act_max)

/* k ≤ 16: the rows are loaded once; channels whose 16-byte weight read stays inside the matrix load it whole (the
   zeroed row lanes past k cancel the extra bytes), the last ones under the predicate. */
TE_MVE_INLINE void te_tile_short(const te_tile *t, const int8_t *x0, const int8_t *x1, const int8_t *x2, const int8_t *x3, int all,
                                 int8_t *y) {
  TE_TILE_LOCALS;
  const mve_pred16_t lanes = vctp8q((uint32_t)k);
  const int8x16_t a = vldrbq_z_s8(x0, lanes), b = vldrbq_z_s8(x1, lanes), c = vldrbq_z_s8(x2, lanes), d = vldrbq_z_s8(x3, lanes);
  const int32_t whole = (out_c * k - 16) / k + 1; /* channels o with o·k + 16 ≤ out_c·k */
  int32_t o;
  for (o = 0; o < whole && o < out_c; o++) {
    const int8x16_t wv = vldrbq_s8(w + o * k);
    TE_STORE_CHANNEL(o, vmladavq_s8(a, wv), vmladavq_s8(b, wv), vmladavq_s8(c, wv), vmladavq_s8(d, wv));
  }
  for (; o < out_c; o++) {
    const int8x16_t wv = vldrbq_z_s8(w + o * k, lanes);
    TE_STORE_CHANNEL(o, vmladavq_s8(a, wv), vmladavq_s8(b, wv), vmladavq_s8(c, wv), vmladavq_s8(d, wv));
  }
}

/* k > 16: sixteen k a step for each channel, the tail under a predicate. */
TE_MVE_INLINE void te_tile_long(const te_tile *t, const int8_t *x0, const int8_t *x1, const int8_t *x2, const int8_t *x3, int all,
                                int8_t *y) {
  TE_TILE_LOCALS;
  const int32_t k16 = k & ~15;
  const mve_pred16_t tail = vctp8q((uint32_t)(k - k16));
  int32_t o, i;
  for (o = 0; o < out_c; o++) {
    const int8_t *wo = w + o * k;
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (i = 0; i < k16; i += 16) {
      const int8x16_t wv = vldrbq_s8(wo + i);
      s0 = vmladavaq_s8(s0, vldrbq_s8(x0 + i), wv);
      s1 = vmladavaq_s8(s1, vldrbq_s8(x1 + i), wv);
      s2 = vmladavaq_s8(s2, vldrbq_s8(x2 + i), wv);
      s3 = vmladavaq_s8(s3, vldrbq_s8(x3 + i), wv);
    }
    if (k16 < k) {
      const int8x16_t wv = vldrbq_z_s8(wo + k16, tail);
      s0 = vmladavaq_s8(s0, vldrbq_z_s8(x0 + k16, tail), wv);
      s1 = vmladavaq_s8(s1, vldrbq_z_s8(x1 + k16, tail), wv);
      s2 = vmladavaq_s8(s2, vldrbq_z_s8(x2 + k16, tail), wv);
      s3 = vmladavaq_s8(s3, vldrbq_z_s8(x3 + k16, tail), wv);
    }
    TE_STORE_CHANNEL(o, s0, s1, s2, s3);
  }
}

/* Up to four rows (n of them; the pointers past n repeat the last row) times the matrix into y, rows out_c apart. */
static void te_rows_times_matrix(const te_tile *t, const int8_t *x0, const int8_t *x1, const int8_t *x2, const int8_t *x3, int32_t n,
                                 int8_t *y) {
  if (t->k <= 16) {
    if (n == 4) te_tile_short(t, x0, x1, x2, x3, 1, y);
    else te_tile_short(t, x0, x1, x2, x3, 0, y);
  } else {
    if (n == 4) te_tile_long(t, x0, x1, x2, x3, 1, y);
    else te_tile_long(t, x0, x1, x2, x3, 0, y);
  }
}

static te_tile te_tile_of(const int8_t *w, const int32_t *folded_bias, int32_t k, int32_t out_c, const te_mac_params *p, int32_t n) {
  te_tile t;
  t.w = w;
  t.bias = folded_bias;
  t.m = p->multipliers;
  t.shift = p->shifts;
  t.output_offset = p->output_offset;
  t.act_min = p->act_min;
  t.act_max = p->act_max;
  t.k = k;
  t.out_c = out_c;
  t.rows_at = vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)out_c);
  t.stored = vctp32q((uint32_t)n);
  return t;
}

void te_matmul_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k, int32_t out_c,
                  const te_mac_params *p, int8_t *y) {
  const te_tile full = te_tile_of(w, folded_bias, k, out_c, p, 4);
  int32_t r;
  for (r = 0; r + 4 <= rows; r += 4) {
    const int8_t *x0 = x + r * k;
    te_rows_times_matrix(&full, x0, x0 + k, x0 + 2 * k, x0 + 3 * k, 4, y + r * out_c);
  }
  if (r < rows) {
    const int32_t n = rows - r;
    const te_tile part = te_tile_of(w, folded_bias, k, out_c, p, n);
    const int8_t *x0 = x + r * k, *last = x + (rows - 1) * k;
    te_rows_times_matrix(&part, x0, n > 1 ? x0 + k : last, n > 2 ? x0 + 2 * k : last, last, n, y + r * out_c);
  }
}

/* Two output pixels' windows at a time (the patch holds two), as a two-row tile. */
void te_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, const te_window *g, int32_t out_c,
                  const te_mac_params *p, int8_t *patch, int8_t *y) {
  const int32_t k = g->kh * g->kw * g->c;
  const int8_t zero_point = (int8_t)(-p->input_offset);
  const te_tile two = te_tile_of(w, folded_bias, k, out_c, p, 2), one = te_tile_of(w, folded_bias, k, out_c, p, 1);
  int32_t n, oy, ox;
  for (n = 0; n < g->n; n++) {
    for (oy = 0; oy < g->oh; oy++) {
      for (ox = 0; ox + 1 < g->ow; ox += 2) {
        te_gather_patch(x, g, n, oy, ox, zero_point, patch);
        te_gather_patch(x, g, n, oy, ox + 1, zero_point, patch + k);
        te_rows_times_matrix(&two, patch, patch + k, patch + k, patch + k, 2, y);
        y += 2 * out_c;
      }
      if (ox < g->ow) {
        te_gather_patch(x, g, n, oy, ox, zero_point, patch);
        te_rows_times_matrix(&one, patch, patch, patch, patch, 1, y);
        y += out_c;
      }
    }
  }
}
