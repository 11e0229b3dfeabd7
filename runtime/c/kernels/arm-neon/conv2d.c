/*
 * AArch64 Advanced SIMD int8 convolution and matrix product (Cortex-A72, no SDOT), weights [K][out_c] (k-major, as
 * kernels/ref): a tile of four rows (pixels) × sixteen output channels keeps its sixteen int32x4 accumulators in
 * registers; each k loads sixteen weights once, widens them to int16, and SMLAL-by-element multiplies them with that
 * k's input of every row (eight k of a row widened at once, held in one register): 64 MACs for 19 instructions.
 * Eight-channel blocks take out_c % 16 ≥ 8, a scalar loop the last out_c % 8. The offsets need no care here: the
 * compiler folded input_offset·Σw into the bias. Bit-exact with kernels/ref: integer sums in any order are equal.
 * te_matmul_pairs_s8 reads 'o4-k16' weights instead and runs along k (kernels/internal/neon_matmul_pairs.h).
 */
#include <arm_neon.h>
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/patch.h"
#include "../internal/arm_requantize.h"
#include "../internal/neon_matmul_pairs.h"

#define TE_INLINE static inline __attribute__((always_inline))

/* acc[r][q] += lanes 4q..4q+3 of the widened weights `wl`, `wh` times xv[r] lane J, for the R rows and NQ quarters. */
#define TE_MLA_LANE(J)                                                            \
  for (r = 0; r < R; r++) {                                                       \
    acc[r][0] = vmlal_laneq_s16(acc[r][0], vget_low_s16(wl), xv[r], J);           \
    acc[r][1] = vmlal_high_laneq_s16(acc[r][1], wl, xv[r], J);                    \
    if (NQ == 4) {                                                                \
      acc[r][2] = vmlal_laneq_s16(acc[r][2], vget_low_s16(wh), xv[r], J);         \
      acc[r][3] = vmlal_high_laneq_s16(acc[r][3], wh, xv[r], J);                  \
    }                                                                             \
  }

/* The weights of k row `wk` (channels o..o + 4·NQ) widened into wl (and wh when NQ is 4). */
#define TE_LOAD_W(wk)                                   \
  if (NQ == 4) {                                        \
    const int8x16_t wv = vld1q_s8(wk);                  \
    wl = vmovl_s8(vget_low_s8(wv));                     \
    wh = vmovl_high_s8(wv);                             \
  } else {                                              \
    wl = vmovl_s8(vld1_s8(wk));                         \
  }

#define TE_STEP(J)               \
  TE_LOAD_W(ws + (i + J) * out_c) \
  TE_MLA_LANE(J)

/* The input rows of a tile: row r's K values are `segs` runs of `seg` bytes, run s at x[r] + s·stride (a matrix row
   or a gathered patch: one run of K; a window inside the input: its kh rows of kw·c bytes, read where they lie). */
typedef struct {
  const int8_t *x[4];
  int32_t seg, segs, stride;
} te_tile_rows;

/* The R rows' quarters rescaled by RESCALE(q) (acc[r][q] rescaled), offset, clamped and stored. */
#define TE_STORE_ROWS(RESCALE)                                                    \
  for (r = 0; r < R && r < stored; r++)                                           \
    for (q = 0; q < NQ; q += 2) {                                                 \
      const int8x8_t v = te_offset_narrow8(RESCALE(q), RESCALE(q + 1), offset);   \
      vst1_s8(yr[r] + o + 4 * q, vmin_s8(vmax_s8(v, lo), hi));                    \
    }
#define TE_RESCALE(Q) te_mbqm4(acc[r][Q], rq[Q])
#define TE_RESCALE_RIGHT(Q) te_mbqm4_right(acc[r][Q], m[Q], sh[Q])

/* Channels [o, o + 4·NQ) of R rows into yr[0..stored) (R and NQ constants after inlining, so acc stays in registers;
   rows past `stored` repeat a real row and are not stored). `right`: every shift of the layer is a right shift. */
