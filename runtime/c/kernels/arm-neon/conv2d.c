/*
 * AArch64 Advanced SIMD int8 convolution and matrix product (Cortex-A72, no SDOT), weights [K][out_c] (k-major, as
 * kernels/ref): a tile of four rows (pixels) × sixteen output channels keeps its sixteen int32x4 accumulators in
 * registers; each k loads sixteen weights once, widens them to int16, and SMLAL-by-element multiplies them with that
 * k's input of every row (eight k of a row widened at once, held in one register): 64 MACs for 19 instructions.
 * Eight-channel blocks take out_c % 16 ≥ 8, a scalar loop the last out_c % 8. The offsets need no care here: the
 * compiler folded input_offset·Σw into the bias. Bit-exact with kernels/ref: integer sums in any order are equal.
 */
#include <arm_neon.h>
#include "tinyedge/kernels.h"
#include "../internal/fixed_point.h"
#include "../internal/patch.h"
#include "../internal/arm_requantize.h"

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

#define TE_STEP(J)              \
  TE_LOAD_W(w + (i + J) * out_c) \
  TE_MLA_LANE(J)

/* Channels [o, o + 4·NQ) of R rows xr into yr[0..stored) (R and NQ constants after inlining, so acc stays in
   registers; rows past `stored` repeat a real row and are not stored). */
TE_INLINE void te_neon_block(const int8_t *const xr[4], const int R, const int NQ, const int8_t *w, int32_t k, int32_t out_c,
                             int32_t o, const int32_t *bias, const te_mac_params *p, int8_t *const yr[4], int32_t stored) {
  int32x4_t acc[4][4];
  int16x8_t xv[4], wl = vdupq_n_s16(0), wh = vdupq_n_s16(0);
  int32_t r, q, i;
  for (r = 0; r < R; r++)
    for (q = 0; q < NQ; q++) acc[r][q] = vld1q_s32(bias + o + 4 * q);
  w += o;
  for (i = 0; i + 8 <= k; i += 8) {
    for (r = 0; r < R; r++) xv[r] = vmovl_s8(vld1_s8(xr[r] + i));
    TE_STEP(0) TE_STEP(1) TE_STEP(2) TE_STEP(3) TE_STEP(4) TE_STEP(5) TE_STEP(6) TE_STEP(7)
  }
  for (; i < k; i++) {
    TE_LOAD_W(w + i * out_c)
    for (r = 0; r < R; r++) xv[r] = vdupq_n_s16(xr[r][i]);
    TE_MLA_LANE(0)
  }
  {
    const int16x8_t offset = vdupq_n_s16((int16_t)p->output_offset);
    const int8x8_t lo = vdup_n_s8((int8_t)p->act_min), hi = vdup_n_s8((int8_t)p->act_max);
    te_requant4 rq[4];
    for (q = 0; q < NQ; q++) rq[q] = te_requant4_load(p->multipliers + o + 4 * q, p->shifts + o + 4 * q);
    for (r = 0; r < R; r++) {
      if (r >= stored) break;
      for (q = 0; q < NQ; q += 2) {
        const int8x8_t v = te_offset_narrow8(te_mbqm4(acc[r][q], rq[q]), te_mbqm4(acc[r][q + 1], rq[q + 1]), offset);
        vst1_s8(yr[r] + o + 4 * q, vmin_s8(vmax_s8(v, lo), hi));
      }
    }
  }
}

/* The last out_c % 8 channels of one row, scalar. */
static void te_scalar_channels(const int8_t *x, const int8_t *w, int32_t k, int32_t out_c, int32_t o, const int32_t *bias,
                               const te_mac_params *p, int8_t *y) {
  int32_t acc[8], j, i;
  for (j = o; j < out_c; j++) {
    int32_t s = bias[j];
    for (i = 0; i < k; i++) s += x[i] * w[i * out_c + j];
    acc[j - o] = s;
  }
  te_requantize_channels(acc, out_c - o, p->multipliers + o, p->shifts + o, p->output_offset, p->act_min, p->act_max, y + o);
}

/* Every output channel of R rows (stored of them real). */
TE_INLINE void te_neon_rows(const int8_t *const xr[4], const int R, const int8_t *w, const int32_t *bias, int32_t k,
                            int32_t out_c, const te_mac_params *p, int8_t *const yr[4], int32_t stored) {
  int32_t o, r;
  for (o = 0; o + 16 <= out_c; o += 16) te_neon_block(xr, R, 4, w, k, out_c, o, bias, p, yr, stored);
  if (o + 8 <= out_c) {
    te_neon_block(xr, R, 2, w, k, out_c, o, bias, p, yr, stored);
    o += 8;
  }
  if (o < out_c)
    for (r = 0; r < stored; r++) te_scalar_channels(xr[r], w, k, out_c, o, bias, p, yr[r]);
}

void te_matmul_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, int32_t rows, int32_t k, int32_t out_c,
                  const te_mac_params *p, int8_t *y) {
  int32_t r0, r;
  for (r0 = 0; r0 < rows; r0 += 4) {
    const int32_t stored = rows - r0 < 4 ? rows - r0 : 4;
    const int8_t *xr[4];
    int8_t *yr[4];
    for (r = 0; r < 4; r++) {
      const int32_t row = r0 + (r < stored ? r : stored - 1);
      xr[r] = x + row * k;
      yr[r] = y + row * out_c;
    }
    te_neon_rows(xr, 4, w, folded_bias, k, out_c, p, yr, stored);
  }
}

/* Pixels two at a time through the patch (the scratch holds two windows). */
void te_conv2d_s8(const int8_t *x, const int8_t *w, const int32_t *folded_bias, const te_window *g, int32_t out_c,
                  const te_mac_params *p, int8_t *patch, int8_t *y) {
  const int32_t k = g->kh * g->kw * g->c, pixels = g->oh * g->ow;
  const int8_t zero_point = (int8_t)(-p->input_offset);
  const int8_t *const xr[4] = {patch, patch + k, patch, patch + k};
  int32_t n, i;
  for (n = 0; n < g->n; n++) {
    for (i = 0; i < pixels; i += 2) {
      const int32_t stored = pixels - i < 2 ? 1 : 2;
      int8_t *const yr[4] = {y, y + out_c, y, y + out_c};
      te_gather_patch(x, g, n, i / g->ow, i % g->ow, zero_point, patch);
      if (stored == 2) te_gather_patch(x, g, n, (i + 1) / g->ow, (i + 1) % g->ow, zero_point, patch + k);
      else memcpy(patch + k, patch, (size_t)k);
      te_neon_rows(xr, 2, w, folded_bias, k, out_c, p, yr, stored);
      y += stored * out_c;
    }
  }
}