TE_INLINE void te_neon_block(const te_tile_rows *t, const int R, const int NQ, const int8_t *w, int32_t out_c, int32_t o,
                             const int32_t *bias, const te_mac_params *p, int right, int8_t *const yr[4],
                             int32_t stored) {
  int32x4_t acc[4][4];
  int16x8_t xv[4], wl = vdupq_n_s16(0), wh = vdupq_n_s16(0);
  const int8_t *xr[4];
  int32_t r, q, i, s;
  for (r = 0; r < R; r++)
    for (q = 0; q < NQ; q++) acc[r][q] = vld1q_s32(bias + o + 4 * q);
  for (s = 0; s < t->segs; s++) {
    const int8_t *ws = w + o + s * t->seg * out_c;
    for (r = 0; r < R; r++) xr[r] = t->x[r] + s * t->stride;
    for (i = 0; i + 8 <= t->seg; i += 8) {
      for (r = 0; r < R; r++) xv[r] = vmovl_s8(vld1_s8(xr[r] + i));
      TE_STEP(0) TE_STEP(1) TE_STEP(2) TE_STEP(3) TE_STEP(4) TE_STEP(5) TE_STEP(6) TE_STEP(7)
    }
    for (; i < t->seg; i++) {
      TE_LOAD_W(ws + i * out_c)
      for (r = 0; r < R; r++) xv[r] = vdupq_n_s16(xr[r][i]);
      TE_MLA_LANE(0)
    }
  }
  {
    const int16x8_t offset = vdupq_n_s16((int16_t)p->output_offset);
    const int8x8_t lo = vdup_n_s8((int8_t)p->act_min), hi = vdup_n_s8((int8_t)p->act_max);
    if (right) {
      int32x4_t m[4], sh[4];
      for (q = 0; q < NQ; q++) {
        m[q] = vld1q_s32(p->multipliers + o + 4 * q);
        sh[q] = vld1q_s32(p->shifts + o + 4 * q);
      }
      TE_STORE_ROWS(TE_RESCALE_RIGHT)
    } else {
      te_requant4 rq[4];
      for (q = 0; q < NQ; q++) rq[q] = te_requant4_load(p->multipliers + o + 4 * q, p->shifts + o + 4 * q);
      TE_STORE_ROWS(TE_RESCALE)
    }
  }
}

/* The last out_c % 8 channels of row r, scalar. */
static void te_scalar_channels(const te_tile_rows *t, int32_t r, const int8_t *w, int32_t out_c, int32_t o,
                               const int32_t *bias, const te_mac_params *p, int8_t *y) {
  int32_t acc[8], j, i, s;
  for (j = o; j < out_c; j++) {
    int32_t sum = bias[j];
    for (s = 0; s < t->segs; s++)
      for (i = 0; i < t->seg; i++) sum += t->x[r][s * t->stride + i] * w[(s * t->seg + i) * out_c + j];
    acc[j - o] = sum;
  }
  te_requantize_channels(acc, out_c - o, p->multipliers + o, p->shifts + o, p->output_offset, p->act_min, p->act_max, y + o);
}

/* Every output channel of R rows (stored of them real). */
TE_INLINE void te_neon_rows(const te_tile_rows *t, const int R, const int8_t *w, const int32_t *bias, int32_t out_c,
                            const te_mac_params *p, int right, int8_t *const yr[4], int32_t stored) {
  int32_t o, r;
  for (o = 0; o + 16 <= out_c; o += 16) te_neon_block(t, R, 4, w, out_c, o, bias, p, right, yr, stored);
  if (o + 8 <= out_c) {
    te_neon_block(t, R, 2, w, out_c, o, bias, p, right, yr, stored);
    o += 8;
  }
  if (o < out_c)
    for (r = 0; r < stored; r++) te_scalar_channels(t, r, w, out_c, o, bias, p, yr[r]);
}

void te_matmul_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k, int32_t out_c,
                  const te_mac_params *p, int8_t *y) {
  const int right = te_right_shifts_only(p->shifts, out_c);
  int32_t r0 = 0, tile, r;
  te_tile_rows t;
  t.seg = k;
  t.segs = 1;
  t.stride = 0;
  /* Tiles of four rows, then two and one for the rest (a fully connected layer's one row), never a repeated row. */
  for (tile = 4; tile >= 1; tile /= 2) {
    for (; r0 + tile <= rows; r0 += tile) {
      int8_t *yr[4];
      for (r = 0; r < 4; r++) {
        t.x[r] = x + (r0 + (r < tile ? r : 0)) * k;
        yr[r] = y + (r0 + (r < tile ? r : 0)) * out_c;
      }
      if (tile == 4) te_neon_rows(&t, 4, w, folded_bias, out_c, p, right, yr, 4);
      else if (tile == 2) te_neon_rows(&t, 2, w, folded_bias, out_c, p, right, yr, 2);
      else te_neon_rows(&t, 1, w, folded_bias, out_c, p, right, yr, 1);
    }
  }
}

void te_matmul_pairs_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k,
                        int32_t out_c, const te_mac_params *p, int8_t *y) {
  te_neon_matmul_pairs(x, w, folded_bias, rows, k, out_c, p, y);
}

/* The first input byte of pixel `i`'s window when the whole window lies inside the input, else NULL. */
static const int8_t *te_window_start(const int8_t *image, const te_window *g, int32_t i) {
  const int32_t iy = (i / g->ow) * g->stride_h - g->pad_top, ix = (i % g->ow) * g->stride_w - g->pad_left;
  const int inside = iy >= 0 && iy + (g->kh - 1) * g->dilation_h < g->h && ix >= 0 && ix + g->kw <= g->w;
  return inside ? image + (iy * g->w + ix) * g->c : NULL;
}

/* Four pixels at a time read in place where their windows lie inside the input (dilation_w 1: a window row is one
   run), else two at a time through the patch (the scratch holds two windows). */
void te_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, const te_window *g, int32_t out_c,
                  const te_mac_params *p, int8_t *patch, int8_t *y) {
  const int32_t k = g->kh * g->kw * g->c, pixels = g->oh * g->ow;
  const int8_t zero_point = (int8_t)(-p->input_offset);
  const int right = te_right_shifts_only(p->shifts, out_c);
  te_tile_rows direct, gathered = {{patch, patch + k, patch, patch + k}, 0, 1, 0};
  int32_t n, i, r;
  gathered.seg = k;
  direct.seg = g->kw * g->c;
  direct.segs = g->kh;
  direct.stride = g->dilation_h * g->w * g->c;
  for (n = 0; n < g->n; n++) {
    const int8_t *image = x + n * g->h * g->w * g->c;
    for (i = 0; i < pixels;) {
      int inside = g->dilation_w == 1 && i + 4 <= pixels;
      for (r = 0; r < 4 && inside; r++) inside = (direct.x[r] = te_window_start(image, g, i + r)) != NULL;
      if (inside) {
        int8_t *const yr[4] = {y, y + out_c, y + 2 * out_c, y + 3 * out_c};
        te_neon_rows(&direct, 4, w, folded_bias, out_c, p, right, yr, 4);
        i += 4;
        y += 4 * out_c;
      } else {
        const int32_t stored = pixels - i < 2 ? 1 : 2;
        int8_t *const yr[4] = {y, y + out_c, y, y + out_c};
        te_gather_patch(x, g, n, i / g->ow, i % g->ow, zero_point, patch);
        if (stored == 2) te_gather_patch(x, g, n, (i + 1) / g->ow, (i + 1) % g->ow, zero_point, patch + k);
        else memcpy(patch + k, patch, (size_t)k);
        te_neon_rows(&gathered, 2, w, folded_bias, out_c, p, right, yr, stored);
        i += stored;
        y += stored * out_c;
      }
    }
  }
}
